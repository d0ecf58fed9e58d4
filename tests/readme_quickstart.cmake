# Checks that the README's quick start is examples/quickstart.cpp, character for character, so
# the code a reader copies is the code the tests build and run.
# Usage: cmake -DREADME=<README.md> -DEXAMPLE=<examples/quickstart.cpp> -P readme_quickstart.cmake
file(READ "${README}" readme)
file(READ "${EXAMPLE}" example)
string(FIND "${readme}" "## Quick start" section)
if(section EQUAL -1)
  message(FATAL_ERROR "README.md has no '## Quick start' section")
endif()
string(SUBSTRING "${readme}" ${section} -1 readme)
string(FIND "${readme}" "```cpp\n" open)
if(open EQUAL -1)
  message(FATAL_ERROR "README.md's quick start has no ```cpp block")
endif()
math(EXPR open "${open} + 7")
string(SUBSTRING "${readme}" ${open} -1 readme)
string(FIND "${readme}" "```" close)
string(SUBSTRING "${readme}" 0 ${close} block)
if(NOT block STREQUAL example)
  message(FATAL_ERROR "README.md's quick start differs from examples/quickstart.cpp; "
                      "paste the file into the README (or the README into the file).")
endif()
message(STATUS "README quick start == examples/quickstart.cpp")
