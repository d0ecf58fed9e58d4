// emgmm._core's functions for mclust's initialization and model selection (hierarchical.hpp,
// model_selection.hpp), behind emgmm.hierarchical_merges, emgmm.hierarchical_partition and
// emgmm.select_mclust_model.
#include <emgmm/hierarchical.hpp>
#include <emgmm/model_selection.hpp>

#include <cstddef>
#include <string>
#include <vector>

#include "bind.hpp"

namespace emgmm_python {

namespace {

using IndexMatrix = Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic>;

/// hierarchical_merges(X) as an (n - 1) x 2 array of 0-based group labels.
IndexMatrix merges_array(const py::array& X) {
  const emgmm::HierarchicalMerges merges =
      with_view<double>(X, [](const auto& v) { return emgmm::hierarchical_merges(v); });
  IndexMatrix pairs(static_cast<Eigen::Index>(merges.pairs.size()), 2);
  for (std::size_t s = 0; s < merges.pairs.size(); ++s) {
    pairs(static_cast<Eigen::Index>(s), 0) = merges.pairs[s][0];
    pairs(static_cast<Eigen::Index>(s), 1) = merges.pairs[s][1];
  }
  return pairs;
}

/// One column per entry of n_groups: the partition into that many groups, from one clustering.
IndexMatrix partitions_array(const py::array& X, const std::vector<Eigen::Index>& n_groups) {
  return with_view<double>(X, [&](const auto& v) {
    const emgmm::HierarchicalMerges merges = emgmm::hierarchical_merges(v);
    IndexMatrix labels(merges.n_samples, static_cast<Eigen::Index>(n_groups.size()));
    for (std::size_t c = 0; c < n_groups.size(); ++c) {
      const std::vector<int> partition = emgmm::hierarchical_partition(merges, n_groups[c]);
      for (Eigen::Index i = 0; i < merges.n_samples; ++i) {
        labels(i, static_cast<Eigen::Index>(c)) = partition[static_cast<std::size_t>(i)];
      }
    }
    return labels;
  });
}

/// select_mclust_model on X (the model's dtype) with the base options of `options`: the table
/// as lists in the library's order (model by model, G within), the best row and its model.
template <typename Scalar>
py::dict select(const py::array& X, const std::vector<int>& n_components,
                const std::vector<std::string>& models, const py::dict& options) {
  std::vector<emgmm::ModelName> names;
  for (const std::string& name : models) names.push_back(emgmm::model_name_from_string(name));
  emgmm::GaussianMixtureOptions<Scalar> base = emgmm::mclust_em_options<Scalar>();
  read_gaussian_mixture_options(options, base);
  auto result = with_view<Scalar>(X, [&](const auto& v) {
    return emgmm::select_mclust_model<Scalar>(v, n_components, names, base);
  });
  py::list model_name, n, bic, error, n_iter, converged;
  for (const emgmm::ModelSelectionRow& row : result.table) {
    model_name.append(emgmm::to_string(*row.model_name));
    n.append(row.n_components);
    bic.append(row.mclust_bic());
    error.append(row.error);
    n_iter.append(row.n_iter);
    converged.append(row.converged);
  }
  py::dict d;
  d["model_name"] = model_name;
  d["n_components"] = n;
  d["mclust_bic"] = bic;
  d["error"] = error;
  d["n_iter"] = n_iter;
  d["converged"] = converged;
  d["best_index"] = result.best_index;
  d["best"] = std::move(result.best);
  return d;
}

/// mclust_em_options() as the Python parameters that differ from GaussianMixture's defaults.
py::dict mclust_em_defaults() {
  const emgmm::GaussianMixtureOptions<double> o = emgmm::mclust_em_options<double>();
  py::dict d;
  d["reg_covar"] = o.reg_covar;
  d["convergence"] = emgmm::to_string(o.convergence);
  d["tol"] = o.tol;
  d["max_iter"] = o.max_iter;
  d["inner_tol"] = o.inner_tol;
  d["inner_max_iter"] = o.inner_max_iter;
  return d;
}

}  // namespace

void bind_mclust(py::module_& m) {
  py::list names;
  for (const emgmm::ModelName model : emgmm::kModelNames) names.append(emgmm::to_string(model));
  m.attr("MODEL_NAMES") = py::tuple(names);
  m.def("hierarchical_merges", &merges_array);
  m.def("hierarchical_partitions", &partitions_array);
  m.def("select_mclust_model_float64", &select<double>);
  m.def("select_mclust_model_float32", &select<float>);
  m.def("mclust_em_defaults", &mclust_em_defaults);
}

}  // namespace emgmm_python
