# Compiled mode (option EMGMM_COMPILED), as fmt and spdlog offer it: the target
# emgmm::emgmm_compiled, a static library that instantiates the common models once
# (GaussianMixture, BayesianGaussianMixture and KMeans of double and float, Eigen::Dynamic
# features; cmake/compiled/models_<Scalar>.cpp, one file per Scalar). Linking it defines
# EMGMM_COMPILED, under which the headers declare those instantiations `extern template`: a
# program's files then compile only the thin layer that reads the caller's X and link the
# passes from the library, instead of compiling them in every file that fits a model. Other
# models (fixed Dim) stay header-only as before.
#
# EMGMM_COMPILED_SCALARS (default "double;float") chooses the Scalars the library holds: a
# program that fits only double models builds half the library with "double". A Scalar left
# out is declared so to the headers (EMGMM_COMPILED_NO_FLOAT / EMGMM_COMPILED_NO_DOUBLE, passed
# on by the target), whose models of it then compile header-only in the files that use them.
#
# Whether the passes run in parallel is decided when the library is built: with OpenMP when
# CMake finds it (EMGMM_COMPILED_OPENMP, default ON), which the target then passes on to its
# consumers.
#
# EMGMM_COMPILED_OPTIONS (default empty) adds compile options to the library's files only: e.g.
# -O2 in a Debug build, so that the fits run optimized while the program's own files stay
# quick to build and to debug (.ci/run builds its sanitizer tests so, with -O1).

option(EMGMM_COMPILED_OPENMP "Build emgmm_compiled with OpenMP, when found" ON)
set(EMGMM_COMPILED_SCALARS "double;float" CACHE STRING
    "The Scalar types whose models emgmm_compiled instantiates: double, float or both")
set(EMGMM_COMPILED_OPTIONS "" CACHE STRING
    "Extra compile options for emgmm_compiled's own files (e.g. -O2 in a Debug build)")

set(_emgmm_compiled_sources)
set(_emgmm_compiled_definitions EMGMM_COMPILED)
if(NOT EMGMM_COMPILED_SCALARS)
  message(FATAL_ERROR "EMGMM_COMPILED_SCALARS is empty; set it to double, float or "
                      "\"double;float\" (or turn EMGMM_COMPILED off).")
endif()
foreach(_scalar IN LISTS EMGMM_COMPILED_SCALARS)
  if(NOT _scalar MATCHES "^(double|float)$")
    message(FATAL_ERROR "EMGMM_COMPILED_SCALARS holds '${_scalar}'; each entry must be double "
                        "or float, as in \"double;float\".")
  endif()
endforeach()
foreach(_scalar IN ITEMS double float)
  if(_scalar IN_LIST EMGMM_COMPILED_SCALARS)
    list(APPEND _emgmm_compiled_sources "${CMAKE_CURRENT_LIST_DIR}/compiled/models_${_scalar}.cpp")
  else()
    string(TOUPPER "${_scalar}" _upper)
    list(APPEND _emgmm_compiled_definitions EMGMM_COMPILED_NO_${_upper})
  endif()
endforeach()

add_library(emgmm_compiled STATIC ${_emgmm_compiled_sources})
add_library(emgmm::emgmm_compiled ALIAS emgmm_compiled)
target_link_libraries(emgmm_compiled PUBLIC emgmm)
target_compile_definitions(emgmm_compiled PUBLIC ${_emgmm_compiled_definitions})
target_compile_features(emgmm_compiled PUBLIC cxx_std_17)
set_target_properties(emgmm_compiled PROPERTIES POSITION_INDEPENDENT_CODE ON)
# A command-line string ("-O2 -fno-omit-frame-pointer") or a CMake list: split either into
# arguments, so that a space never ends up inside one compiler flag.
separate_arguments(_emgmm_compiled_options UNIX_COMMAND "${EMGMM_COMPILED_OPTIONS}")
target_compile_options(emgmm_compiled PRIVATE ${_emgmm_compiled_options})

set(EMGMM_COMPILED_WITH_OPENMP OFF)
if(EMGMM_COMPILED_OPENMP)
  find_package(OpenMP COMPONENTS CXX)
  if(OpenMP_CXX_FOUND)
    target_link_libraries(emgmm_compiled PUBLIC OpenMP::OpenMP_CXX)
    set(EMGMM_COMPILED_WITH_OPENMP ON)
  else()
    message(STATUS "emgmm: OpenMP not found; emgmm_compiled runs its passes single-threaded")
  endif()
endif()
