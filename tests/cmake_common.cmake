# What the test driver scripts run with `cmake -P` share (tests/cmake_consumer/run.cmake,
# tests/consumer_warnings.cmake): include() it, set RUN_STEP_PREFIX to the test's name.
#   run_step(<command> <arg>...)  prints the command, runs it, and fails the test (FATAL_ERROR)
#                                 when it exits with anything but 0
function(run_step)
  string(JOIN " " _printable ${ARGN})
  message(STATUS "[${RUN_STEP_PREFIX}] ${_printable}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE _result)
  if(NOT _result EQUAL 0)
    message(FATAL_ERROR "[${RUN_STEP_PREFIX}] failed (${_result}): ${_printable}")
  endif()
endfunction()
