# Downloads Eigen 3.4.0 when no installed Eigen was found (EMGMM_FETCH_DEPENDENCIES=ON).
#
# Eigen is header-only, so only its sources are fetched: its own CMake project (tests, BLAS,
# docs) is not configured. The download makes:
#   - Eigen3::Eigen, a global imported target with the fetched headers as a SYSTEM include dir;
#   - a package config in <build>/emgmm-eigen3-config, so that nested builds (our consumption
#     tests) and anyone pointing Eigen3_DIR there find the same Eigen without downloading it
#     again. Its path is in EMGMM_FETCHED_EIGEN3_DIR.
# An installed emgmm built this way still needs an installed Eigen for find_package(emgmm).
#
# Offline with a local copy of Eigen's sources: -DFETCHCONTENT_SOURCE_DIR_EIGEN3=/path/to/eigen

include(FetchContent)

message(STATUS "emgmm: Eigen 3.4 not found by find_package; fetching Eigen 3.4.0")
FetchContent_Declare(Eigen3
  URL https://gitlab.com/libeigen/eigen/-/archive/3.4.0/eigen-3.4.0.tar.gz
  URL_HASH SHA256=8586084f71f9bde545ee7fa6d00288b264a2b7ac3607b974e54d13e7162c1c72
  # No CMakeLists.txt there: FetchContent_MakeAvailable only downloads, it adds no subproject.
  SOURCE_SUBDIR emgmm-headers-only)
FetchContent_MakeAvailable(Eigen3)

if(NOT EXISTS "${eigen3_SOURCE_DIR}/Eigen/Core")
  message(FATAL_ERROR "emgmm: the fetched Eigen in ${eigen3_SOURCE_DIR} has no Eigen/Core")
endif()

add_library(Eigen3::Eigen INTERFACE IMPORTED GLOBAL)
set_target_properties(Eigen3::Eigen PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES "${eigen3_SOURCE_DIR}")

set(EMGMM_FETCHED_EIGEN3_DIR "${PROJECT_BINARY_DIR}/emgmm-eigen3-config")
file(CONFIGURE OUTPUT "${EMGMM_FETCHED_EIGEN3_DIR}/Eigen3Config.cmake" @ONLY CONTENT [[
# Written by emgmm for the Eigen 3.4.0 sources it downloaded.
if(NOT TARGET Eigen3::Eigen)
  add_library(Eigen3::Eigen INTERFACE IMPORTED)
  set_target_properties(Eigen3::Eigen PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "@eigen3_SOURCE_DIR@")
endif()
set(EIGEN3_INCLUDE_DIR "@eigen3_SOURCE_DIR@")
]])
include(CMakePackageConfigHelpers)
write_basic_package_version_file("${EMGMM_FETCHED_EIGEN3_DIR}/Eigen3ConfigVersion.cmake"
  VERSION 3.4.0
  COMPATIBILITY SameMajorVersion
  ARCH_INDEPENDENT)
