# Drives one consumption test:
#   cmake -DMODE=<import|add_subdirectory|fetch_content|add_subdirectory_compiled> ... -P run.cmake
# (add_subdirectory_compiled: the add_subdirectory project linking emgmm::emgmm_compiled)
#   EMGMM_SOURCE_DIR  this source tree           EMGMM_VERSION  the version it must report
#   WORK_DIR          scratch dir (wiped first)  GENERATOR, MAKE_PROGRAM, CXX_COMPILER: the
#   EIGEN3_DIR        Eigen's package dir, may be empty     outer build's, passed on
# Configures and builds the project tests/cmake_<MODE>, then runs its ctest (the consumer).
cmake_minimum_required(VERSION 3.23)

foreach(_var IN ITEMS MODE EMGMM_SOURCE_DIR EMGMM_VERSION WORK_DIR GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${_var} OR "${${_var}}" STREQUAL "")
    message(FATAL_ERROR "run.cmake: -D${_var}=... is required")
  endif()
endforeach()

set(RUN_STEP_PREFIX "cmake_${MODE}")
include("${CMAKE_CURRENT_LIST_DIR}/../cmake_common.cmake")  # run_step()

file(REMOVE_RECURSE "${WORK_DIR}")

# Release: the consumer is built and run quickly; the same generator and compiler as outside.
set(_common -G "${GENERATOR}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" -DCMAKE_BUILD_TYPE=Release)
if(MAKE_PROGRAM)
  list(APPEND _common "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
if(EIGEN3_DIR)
  list(APPEND _common "-DEigen3_DIR=${EIGEN3_DIR}")
endif()

set(_consumer_args "-DEMGMM_VERSION=${EMGMM_VERSION}")
if(MODE STREQUAL "import")
  # Configure emgmm as a packager would (no tests, no examples) and install it to a prefix.
  set(_prefix "${WORK_DIR}/prefix")
  run_step("${CMAKE_COMMAND}" -S "${EMGMM_SOURCE_DIR}" -B "${WORK_DIR}/emgmm-build" ${_common}
           -DEMGMM_BUILD_TESTS=OFF -DEMGMM_BUILD_EXAMPLES=OFF "-DCMAKE_INSTALL_PREFIX=${_prefix}")
  run_step("${CMAKE_COMMAND}" --build "${WORK_DIR}/emgmm-build" --config Release)
  run_step("${CMAKE_COMMAND}" --install "${WORK_DIR}/emgmm-build" --config Release)
  foreach(_installed IN ITEMS include/emgmm/emgmm.hpp include/emgmm/version.hpp
                              share/cmake/emgmm/emgmmConfig.cmake
                              share/cmake/emgmm/emgmmConfigVersion.cmake
                              share/cmake/emgmm/emgmmTargets.cmake)
    if(NOT EXISTS "${_prefix}/${_installed}")
      message(FATAL_ERROR "[cmake_import] the install did not create ${_prefix}/${_installed}")
    endif()
  endforeach()
  list(APPEND _consumer_args "-DCMAKE_PREFIX_PATH=${_prefix}")
elseif(MODE STREQUAL "add_subdirectory" OR MODE STREQUAL "fetch_content")
  list(APPEND _consumer_args "-DEMGMM_SOURCE_DIR=${EMGMM_SOURCE_DIR}")
elseif(MODE STREQUAL "add_subdirectory_compiled")
  # The consumer fits only double models: the library without float (EMGMM_COMPILED_SCALARS)
  # builds in half the time and proves that the option reaches the consumer.
  list(APPEND _consumer_args "-DEMGMM_SOURCE_DIR=${EMGMM_SOURCE_DIR}" -DEMGMM_CONSUMER_COMPILED=ON
       -DEMGMM_COMPILED_SCALARS=double)
  set(_project_dir "${EMGMM_SOURCE_DIR}/tests/cmake_add_subdirectory")
else()
  message(FATAL_ERROR "run.cmake: unknown MODE '${MODE}'")
endif()

set(_consumer_build "${WORK_DIR}/consumer-build")
if(NOT DEFINED _project_dir)
  set(_project_dir "${EMGMM_SOURCE_DIR}/tests/cmake_${MODE}")
endif()
run_step("${CMAKE_COMMAND}" -S "${_project_dir}" -B "${_consumer_build}"
         ${_common} ${_consumer_args})
run_step("${CMAKE_COMMAND}" --build "${_consumer_build}" --config Release)
run_step("${CMAKE_CTEST_COMMAND}" --test-dir "${_consumer_build}" -C Release
         --output-on-failure --no-tests=error)
