// Catch2 v2 or v3, one spelling: tests include "catch.hpp" and use TEST_CASE,
// TEMPLATE_TEST_CASE, Approx, GENERATE, CHECK_THAT with Catch::Matchers::WithinAbs/WithinRel,
// and CHECK_THROWS_WITH with emgmm_test::message_contains, the same way with either major
// version. tests/CMakeLists.txt defines EMGMM_CATCH2_V3 when it found (or fetched) Catch2 v3.
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

#include <string>

namespace emgmm_test {

/// A matcher of an exception's message that holds `text`, spelled the same way in both
/// versions: v3 renamed v2's string matcher Contains to ContainsSubstring (its Contains matches
/// an element of a range).
inline auto message_contains(const std::string& text) {
#ifdef EMGMM_CATCH2_V3
  return Catch::Matchers::ContainsSubstring(text);
#else
  return Catch::Matchers::Contains(text);
#endif
}

}  // namespace emgmm_test

#endif  // EMGMM_TESTS_CATCH_HPP
