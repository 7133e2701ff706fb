# Fails unless the dynamic symbols LIBRARY defines are exactly the functions
# sbx.h declares (plus the version node of abi/sbx.map, e.g. SBX_1).
#   cmake -DNM=nm -DLIBRARY=libsbx.so -DHEADER=sbx.h -P check_exports.cmake
execute_process(COMMAND ${NM} -D --defined-only ${LIBRARY}
                OUTPUT_VARIABLE listing ERROR_VARIABLE nm_error RESULT_VARIABLE nm_result)
if(NOT nm_result EQUAL 0)
  message(FATAL_ERROR "${NM} failed on ${LIBRARY}: ${nm_error}")
endif()

# "<address> <type> <name>[@[@]<version>]" per line.
string(REGEX MATCHALL "[^\n]+" lines "${listing}")
set(exported "")
set(foreign "")
foreach(line IN LISTS lines)
  if(NOT line MATCHES "^[0-9a-fA-F]* *([A-Za-z]) ([^@ ]+)")
    message(FATAL_ERROR "unexpected nm line: ${line}")
  endif()
  set(type "${CMAKE_MATCH_1}")
  set(name "${CMAKE_MATCH_2}")
  if(name MATCHES "^sbx_")
    list(APPEND exported "${name}")
  elseif(NOT (type STREQUAL "A" AND name MATCHES "^SBX_[0-9.]+$"))
    list(APPEND foreign "${name}")
  endif()
endforeach()

file(STRINGS ${HEADER} declarations REGEX "^SBX_API .*[ *](sbx_[a-z_]+)\\(")
set(declared "")
foreach(declaration IN LISTS declarations)
  string(REGEX MATCH "[ *](sbx_[a-z_]+)\\(" _ "${declaration}")
  list(APPEND declared "${CMAKE_MATCH_1}")
endforeach()
if(NOT declared)
  message(FATAL_ERROR "no SBX_API function found in ${HEADER}")
endif()

set(undeclared ${exported})
list(REMOVE_ITEM undeclared ${declared})
set(missing ${declared})
list(REMOVE_ITEM missing ${exported})
if(foreign OR undeclared OR missing)
  list(JOIN foreign " " foreign)
  list(JOIN undeclared " " undeclared)
  list(JOIN missing " " missing)
  message(FATAL_ERROR "${LIBRARY} exports the wrong symbols.\n"
                      "  not sbx_*: ${foreign}\n"
                      "  sbx_* not declared in sbx.h: ${undeclared}\n"
                      "  declared in sbx.h, not exported: ${missing}")
endif()
list(LENGTH exported count)
message(STATUS "${count} symbols, all declared in sbx.h")
