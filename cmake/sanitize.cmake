# Sanitizer and fuzzer builds (scripts/sanitize, scripts/fuzz).
#
#   -DSBX_SANITIZE=address,undefined   every target is built and linked with
#                                      -fsanitize=...; a report aborts the
#                                      program (no recovery), so a test fails
#   -DSBX_BUILD_FUZZERS=ON             the libFuzzer targets of tests/fuzz
#                                      (clang only); implies address,undefined
#
# sbx-init is linked -static, which the ASan runtime does not allow: it keeps
# its own uninstrumented copy of the wire code and gets UBSan in trap mode
# (no runtime needed: undefined behaviour stops it with SIGILL).

set(SBX_SANITIZE "" CACHE STRING
    "Build with -fsanitize=<list>, e.g. address,undefined (sbx-init: trapping UBSan only)")

if(SBX_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "SBX_BUILD_FUZZERS needs clang (libFuzzer): configure with "
                        "-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ (see scripts/fuzz)")
  endif()
  if(NOT SBX_SANITIZE)
    set(SBX_SANITIZE "address,undefined" CACHE STRING "" FORCE)
  endif()
  # Coverage feedback in everything the targets link; the targets add the
  # libFuzzer main themselves.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

set(SBX_SANITIZE_COMPILE_FLAGS "")
if(SBX_SANITIZE)
  set(SBX_SANITIZE_COMPILE_FLAGS
      -fsanitize=${SBX_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_compile_options(${SBX_SANITIZE_COMPILE_FLAGS})
  add_link_options(-fsanitize=${SBX_SANITIZE})
endif()

# Called once the plugin's targets exist: takes sbx-init out of the
# sanitizer runtime (see above).
function(sbx_sanitize_static_init)
  if(NOT SBX_SANITIZE OR NOT TARGET sbx-init)
    return()
  endif()
  set(drop ${SBX_SANITIZE_COMPILE_FLAGS} -fsanitize=fuzzer-no-link)
  set(trap "")
  if(SBX_SANITIZE MATCHES "undefined")
    set(trap -fsanitize=undefined -fsanitize-undefined-trap-on-error -fno-sanitize=vptr)
  endif()
  get_target_property(wire_sources sbx_wire SOURCES)
  get_target_property(wire_dir sbx_wire SOURCE_DIR)
  set(sources "")
  foreach(source IN LISTS wire_sources)
    if(NOT IS_ABSOLUTE "${source}")
      set(source "${wire_dir}/${source}")
    endif()
    list(APPEND sources "${source}")
  endforeach()
  add_library(sbx_wire_init STATIC ${sources})
  get_target_property(wire_includes sbx_wire INTERFACE_INCLUDE_DIRECTORIES)
  target_include_directories(sbx_wire_init PUBLIC ${wire_includes})
  foreach(target sbx_wire_init sbx-init)
    get_target_property(options ${target} COMPILE_OPTIONS)
    if(NOT options)
      set(options "")
    endif()
    list(REMOVE_ITEM options ${drop})
    list(APPEND options ${trap})
    set_property(TARGET ${target} PROPERTY COMPILE_OPTIONS ${options})
    get_target_property(links ${target} LINK_OPTIONS)
    if(NOT links)
      set(links "")
    endif()
    list(REMOVE_ITEM links -fsanitize=${SBX_SANITIZE})
    set_property(TARGET ${target} PROPERTY LINK_OPTIONS ${links})
  endforeach()
  get_target_property(libraries sbx-init LINK_LIBRARIES)
  list(TRANSFORM libraries REPLACE "^sbx_wire$" sbx_wire_init)
  set_property(TARGET sbx-init PROPERTY LINK_LIBRARIES ${libraries})
endfunction()
