// The version is defined once, in <emgmm/version.hpp>, and parsed from there by CMake into
// project(emgmm VERSION ...). tests/CMakeLists.txt passes CMake's result in as
// EMGMM_TEST_PROJECT_VERSION*, so this checks that the two agree.
#include <emgmm/version.hpp>

#include <string>

#include "catch.hpp"

TEST_CASE("the version CMake parsed equals the version header's", "[version]") {
  CHECK(EMGMM_VERSION_MAJOR == EMGMM_TEST_PROJECT_VERSION_MAJOR);
  CHECK(EMGMM_VERSION_MINOR == EMGMM_TEST_PROJECT_VERSION_MINOR);
  CHECK(EMGMM_VERSION_PATCH == EMGMM_TEST_PROJECT_VERSION_PATCH);

  const std::string header_version = std::to_string(EMGMM_VERSION_MAJOR) + "." +
                                     std::to_string(EMGMM_VERSION_MINOR) + "." +
                                     std::to_string(EMGMM_VERSION_PATCH);
  CHECK(header_version == EMGMM_TEST_PROJECT_VERSION);
}

TEST_CASE("EMGMM_VERSION orders versions as numbers", "[version]") {
  STATIC_REQUIRE(EMGMM_VERSION ==
                 EMGMM_VERSION_MAJOR * 10000 + EMGMM_VERSION_MINOR * 100 + EMGMM_VERSION_PATCH);
  // Two decimal digits per component: a larger minor or patch would overflow into the next.
  STATIC_REQUIRE(EMGMM_VERSION_MINOR < 100);
  STATIC_REQUIRE(EMGMM_VERSION_PATCH < 100);
}
