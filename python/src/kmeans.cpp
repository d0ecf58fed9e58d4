// emgmm._core.KMeans_float64 / _float32: emgmm::KMeans<Scalar> (Eigen::Dynamic features) for the
// Python class emgmm.KMeans.
#include <emgmm/kmeans.hpp>

#include <string>

#include "bind.hpp"

namespace emgmm_python {

namespace {

template <typename Scalar>
void configure(emgmm::KMeans<Scalar>& model, const py::dict& d) {
  using Options = typename emgmm::KMeans<Scalar>::Options;
  auto o = model.get_params();
  read_option(d, "n_clusters", o.n_clusters);
  read_enum(d, "init", o.init, [](const std::string& name) {
    if (name == "k-means++") return Options::Init::k_means_plus_plus;
    if (name == "random") return Options::Init::random;
    throw std::invalid_argument("KMeans: init = '" + name +
                                "' is not one of 'k-means++', 'random' or an array.");
  });
  read_option(d, "init_centers", o.init_centers);
  read_option(d, "n_init", o.n_init);
  read_option(d, "max_iter", o.max_iter);
  read_option(d, "tol", o.tol);
  read_option(d, "random_state", o.random_state);
  read_option(d, "verbose", o.verbose);
  model.set_params(std::move(o));
}

template <typename Scalar>
py::dict attributes(const emgmm::KMeans<Scalar>& model) {
  py::dict d;
  d["cluster_centers"] = model.cluster_centers();
  d["labels"] = model.labels();
  d["inertia"] = model.inertia();
  d["n_iter"] = model.n_iter();
  d["n_features_in"] = model.n_features_in();
  return d;
}

template <typename Scalar>
void bind(py::module_& m, const std::string& suffix) {
  using Model = emgmm::KMeans<Scalar>;
  py::class_<Model>(m, ("KMeans_" + suffix).c_str())
      .def(py::init<>())
      .def("configure", &configure<Scalar>)
      .def("fit", &fit_model<Model>)
      .def("predict",
           [](const Model& model, const py::array& X) {
             return with_view<Scalar>(X, [&](const auto& v) { return model.predict(v); });
           })
      .def("transform",
           [](const Model& model, const py::array& X) {
             return with_view<Scalar>(X, [&](const auto& v) { return model.transform(v); });
           })
      .def("score",
           [](const Model& model, const py::array& X, const Eigen::VectorXd& sample_weight) {
             return with_view<Scalar>(X,
                                      [&](const auto& v) { return model.score(v, sample_weight); });
           })
      .def("attributes", &attributes<Scalar>)
      .def("save", &save_text<Model>)
      .def_static("load", &load_text<Model>);
}

}  // namespace

void bind_kmeans(py::module_& m) {
  bind<double>(m, "float64");
  bind<float>(m, "float32");
}

}  // namespace emgmm_python
