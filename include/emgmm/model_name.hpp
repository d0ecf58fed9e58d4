#ifndef EMGMM_MODEL_NAME_HPP
#define EMGMM_MODEL_NAME_HPP

#include "detail/diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

#include <iterator>
#include <string>

#include <Eigen/Core>

#include "errors.hpp"

namespace emgmm {

/// mclust's fourteen covariance models (Banfield & Raftery 1993; Celeux & Govaert 1995; Scrucca
/// et al. 2016), from the eigen-decomposition Sigma_k = lambda_k D_k A_k D_k^T: volume lambda_k
/// (a scalar), shape A_k (diagonal, determinant 1), orientation D_k (orthogonal). The three
/// letters say whether volume, shape and orientation are Equal across components, Variable, or
/// (shape, orientation) the Identity. Set GaussianMixtureOptions::model_name to fit one; four of
/// them are sklearn's covariance types:
/// | model | volume | shape | orientation | covariance parameters         | sklearn     |
/// |-------|--------|-------|-------------|-------------------------------|-------------|
/// | EII   | E      | I     | -           | 1                             |             |
/// | VII   | V      | I     | -           | K                             | spherical   |
/// | EEI   | E      | E     | I           | D                             |             |
/// | VEI   | V      | E     | I           | K + D - 1                     |             |
/// | EVI   | E      | V     | I           | 1 + K (D - 1)                 |             |
/// | VVI   | V      | V     | I           | K D                           | diag        |
/// | EEE   | E      | E     | E           | D (D + 1) / 2                 | tied        |
/// | VEE   | V      | E     | E           | K + (D - 1) + D (D - 1) / 2   |             |
/// | EVE   | E      | V     | E           | 1 + K (D - 1) + D (D - 1) / 2 |             |
/// | VVE   | V      | V     | E           | K D + D (D - 1) / 2           |             |
/// | EEV   | E      | E     | V           | D + K D (D - 1) / 2           |             |
/// | VEV   | V      | E     | V           | K + (D - 1) + K D (D - 1) / 2 |             |
/// | EVV   | E      | V     | V           | 1 + K (D - 1) + K D (D - 1) / 2 |           |
/// | VVV   | V      | V     | V           | K D (D + 1) / 2               | full        |
enum class ModelName { EII, VII, EEI, VEI, EVI, VVI, EEE, VEE, EVE, VVE, EEV, VEV, EVV, VVV };

/// All fourteen, in mclust's order (mclust.options("emModelNames")).
inline constexpr ModelName kModelNames[] = {
    ModelName::EII, ModelName::VII, ModelName::EEI, ModelName::VEI, ModelName::EVI,
    ModelName::VVI, ModelName::EEE, ModelName::VEE, ModelName::EVE, ModelName::VVE,
    ModelName::EEV, ModelName::VEV, ModelName::EVV, ModelName::VVV};

/// mclust's spelling: "EII" ... "VVV".
inline const char* to_string(ModelName model) {
  static const char* const names[] = {"EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE",
                                      "VEE", "EVE", "VVE", "EEV", "VEV", "EVV", "VVV"};
  const int i = static_cast<int>(model);
  return i >= 0 && i < static_cast<int>(std::size(names)) ? names[i] : "unknown";
}

/// Parses mclust's spelling; throws InvalidArgument naming the accepted values.
inline ModelName model_name_from_string(const std::string& name) {
  for (const ModelName model : kModelNames) {
    if (name == to_string(model)) return model;
  }
  throw InvalidArgument("model_name_from_string: model_name = '" + name +
                        "' is not one of mclust's 'EII', 'VII', 'EEI', 'VEI', 'EVI', 'VVI', "
                        "'EEE', 'VEE', 'EVE', 'VVE', 'EEV', 'VEV', 'EVV', 'VVV'.");
}

/// What a model holds equal ('E'), lets vary ('V') or fixes to the identity ('I'), per part.
struct ModelStructure {
  char volume;       ///< 'E' or 'V'
  char shape;        ///< 'E', 'V' or 'I'
  char orientation;  ///< 'E', 'V' or 'I' (EII and VII: 'I', nothing to orient)
};

/// The letters of the model's name, as a structure.
inline ModelStructure structure_of(ModelName model) {
  const char* name = to_string(model);
  return ModelStructure{name[0], name[1], name[2] == 'I' || name[1] == 'I' ? 'I' : name[2]};
}

/// Free parameters of the K covariances of D features under the model (mclust's nVarParams).
inline Eigen::Index n_variance_parameters(ModelName model, Eigen::Index K, Eigen::Index D) {
  const ModelStructure s = structure_of(model);
  const Eigen::Index rotation = D * (D - 1) / 2;  // the free parameters of one orientation
  const Eigen::Index volume = s.volume == 'E' ? 1 : K;
  const Eigen::Index shape = s.shape == 'I' ? 0 : s.shape == 'E' ? D - 1 : K * (D - 1);
  const Eigen::Index orientation = s.orientation == 'I'   ? 0
                                   : s.orientation == 'E' ? rotation
                                                          : K * rotation;
  return volume + shape + orientation;
}

}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_MODEL_NAME_HPP
