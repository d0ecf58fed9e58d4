// What the binding files of emgmm._core share: reading a numpy array in place as an Eigen Map in
// its own layout, the options from a Python dict, and the fitted mixture's attributes.
#ifndef EMGMM_PYTHON_BIND_HPP
#define EMGMM_PYTHON_BIND_HPP

#include <pybind11/eigen.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <Eigen/Core>

#include <emgmm/covariance_type.hpp>
#include <emgmm/model_name.hpp>
#include <emgmm/options.hpp>

#include <cstdint>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace emgmm_python {

namespace py = pybind11;

template <typename Scalar>
using RowMajorView =
    Eigen::Map<const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
template <typename Scalar>
using ColMajorView = Eigen::Map<const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>>;

/// Calls f(view) on X without copying it: a C-contiguous array as a row-major Map, an
/// F-contiguous one as a column-major Map, with the GIL released (f must not touch Python
/// objects). The Python classes hand over 2-D arrays of the model's dtype in one of these two
/// layouts; anything else is a programming error of theirs, reported as ValueError.
template <typename Scalar, typename F>
auto with_view(const py::array& X, F&& f) {
  if (!py::isinstance<py::array_t<Scalar>>(X) || X.ndim() != 2) {
    throw std::invalid_argument(std::string("emgmm._core: X must be a 2-D array of ") +
                                (sizeof(Scalar) == 4 ? "float32" : "float64"));
  }
  const auto* data = static_cast<const Scalar*>(X.data());
  const Eigen::Index rows = X.shape(0);
  const Eigen::Index cols = X.shape(1);
  if (X.flags() & py::array::c_style) {
    const RowMajorView<Scalar> view(data, rows, cols);
    py::gil_scoped_release release;
    return f(view);
  }
  if (X.flags() & py::array::f_style) {
    const ColMajorView<Scalar> view(data, rows, cols);
    py::gil_scoped_release release;
    return f(view);
  }
  throw std::invalid_argument("emgmm._core: X must be C- or F-contiguous");
}

/// options.*key = d[key] when the dict has the key (None clears an optional).
template <typename T>
void read_option(const py::dict& d, const char* key, T& out) {
  if (d.contains(key)) out = d[key].cast<T>();
}

/// The enum options arrive in sklearn's spelling and are parsed by the library.
template <typename T, typename Parse>
void read_enum(const py::dict& d, const char* key, T& out, Parse parse) {
  if (d.contains(key)) out = parse(d[key].cast<std::string>());
}

/// An optional enum option: None clears it, a string is parsed by the library.
template <typename T, typename Parse>
void read_optional_enum(const py::dict& d, const char* key, std::optional<T>& out, Parse parse) {
  if (!d.contains(key)) return;
  if (d[key].is_none()) {
    out.reset();
  } else {
    out = parse(d[key].cast<std::string>());
  }
}

/// "sklearn" or "mclust" (the Python class has checked the spelling).
inline emgmm::Convergence convergence_from_string(const std::string& name) {
  if (name == "mclust") return emgmm::Convergence::mclust;
  if (name == "sklearn") return emgmm::Convergence::sklearn;
  throw std::invalid_argument("convergence = '" + name + "' is not 'sklearn' or 'mclust'.");
}

/// The model's versioned text (serialization.hpp), for pickling.
template <typename Model>
std::string save_text(const Model& model) {
  std::ostringstream out;
  model.save(out);
  return out.str();
}

template <typename Model>
Model load_text(const std::string& text) {
  std::istringstream in(text);
  return Model::load(in);
}

/// The options both mixtures' Options structs have under the same names: read once for
/// GaussianMixtureOptions and BayesianGaussianMixtureOptions alike.
template <typename Options>
void read_mixture_options(const py::dict& d, Options& o) {
  read_option(d, "n_components", o.n_components);
  read_enum(d, "covariance_type", o.covariance_type, emgmm::covariance_type_from_string);
  read_option(d, "tol", o.tol);
  read_option(d, "reg_covar", o.reg_covar);
  read_option(d, "max_iter", o.max_iter);
  read_option(d, "n_init", o.n_init);
  read_enum(d, "init_params", o.init_params, emgmm::init_params_from_string);
  read_option(d, "random_state", o.random_state);
  read_option(d, "warm_start", o.warm_start);
  read_option(d, "verbose", o.verbose);
  read_option(d, "verbose_interval", o.verbose_interval);
}

