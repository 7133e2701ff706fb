# Writes OUTPUT: a header holding PYTHON_DRIVER's text as a raw string.
file(READ ${PYTHON_DRIVER} python)
string(FIND "${python}" ")sbx_driver\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${PYTHON_DRIVER} contains the raw-string delimiter")
endif()
file(WRITE ${OUTPUT} "// Generated from plugin/src/repl/python.py; do not edit.
#pragma once

#include <string_view>

namespace sbx::repl {

inline constexpr std::string_view python_driver = R\"sbx_driver(${python})sbx_driver\";

} // namespace sbx::repl
")
