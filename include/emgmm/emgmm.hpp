#ifndef EMGMM_EMGMM_HPP
#define EMGMM_EMGMM_HPP

#include "detail/diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

/// emgmm: Gaussian mixture models fitted by EM on Eigen, with scikit-learn's API.
/// The one header to include; it includes every public header and nothing else.

#include "bayesian_gaussian_mixture.hpp"
#include "covariance_type.hpp"
#include "errors.hpp"
#include "gaussian_mixture.hpp"
#include "hierarchical.hpp"
#include "kmeans.hpp"
#include "model_name.hpp"
#include "model_selection.hpp"
#include "options.hpp"
#include "serialization.hpp"
#include "sufficient_statistics.hpp"
#include "version.hpp"

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_EMGMM_HPP