/// GaussianMixture's options (select_mclust_model's base options are the same struct).
template <typename Scalar>
void read_gaussian_mixture_options(const py::dict& d, emgmm::GaussianMixtureOptions<Scalar>& o) {
  read_mixture_options(d, o);
  read_optional_enum(d, "model_name", o.model_name, emgmm::model_name_from_string);
  read_enum(d, "convergence", o.convergence, convergence_from_string);
  read_option(d, "inner_tol", o.inner_tol);
  read_option(d, "inner_max_iter", o.inner_max_iter);
  read_option(d, "resp_init", o.resp_init);
  read_option(d, "weights_init", o.weights_init);
  read_option(d, "means_init", o.means_init);
  read_option(d, "precisions_init", o.precisions_init);
  read_option(d, "learning_decay", o.learning_decay);
  read_option(d, "learning_offset", o.learning_offset);
}

/// The attributes GaussianMixture and BayesianGaussianMixture share, as numpy arrays in the
/// library's storage (the Python class reshapes them into sklearn's).
template <typename Model>
py::dict mixture_attributes(const Model& model) {
  py::dict d;
  d["weights"] = model.weights();
  d["means"] = model.means();
  d["covariances"] = model.covariances();
  d["precisions"] = model.precisions();
  d["precisions_cholesky"] = model.precisions_cholesky();
  d["converged"] = model.converged();
  d["n_iter"] = model.n_iter();
  d["lower_bound"] = model.lower_bound();
  d["n_features_in"] = model.n_features_in();
  return d;
}

/// Binds the query `name`: query(model, view) on X read in place with the GIL released.
template <typename Model, typename Class, typename Query>
void def_query(Class& cls, const char* name, Query query) {
  using Scalar = typename Model::Matrix::Scalar;
  cls.def(name, [query](const Model& m, const py::array& X) {
    return with_view<Scalar>(X, [&](const auto& v) { return query(m, v); });
  });
}

/// The queries both mixtures answer, each reading X in place with the GIL released, and
/// pickling's save/load.
template <typename Model, typename Class>
void bind_mixture_queries(Class& cls) {
  def_query<Model>(cls, "predict", [](const Model& m, const auto& v) { return m.predict(v); });
  def_query<Model>(cls, "predict_proba",
                   [](const Model& m, const auto& v) { return m.predict_proba(v); });
  def_query<Model>(cls, "score_samples",
                   [](const Model& m, const auto& v) { return m.score_samples(v); });
  def_query<Model>(cls, "score", [](const Model& m, const auto& v) { return m.score(v); });
  cls.def("sample",
          [](const Model& m, Eigen::Index n_samples) {
            auto samples = m.sample(n_samples);
            return py::make_tuple(std::move(samples.X), std::move(samples.y));
          })
      .def("save", &save_text<Model>)
      .def_static("load", &load_text<Model>);
}

/// fit(X) or fit(X, sample_weight), GIL released.
template <typename Model>
void fit_model(Model& model, const py::array& X,
               const std::optional<Eigen::VectorXd>& sample_weight) {
  using Scalar = typename Model::Matrix::Scalar;
  with_view<Scalar>(X, [&](const auto& v) {
    if (sample_weight) {
      model.fit(v, *sample_weight);
    } else {
      model.fit(v);
    }
    return 0;
  });
}

void bind_gaussian_mixture(py::module_& m);
void bind_bayesian_gaussian_mixture(py::module_& m);
void bind_kmeans(py::module_& m);
void bind_mclust(py::module_& m);

}  // namespace emgmm_python

#endif  // EMGMM_PYTHON_BIND_HPP
