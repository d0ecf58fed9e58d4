// emgmm._core.GaussianMixture_float64 / _float32: emgmm::GaussianMixture<Scalar> (Eigen::Dynamic
// features) for the Python class emgmm.GaussianMixture.
#include <emgmm/gaussian_mixture.hpp>

#include <string>

#include "bind.hpp"

namespace emgmm_python {

namespace {

template <typename Scalar>
void configure(emgmm::GaussianMixture<Scalar>& model, const py::dict& d) {
  auto o = model.get_params();
  read_gaussian_mixture_options(d, o);
  model.set_params(std::move(o));
}

/// The shared attributes, and mclust's decomposition of the covariances (scale, shape, and the
/// K orientations stacked (K*D) x D, as the full covariances are).
template <typename Scalar>
py::dict attributes(const emgmm::GaussianMixture<Scalar>& model) {
  py::dict d = mixture_attributes(model);
  const Eigen::Index K = model.n_components();
  const Eigen::Index D = model.n_features_in();
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> orientations(K * D, D);
  for (Eigen::Index k = 0; k < K; ++k) orientations.middleRows(k * D, D) = model.orientation(k);
  d["scale"] = model.scale();
  d["shape"] = model.shape();
  d["orientation"] = std::move(orientations);
  return d;
}

template <typename Scalar>
void bind(py::module_& m, const std::string& suffix) {
  using Model = emgmm::GaussianMixture<Scalar>;
  py::class_<Model> cls(m, ("GaussianMixture_" + suffix).c_str());
  cls.def(py::init<>())
      .def("configure", &configure<Scalar>)
      .def("fit", &fit_model<Model>)
      .def("partial_fit",
           [](Model& model, const py::array& X,
              const std::optional<Eigen::VectorXd>& sample_weight) {
             with_view<Scalar>(X, [&](const auto& v) {
               if (sample_weight) {
                 model.partial_fit(v, *sample_weight);
               } else {
                 model.partial_fit(v);
               }
               return 0;
             });
           })
      .def("attributes", &attributes<Scalar>);
  def_query<Model>(cls, "bic", [](const Model& g, const auto& v) { return g.bic(v); });
  def_query<Model>(cls, "aic", [](const Model& g, const auto& v) { return g.aic(v); });
  def_query<Model>(cls, "mclust_bic",
                   [](const Model& g, const auto& v) { return g.mclust_bic(v); });
  def_query<Model>(cls, "icl", [](const Model& g, const auto& v) { return g.icl(v); });
  def_query<Model>(cls, "uncertainty",
                   [](const Model& g, const auto& v) { return g.uncertainty(v); });
  bind_mixture_queries<Model>(cls);
}

}  // namespace

void bind_gaussian_mixture(py::module_& m) {
  bind<double>(m, "float64");
  bind<float>(m, "float32");
}

}  // namespace emgmm_python
