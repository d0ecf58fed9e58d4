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
# -fopenmp when this compiler has OpenMP (clang++ needs libomp-dev), else without: a missing
# OpenMP runtime is not a warning.
get_filename_component(_work "${OUTPUT}" DIRECTORY)
file(WRITE "${_work}/consumer_warnings_openmp_probe.cpp" "#include <omp.h>\nint main() { return omp_get_max_threads() > 0 ? 0 : 1; }\n")
execute_process(COMMAND "${COMPILER}" -fopenmp -c "${_work}/consumer_warnings_openmp_probe.cpp"
                        -o "${_work}/consumer_warnings_openmp_probe.o"
                RESULT_VARIABLE _probe OUTPUT_QUIET ERROR_QUIET)
set(_openmp -fopenmp)
if(NOT _probe EQUAL 0)
  set(_openmp)
  message(STATUS "${COMPILER} has no OpenMP here: compiling without -fopenmp")
endif()
set(_command "${COMPILER}" -std=c++17 -O2 -march=native ${_openmp} -Wall -Wextra -Werror
             "-I${INCLUDE_DIR}")
string(REPLACE "|" ";" _eigen_dirs "${EIGEN_INCLUDE_DIRS}")
foreach(_dir IN LISTS _eigen_dirs)
  list(APPEND _command -isystem "${_dir}")
endforeach()
list(APPEND _command -c "${SOURCE}" -o "${OUTPUT}")
# A failure is a warning (or error) in a consumer's -Wall -Wextra -Werror build of emgmm.
get_filename_component(RUN_STEP_PREFIX "${OUTPUT}" NAME_WE)  # consumer_warnings_<cxx>
include("${CMAKE_CURRENT_LIST_DIR}/cmake_common.cmake")  # run_step()
run_step(${_command})
