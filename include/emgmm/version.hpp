#ifndef EMGMM_VERSION_HPP
#define EMGMM_VERSION_HPP

/// emgmm's version, defined once here; CMake parses these three lines.
#define EMGMM_VERSION_MAJOR 0
#define EMGMM_VERSION_MINOR 1
#define EMGMM_VERSION_PATCH 0

#define EMGMM_VERSION \
  (EMGMM_VERSION_MAJOR * 10000 + EMGMM_VERSION_MINOR * 100 + EMGMM_VERSION_PATCH)

#endif  // EMGMM_VERSION_HPP
