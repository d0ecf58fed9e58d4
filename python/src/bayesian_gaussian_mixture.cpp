// emgmm._core.BayesianGaussianMixture_float64 / _float32: emgmm::BayesianGaussianMixture<Scalar>
// (Eigen::Dynamic features) for the Python class emgmm.BayesianGaussianMixture.
#include <emgmm/bayesian_gaussian_mixture.hpp>

#include <string>

#include "bind.hpp"

namespace emgmm_python {

namespace {

template <typename Scalar>
void configure(emgmm::BayesianGaussianMixture<Scalar>& model, const py::dict& d) {
  auto o = model.get_params();
  read_mixture_options(d, o);
  read_enum(d, "weight_concentration_prior_type", o.weight_concentration_prior_type,
            emgmm::weight_concentration_prior_type_from_string);
  read_option(d, "weight_concentration_prior", o.weight_concentration_prior);
  read_option(d, "mean_precision_prior", o.mean_precision_prior);
  read_option(d, "mean_prior", o.mean_prior);
  read_option(d, "degrees_of_freedom_prior", o.degrees_of_freedom_prior);
  read_option(d, "covariance_prior", o.covariance_prior);
  read_option(d, "resp_init", o.resp_init);
  model.set_params(std::move(o));
}

template <typename Scalar>
py::dict attributes(const emgmm::BayesianGaussianMixture<Scalar>& model) {
  py::dict d = mixture_attributes(model);
  d["weight_concentration"] = model.weight_concentration();
  d["mean_precision"] = model.mean_precision();
  d["degrees_of_freedom"] = model.degrees_of_freedom();
  d["weight_concentration_prior"] = model.weight_concentration_prior();
  d["mean_precision_prior"] = model.mean_precision_prior();
  d["mean_prior"] = model.mean_prior();
  d["degrees_of_freedom_prior"] = model.degrees_of_freedom_prior();
  d["covariance_prior"] = model.covariance_prior();
  return d;
}

template <typename Scalar>
void bind(py::module_& m, const std::string& suffix) {
  using Model = emgmm::BayesianGaussianMixture<Scalar>;
  py::class_<Model> cls(m, ("BayesianGaussianMixture_" + suffix).c_str());
  cls.def(py::init<>())
      .def("configure", &configure<Scalar>)
      .def("fit", &fit_model<Model>)
      .def("attributes", &attributes<Scalar>);
  bind_mixture_queries<Model>(cls);
}

}  // namespace

void bind_bayesian_gaussian_mixture(py::module_& m) {
  bind<double>(m, "float64");
  bind<float>(m, "float32");
}

}  // namespace emgmm_python
