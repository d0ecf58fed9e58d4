# consumer_warnings: compiles tests/consumer_warnings.cpp as a consumer would, with the
# README's flags and -Wall -Wextra -Werror; fails on any warning.
#   cmake -DCOMPILER=<c++> -DSOURCE=<file> -DINCLUDE_DIR=<emgmm include> \
#         -DEIGEN_INCLUDE_DIRS=<dir|dir...> -DOUTPUT=<object> -P consumer_warnings.cmake
cmake_minimum_required(VERSION 3.23)
foreach(_var IN ITEMS COMPILER SOURCE INCLUDE_DIR EIGEN_INCLUDE_DIRS OUTPUT)
  if(NOT DEFINED ${_var} OR "${${_var}}" STREQUAL "")
    message(FATAL_ERROR "consumer_warnings.cmake: -D${_var}=... is required")
  endif()
endforeach()
set(_command "${COMPILER}" -std=c++17 -O2 -march=native -fopenmp -Wall -Wextra -Werror
             "-I${INCLUDE_DIR}")
string(REPLACE "|" ";" _eigen_dirs "${EIGEN_INCLUDE_DIRS}")
foreach(_dir IN LISTS _eigen_dirs)
  list(APPEND _command -isystem "${_dir}")
endforeach()
list(APPEND _command -c "${SOURCE}" -o "${OUTPUT}")
string(JOIN " " _printable ${_command})
message(STATUS "${_printable}")
execute_process(COMMAND ${_command} RESULT_VARIABLE _result)
if(NOT _result EQUAL 0)
  message(FATAL_ERROR "a consumer's -Wall -Wextra -Werror build of emgmm failed (${_result})")
endif()
