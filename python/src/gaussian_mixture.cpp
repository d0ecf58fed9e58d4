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
  read_mixture_options(d, o);
  read_option(d, "weights_init", o.weights_init);
  read_option(d, "means_init", o.means_init);
  read_option(d, "precisions_init", o.precisions_init);
  read_option(d, "learning_decay", o.learning_decay);
  read_option(d, "learning_offset", o.learning_offset);
  model.set_params(std::move(o));
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
      .def("bic",
           [](const Model& model, const py::array& X) {
             return with_view<Scalar>(X, [&](const auto& v) { return model.bic(v); });
           })
      .def("aic",
           [](const Model& model, const py::array& X) {
             return with_view<Scalar>(X, [&](const auto& v) { return model.aic(v); });
           })
      .def("attributes", &mixture_attributes<Model>);
  bind_mixture_queries<Model>(cls);
}

}  // namespace

void bind_gaussian_mixture(py::module_& m) {
  bind<double>(m, "float64");
  bind<float>(m, "float32");
}

}  // namespace emgmm_python
