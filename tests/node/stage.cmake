# The setup of the Node tests (cmake -P, run by the node.npm_ci test):
# copies package.json, package-lock.json and the test files from SOURCE_DIR to
# STAGE_DIR, then installs the locked packages there with `npm ci`.
foreach(var NPM SOURCE_DIR STAGE_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "stage.cmake needs -D${var}=...")
  endif()
endforeach()

file(MAKE_DIRECTORY ${STAGE_DIR})
file(GLOB old ${STAGE_DIR}/*.mjs)
if(old)
  file(REMOVE ${old}) # a test deleted from the source goes away here too
endif()
file(GLOB modules ${SOURCE_DIR}/*.mjs)
file(COPY ${SOURCE_DIR}/package.json ${SOURCE_DIR}/package-lock.json ${modules}
     DESTINATION ${STAGE_DIR})

execute_process(COMMAND ${NPM} ci --no-audit --no-fund
                WORKING_DIRECTORY ${STAGE_DIR} RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "npm ci in ${STAGE_DIR} failed (${status})")
endif()
