// Catch2 v2 or v3, one spelling: tests include "catch.hpp" and use TEST_CASE,
// TEMPLATE_TEST_CASE, Approx, GENERATE, CHECK_THAT with Catch::Matchers::WithinAbs/WithinRel,
// the same way with either major version. tests/CMakeLists.txt defines EMGMM_CATCH2_V3 when it
// found (or fetched) Catch2 v3.
#ifndef EMGMM_TESTS_CATCH_HPP
#define EMGMM_TESTS_CATCH_HPP

#ifdef EMGMM_CATCH2_V3
#include <catch2/catch_all.hpp>
// v2 has Approx at global scope; v3 only as Catch::Approx.
using Catch::Approx;
#else
// v2's single header; TEMPLATE_TEST_CASE, GENERATE, matchers and Approx are all in it.
#include <catch2/catch.hpp>
#endif

#endif  // EMGMM_TESTS_CATCH_HPP
