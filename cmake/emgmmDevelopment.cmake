# Settings for emgmm's own executables (tests, examples, benchmarks), never for the library
# target that consumers link: emgmm_configure_dev_target(<target>).
#   - warnings: -Wall -Wextra -Wpedantic -Wconversion -Wshadow (MSVC: /W4), errors with
#     EMGMM_WARNINGS_AS_ERRORS (less GCC 12's false -Warray-bounds and -Wuse-after-free in
#     Eigen). Eigen and Catch2 are imported targets, so their headers are SYSTEM includes and
#     their own conversions are not reported; the warnings are about our code;
#   - OpenMP::OpenMP_CXX when EMGMM_ENABLE_OPENMP and OpenMP is found, so that the tests run
#     the library's parallel code paths.

if(EMGMM_ENABLE_OPENMP)
  find_package(OpenMP COMPONENTS CXX)
  if(NOT OpenMP_CXX_FOUND)
    message(STATUS "emgmm: OpenMP not found; tests and examples run single-threaded")
  endif()
endif()

function(emgmm_configure_dev_target target)
  if(MSVC)
    target_compile_options(${target} PRIVATE /W4 /permissive-)
    if(EMGMM_WARNINGS_AS_ERRORS)
      target_compile_options(${target} PRIVATE /WX)
    endif()
  else()
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wconversion -Wshadow)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12)
      # GCC 12's false positives inside Eigen 3.4, reported through our code once inlined at
      # -O2/-O3: on fixed-size 1x1 matrices (Dim = 1) a 16-byte SSE load on a path never taken
      # is "partly outside array bounds", and Eigen's aligned realloc "may use a pointer after
      # free".
      target_compile_options(${target} PRIVATE -Wno-array-bounds -Wno-use-after-free)
    endif()
    if(EMGMM_WARNINGS_AS_ERRORS)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
  if(EMGMM_ENABLE_OPENMP AND TARGET OpenMP::OpenMP_CXX)
    target_link_libraries(${target} PRIVATE OpenMP::OpenMP_CXX)
  endif()
endfunction()
