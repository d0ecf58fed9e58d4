// emgmm._core: the compiled core of the Python module emgmm (python/emgmm/), one class per
// estimator and dtype, and mclust's model selection. The Python classes validate the input as
// scikit-learn does and call these.
#include <pybind11/pybind11.h>

#include <emgmm/errors.hpp>
#include <emgmm/version.hpp>

#include <exception>
#include <string>

#include "bind.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_core, m) {
  m.doc() = "emgmm's estimators for float64 and float32 data (the compiled part of emgmm).";
  m.attr("__version__") = std::to_string(EMGMM_VERSION_MAJOR) + "." +
                          std::to_string(EMGMM_VERSION_MINOR) + "." +
                          std::to_string(EMGMM_VERSION_PATCH);
  emgmm_python::bind_gaussian_mixture(m);
  emgmm_python::bind_bayesian_gaussian_mixture(m);
  emgmm_python::bind_kmeans(m);
  emgmm_python::bind_mclust(m);

  // InvalidArgument (a std::invalid_argument) becomes ValueError by pybind11's own rule. The
  // others as scikit-learn raises them: use before fit NotFittedError, a covariance that is not
  // positive definite ValueError (sklearn's "Fitting the mixture model failed ..."), a file that
  // cannot be read OSError.
  // Kept for the life of the process, as the translator may run until then.
  static py::handle not_fitted =
      py::object(py::module_::import("sklearn.exceptions").attr("NotFittedError")).release();
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const emgmm::NotFittedError& e) {
      PyErr_SetString(not_fitted.ptr(), e.what());
    } catch (const emgmm::NumericalError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const emgmm::IOError& e) {
      PyErr_SetString(PyExc_OSError, e.what());
    }
  });
}
