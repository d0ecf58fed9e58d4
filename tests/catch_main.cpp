// Catch2 v2's main(). With Catch2 v3 the tests link Catch2::Catch2WithMain instead, and this
// file is not compiled (see tests/CMakeLists.txt).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
