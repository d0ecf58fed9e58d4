// The program every consumption test (tests/cmake_{import,add_subdirectory,fetch_content})
// builds against emgmm: fit a two-component mixture to two well separated groups of points and
// check that predict() separates them. Exits non-zero on failure.

#include <emgmm/emgmm.hpp>

#include <Eigen/Core>

// The compiled-mode consumer must see the macro the emgmm_compiled target defines.
#if defined(EMGMM_CONSUMER_EXPECTS_COMPILED) && !defined(EMGMM_COMPILED)
#error "linking emgmm::emgmm_compiled did not define EMGMM_COMPILED"
#endif
// ... and, built with EMGMM_COMPILED_SCALARS=double (run.cmake), the macro that keeps the
// headers from declaring float models extern.
#if defined(EMGMM_CONSUMER_EXPECTS_COMPILED) && !defined(EMGMM_COMPILED_NO_FLOAT)
#error "EMGMM_COMPILED_SCALARS=double did not define EMGMM_COMPILED_NO_FLOAT"
#endif

#include <exception>
#include <iostream>

int main() {
  try {
    Eigen::MatrixXd X(8, 2);
    X << 0.0, 0.1, 0.2, -0.1, -0.1, 0.0, 0.1, 0.2,    // group A, around (0, 0)
        10.0, 10.1, 10.2, 9.9, 9.8, 10.0, 10.1, 9.9;  // group B, around (10, 10)

    emgmm::GaussianMixture<double> gmm(2);
    const Eigen::VectorXi labels = gmm.fit(X).predict(X);

    bool ok = gmm.is_fitted() && labels.size() == 8 && labels(0) != labels(4);
    for (Eigen::Index i = 0; i < 4; ++i) {
      ok = ok && labels(i) == labels(0) && labels(i + 4) == labels(4);
    }

    Eigen::MatrixXd probe(2, 2);
    probe << 0.05, 0.05,  // near group A
        9.95, 10.05;      // near group B
    const Eigen::VectorXi probe_labels = gmm.predict(probe);
    ok = ok && probe_labels(0) == labels(0) && probe_labels(1) == labels(4);

    std::cout << "emgmm " << EMGMM_VERSION_MAJOR << '.' << EMGMM_VERSION_MINOR << '.'
              << EMGMM_VERSION_PATCH << ": labels " << labels.transpose() << ", probe "
              << probe_labels.transpose() << (ok ? " -- ok\n" : " -- WRONG\n");
    return ok ? 0 : 1;
  } catch (const std::exception& error) {
    std::cerr << "emgmm threw: " << error.what() << '\n';
    return 1;
  }
}
