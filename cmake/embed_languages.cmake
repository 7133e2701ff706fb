# Writes OUTPUT, a C++ source that holds each file of INPUTS ("|"-separated)
# as a string, for sbx::languages::embedded_files(). Bytes are written as hex
# escapes so that no content can end a literal early.
string(REPLACE "|" ";" INPUTS "${INPUTS}")
set(body "")
set(count 0)
foreach(input IN LISTS INPUTS)
  file(READ "${input}" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" escaped "${hex}")
  get_filename_component(name "${input}" NAME)
  string(APPEND body "    {\"${name}\", std::string_view(\"${escaped}\", sizeof(\"${escaped}\") - 1)},\n")
  math(EXPR count "${count} + 1")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from languages/*.json by cmake/embed_languages.cmake.
#include \"languages/embedded.hpp\"

namespace sbx::languages {
namespace {
const EmbeddedFile files[] = {
${body}    {\"\", std::string_view()}};
} // namespace

std::span<const EmbeddedFile> embedded_files() { return {files, ${count}}; }
} // namespace sbx::languages
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
