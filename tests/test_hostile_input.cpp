// Hostile input, round two (issue 13): one section per class of defect an independent battery
// found, each with the cases that opened the hole and its neighbours.
//   1. SufficientStatistics sizes from a header (from_buffer, the constructor, buffer_size)
//      are overflow-checked and end in InvalidArgument, never in undefined behaviour;
//   2. what a statistics_reducer leaves (and any statistics with public members edited to
//      inconsistent shapes) is validated before use, the model left as it was;
//   3. every path that produces a mixture ends in one validity gate (detail/model_check.hpp):
//      extreme-but-finite statistics or saved numbers give NumericalError / FormatError,
//      never a model with non-finite parameters;
//   4. a common factor of the sample weights changes nothing, at any scale double holds;
//   5. partial_fit on a chunk of total weight 0 is a no-op;
//   6. load(path) of something that is not a readable file is an IOError naming the path;
//   7. what BayesianGaussianMixture<float> fits on tiny or denormal data loads back.

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <emgmm/emgmm.hpp>

#include "catch.hpp"
#include "fixed_models.hpp"
#include "synthetic_data.hpp"

namespace {

using Eigen::Index;
using emgmm::CovarianceType;
using emgmm::SufficientStatistics;

const CovarianceType kTypes[] = {CovarianceType::full, CovarianceType::tied, CovarianceType::diag,
                                 CovarianceType::spherical};

Eigen::MatrixXd blob_data(Index n, std::uint64_t seed) {
  return emgmm_test::draw(emgmm_test::three_blobs(2, CovarianceType::full, 0.5), n, seed).X;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// The message of the emgmm exception of type E that `call` throws; fails the test when it
/// throws nothing or something else.
template <typename E>
std::string message_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const E& error) {
    return error.what();
  } catch (const std::exception& error) {
    FAIL("unexpected exception type: " << error.what());
  }
  FAIL("no exception");
  return "";
}

template <typename Model>
std::string saved(const Model& model) {
  std::ostringstream out;
  model.save(out);
  return out.str();
}

/// Options of a mixture (GaussianMixtureOptions or BayesianGaussianMixtureOptions).
template <typename Options>
Options mixture_options(int n_components, CovarianceType type, std::uint64_t seed) {
  Options options;
  options.n_components = n_components;
  options.covariance_type = type;
  options.random_state = seed;
  return options;
}

/// The options of a start every process can share: the parameters of a short fit.
emgmm::GaussianMixtureOptions<> shared_start(const Eigen::MatrixXd& X, CovarianceType type) {
  auto options = mixture_options<emgmm::GaussianMixtureOptions<>>(3, type, 5);
  options.max_iter = 2;
  emgmm::GaussianMixture<> start(options);
  start.fit(X);
  options.weights_init = start.weights();
  options.means_init = start.means();
  options.precisions_init = start.precisions();
  options.max_iter = 100;
  return options;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// 1. Sizes from a header

TEST_CASE("hostile 1: from_buffer refuses headers whose sizes overflow, before any arithmetic",
          "[hostile][sufficient_statistics]") {
  std::vector<double> buffer(64, 0.0);
  // Counts that are each allowed (<= 1e9) but whose products overflow Index, for every type,
  // and counts that claim more than the buffer holds without overflowing.
  const double counts[][2] = {{1e9, 1e9}, {1e9, 1}, {1, 1e9}, {3e6, 3e6}, {2, 3}, {1e9, 2}};
  for (const CovarianceType type : kTypes) {
    for (const auto& kd : counts) {
      buffer[0] = double(static_cast<int>(type));
      buffer[1] = kd[0];
      buffer[2] = kd[1];
      const std::string message = message_of<emgmm::InvalidArgument>(
          [&] { SufficientStatistics::from_buffer(buffer.data(), buffer.size()); });
      CHECK(contains(message, "SufficientStatistics::from_buffer"));
      CHECK(contains(message, "the buffer holds 64 doubles"));
    }
  }
  // A buffer to_buffer() wrote still reads back.
  SufficientStatistics stats(CovarianceType::full, 2, 3);
  stats.reference = Eigen::MatrixXd::Constant(2, 3, 0.5);
  const std::vector<double> written = stats.to_buffer();
  CHECK(SufficientStatistics::from_buffer(written.data(), written.size()).reference ==
        stats.reference);
}

TEST_CASE("hostile 1: counts that cannot exist are refused by the constructor and buffer_size",
          "[hostile][sufficient_statistics]") {
  const Index huge = Index(1) << 40;
  for (const CovarianceType type : kTypes) {
    CHECK_THROWS_AS(SufficientStatistics(type, -1, 2), emgmm::InvalidArgument);
    CHECK_THROWS_AS(SufficientStatistics(type, 2, -1), emgmm::InvalidArgument);
    CHECK_THROWS_AS(SufficientStatistics(type, huge, huge), emgmm::InvalidArgument);
    CHECK_THROWS_AS(SufficientStatistics::buffer_size(type, huge, huge), emgmm::InvalidArgument);
    CHECK_THROWS_AS(SufficientStatistics::buffer_size(type, std::numeric_limits<Index>::max(), 2),
                    emgmm::InvalidArgument);
    CHECK(SufficientStatistics::buffer_size(type, 3, 2) > 0);
  }
  CHECK_THROWS_AS(SufficientStatistics(static_cast<CovarianceType>(7), 2, 2),
                  emgmm::InvalidArgument);
}

// ---------------------------------------------------------------------------------------------
// 2. Statistics of the wrong shape

TEST_CASE("hostile 2: statistics with members of inconsistent shapes are refused by every method",
          "[hostile][sufficient_statistics]") {
  const Eigen::MatrixXd X = blob_data(200, 2);
  auto options = mixture_options<emgmm::GaussianMixtureOptions<>>(3, CovarianceType::full, 1);
  for (const CovarianceType type : kTypes) {
    options.covariance_type = type;
    emgmm::GaussianMixture<> model(options);
    model.fit(X);
    const SufficientStatistics good = model.expectation(X);
    CHECK(good.is_consistent());
    const std::vector<std::function<void(SufficientStatistics&)>> breakages = {
        [](SufficientStatistics& s) { s.resp_sum.conservativeResize(2); },
        [](SufficientStatistics& s) { s.resp_diff_sum.conservativeResize(2, Eigen::NoChange); },
        [](SufficientStatistics& s) {
          s.scatter.conservativeResize(s.scatter.rows() - 1, Eigen::NoChange);
        },
        [](SufficientStatistics& s) { s.scatter.conservativeResize(Eigen::NoChange, 1); },
        [](SufficientStatistics& s) { s.reference.conservativeResize(2, Eigen::NoChange); },
        [](SufficientStatistics& s) { s.covariance_type = static_cast<CovarianceType>(9); },
    };
    for (const auto& breakage : breakages) {
      SufficientStatistics bad = good;
      breakage(bad);
      CHECK_FALSE(bad.is_consistent());
      const std::string before = saved(model);
      CHECK_THROWS_AS(model.maximization(bad), emgmm::InvalidArgument);
      CHECK(saved(model) == before);
      CHECK_THROWS_AS(bad.to_buffer(), emgmm::InvalidArgument);
      CHECK_THROWS_AS(bad *= 0.5, emgmm::InvalidArgument);
      SufficientStatistics sum = good;
      CHECK_THROWS_AS(sum += bad, emgmm::InvalidArgument);
      CHECK_THROWS_AS(bad += good, emgmm::InvalidArgument);
      CHECK_THROWS_AS(bad.recenter(good.reference), emgmm::InvalidArgument);
    }
  }
}

TEST_CASE("hostile 2: what a statistics_reducer leaves is validated; the model stays as it was",
          "[hostile][sufficient_statistics]") {
  const Eigen::MatrixXd X = blob_data(300, 3);
  for (const CovarianceType type : kTypes) {
    emgmm::GaussianMixtureOptions<> options = shared_start(X, type);
    const std::vector<std::pair<const char*, std::function<void(SufficientStatistics&)>>> reducers =
        {
            {"components", [](SufficientStatistics& s) { s.resp_sum.conservativeResize(2); }},
            {"components",
             [](SufficientStatistics& s) {
               s.scatter.conservativeResize(s.scatter.rows() - 1, Eigen::NoChange);
             }},
            {"components",
             [](SufficientStatistics& s) {
               s = SufficientStatistics(s.covariance_type, 2, s.n_features());
             }},
            {"components",
             [](SufficientStatistics& s) {
               s = SufficientStatistics(s.covariance_type == CovarianceType::full
                                            ? CovarianceType::diag
                                            : CovarianceType::full,
                                        s.n_components(), s.n_features());
             }},
            {"reference means", [](SufficientStatistics& s) { s.reference.array() += 1.0; }},
            {"reference means", [](SufficientStatistics& s) { s.reference.resize(0, 0); }},
            {"n_samples", [](SufficientStatistics& s) { s.n_samples = 0.0; }},
            {"n_samples", [](SufficientStatistics& s) { s.log_likelihood = std::nan(""); }},
            {"n_samples",
             [](SufficientStatistics& s) {
               s.scatter(0, 0) = std::numeric_limits<double>::infinity();
             }},
            {"n_samples", [](SufficientStatistics& s) { s.resp_sum(1) = -1.0; }},
        };
    options.warm_start = true;  // each fit below continues from this one (the saved options too)
    emgmm::GaussianMixture<> fitted(options);
    fitted.fit(X);
    const std::string before = saved(fitted);
    for (const auto& reducer : reducers) {
      options.statistics_reducer = reducer.second;
      fitted.set_params(options);
      const std::string message = message_of<emgmm::InvalidArgument>([&] { fitted.fit(X); });
      CHECK(contains(message, "GaussianMixture::fit: statistics_reducer"));
      CHECK(contains(message, reducer.first));
      CHECK(saved(fitted) == before);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 3. One validity gate

TEST_CASE("hostile 3: maximization of extreme but finite statistics throws, the model unchanged",
          "[hostile][sufficient_statistics]") {
  const Eigen::MatrixXd X = blob_data(200, 4);
  for (const CovarianceType type : kTypes) {
    auto options = mixture_options<emgmm::GaussianMixtureOptions<>>(3, type, 2);
    emgmm::GaussianMixture<> model(options);
    model.fit(X);
    const std::string before = saved(model);
    const SufficientStatistics good = model.expectation(X);
    const std::vector<std::function<void(SufficientStatistics&)>> extremes = {
        [](SufficientStatistics& s) {
          s.resp_diff_sum.setConstant(1e300);
          s.resp_sum.setConstant(1e-300);
        },
        [](SufficientStatistics& s) {
          s.resp_diff_sum.row(0).setConstant(1e300);
          s.resp_sum(0) = 1.0;
        },
        [](SufficientStatistics& s) {
          s.resp_diff_sum.row(0).setConstant(1e300);
          s.resp_diff_sum.row(1).setConstant(-1e300);
        },
        [](SufficientStatistics& s) { s.scatter.setConstant(1e308); },
        [](SufficientStatistics& s) {
          s.reference.row(0).setConstant(1e308);
          s.reference.row(1).setConstant(-1e308);
        },
        // Finite sums whose mean per unit weight overflows (found by the fuzzer: the model
        // took lower_bound -inf and could not be loaded back).
        [](SufficientStatistics& s) {
          s.log_likelihood = -1.7e308;
          s.n_samples = 0.05;
        },
        [](SufficientStatistics& s) {
          s.log_likelihood = 1e300;
          s.n_samples = 1e-300;
        },
        [](SufficientStatistics& s) {
          s.scatter.setConstant(1e300);
          s.n_samples = 1e-100;
        },
    };
    for (const auto& extreme : extremes) {
      SufficientStatistics stats = good;
      extreme(stats);
      // From a buffer, as another process would send them.
      const std::vector<double> buffer = stats.to_buffer();
      const SufficientStatistics received =
          SufficientStatistics::from_buffer(buffer.data(), buffer.size());
      try {
        model.maximization(received);
        // Accepted statistics must give a usable model.
        CHECK(model.means().allFinite());
        CHECK(model.covariances().allFinite());
        CHECK(model.precisions().allFinite());
        CHECK(model.predict_proba(X).allFinite());
        CHECK(std::isfinite(model.lower_bound()));
        std::istringstream again(saved(model));
        CHECK(saved(emgmm::GaussianMixture<>::load(again)) == saved(model));
        std::istringstream in(before);
        model = emgmm::GaussianMixture<>::load(in);
      } catch (const emgmm::Error&) {
        CHECK(saved(model) == before);
      }
    }
  }
}

namespace {

/// Every saved model with one number replaced by an extreme value either fails to load with
/// FormatError or loads into a model whose queries are finite.
template <typename Model>
void check_extreme_edits(const Model& model, const Eigen::MatrixXd& X) {
  using Scalar = typename std::decay_t<decltype(model.means())>::Scalar;
  const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> Xs = X.cast<Scalar>();
  std::vector<std::string> lines;
  {
    std::istringstream in(saved(model));
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  const char* values[] = {"1e308", "-1e308", "1.7e308", "1e300", "-1e300",
                          "3e38",  "-3e38",  "1e-300",  "1e-45"};
  Index loaded = 0, refused = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::vector<std::string> tokens;
    std::istringstream line(lines[i]);
    for (std::string token; line >> token;) tokens.push_back(token);
    for (std::size_t j = 0; j < tokens.size(); ++j) {
      if (!(tokens[j][0] == '-' || (tokens[j][0] >= '0' && tokens[j][0] <= '9'))) continue;
      for (const char* value : values) {
        std::string text;
        for (std::size_t l = 0; l < lines.size(); ++l) {
          if (l != i) {
            text += lines[l] + "\n";
            continue;
          }
          for (std::size_t t = 0; t < tokens.size(); ++t)
            text += (t ? " " : "") + (t == j ? std::string(value) : tokens[t]);
          text += "\n";
        }
        std::istringstream in(text);
        try {
          const Model edited = Model::load(in);
          ++loaded;
          INFO("line " << i << " token " << j << " = " << value);
          CHECK(edited.means().allFinite());
          CHECK(edited.precisions().allFinite());
          CHECK(edited.predict_proba(Xs).allFinite());
          CHECK(edited.score_samples(Xs).allFinite());
        } catch (const emgmm::FormatError&) {
          ++refused;
        }
      }
    }
  }
  CHECK(refused > 0);
  CHECK(loaded + refused > 100);
}

}  // namespace

TEST_CASE(
    "hostile 3: a saved mixture edited to extreme numbers loads into a usable model or not at all",
    "[hostile][serialization]") {
  const Eigen::MatrixXd X = blob_data(150, 5);
  for (const CovarianceType type : kTypes) {
    auto options = mixture_options<emgmm::GaussianMixtureOptions<>>(2, type, 3);
    emgmm::GaussianMixture<> model(options);
    model.fit(X);
    check_extreme_edits(model, X);
    auto float_options = mixture_options<emgmm::GaussianMixtureOptions<float>>(2, type, 3);
    emgmm::GaussianMixture<float> float_model(float_options);
    float_model.fit(X.cast<float>());
    check_extreme_edits(float_model, X);
    auto bayesian_options = mixture_options<emgmm::BayesianGaussianMixtureOptions<>>(2, type, 3);
    emgmm::BayesianGaussianMixture<> bayesian(bayesian_options);
    bayesian.fit(X);
    check_extreme_edits(bayesian, X);
  }
}

TEST_CASE("hostile 3: means so far apart that distances overflow are refused at load",
          "[hostile][serialization]") {
  const Eigen::MatrixXd X = blob_data(150, 6);
  auto options = mixture_options<emgmm::GaussianMixtureOptions<>>(2, CovarianceType::full, 3);
  emgmm::GaussianMixture<> model(options);
  model.fit(X);
  std::string text = saved(model);
  const std::size_t at = text.find("\nmeans 2 2\n") + 11;
  const std::size_t line_end = text.find('\n', at);
  const std::size_t second_end = text.find('\n', line_end + 1);
  text.replace(at, second_end - at, "1e308 0\n-1e308 0");
  std::istringstream in(text);
  const std::string message =
      message_of<emgmm::FormatError>([&] { emgmm::GaussianMixture<>::load(in); });
  CHECK(contains(message, "not a valid model"));
  CHECK(contains(message, "the means span"));

  // KMeans: the same for its centers.
  emgmm::KMeansOptions<> kmeans_options;
  kmeans_options.n_clusters = 2;
  kmeans_options.random_state = 1;
  emgmm::KMeans<> kmeans(kmeans_options);
  kmeans.fit(X);
  std::string kmeans_text = saved(kmeans);
  const std::size_t centers = kmeans_text.find("\ncluster_centers 2 2\n") + 21;
  const std::size_t centers_end = kmeans_text.find('\n', kmeans_text.find('\n', centers) + 1);
  kmeans_text.replace(centers, centers_end - centers, "1e308 0\n-1e308 0");
  std::istringstream kmeans_in(kmeans_text);
  CHECK(contains(message_of<emgmm::FormatError>([&] { emgmm::KMeans<>::load(kmeans_in); }),
                 "the centers span"));
}

TEST_CASE("hostile 3: means_init beyond the data's range is refused at fit", "[hostile][errors]") {
  const Eigen::MatrixXd X = blob_data(150, 7);
  emgmm::GaussianMixtureOptions<> options;
  options.n_components = 2;
  options.means_init = Eigen::MatrixXd(2, 2);
  *options.means_init << 1e308, 0, -1e308, 0;
  emgmm::GaussianMixture<> model(options);
  CHECK(contains(message_of<emgmm::InvalidArgument>([&] { model.fit(X); }), "means_init"));
  CHECK_FALSE(model.is_fitted());
}

TEST_CASE("hostile 3: a query so far from the means that x - mean overflows gets log p = -inf",
          "[hostile]") {
  // Data at the bottom of double's range, a query point at the top: x - mean is beyond the
  // largest double. Found by the fuzzer: the full and tied E-step multiplied that inf by the
  // factor's zeros and gave NaN probabilities.
  Eigen::MatrixXd X(40, 2);
  for (Index i = 0; i < X.rows(); ++i) {
    X(i, 0) = -1.7e308;
    X(i, 1) = double(i % 7);
  }
  Eigen::MatrixXd Q(2, 2);
  Q << 1.7e308, 1.0, -1.7e308, 3.0;
  for (const CovarianceType type : kTypes) {
    auto options = mixture_options<emgmm::GaussianMixtureOptions<>>(2, type, 4);
    emgmm::GaussianMixture<> model(options);
    model.fit(X);
    const Eigen::MatrixXd proba = model.predict_proba(Q);
    CHECK(proba.allFinite());
    CHECK((proba.rowwise().sum().array() - 1.0).abs().maxCoeff() < 1e-12);
    const Eigen::VectorXd log_prob = model.score_samples(Q);
    CHECK(log_prob(0) == -std::numeric_limits<double>::infinity());
    CHECK(std::isfinite(log_prob(1)));
    auto bayesian_options = mixture_options<emgmm::BayesianGaussianMixtureOptions<>>(2, type, 4);
    emgmm::BayesianGaussianMixture<> bayesian(bayesian_options);
    bayesian.fit(X);
    CHECK(bayesian.predict_proba(Q).allFinite());
    CHECK(bayesian.score_samples(Q)(0) == -std::numeric_limits<double>::infinity());

    // The same with missing values: the marginal quadratic forms overflowed to inf - inf, and
    // std::max(0, NaN) made the far point the best explained one (log p = log_constant).
    const double nan = std::numeric_limits<double>::quiet_NaN();
    Eigen::MatrixXd holes(X.rows(), 3);
    holes << X, X.col(1).reverse();
    holes(3, 1) = nan;
    holes(5, 2) = nan;
    Eigen::MatrixXd far(3, 3);
    far << 1.7e308, 1.0, nan, 1.7e308, nan, nan, -1.7e308, nan, 2.0;
    options.missing_values = emgmm::MissingValues::marginalize;
    emgmm::GaussianMixture<> marginal(options);
    marginal.fit(holes);
    const Eigen::MatrixXd far_proba = marginal.predict_proba(far);
    CHECK(far_proba.allFinite());
    const Eigen::VectorXd far_log_prob = marginal.score_samples(far);
    CHECK(far_log_prob(0) == -std::numeric_limits<double>::infinity());
    CHECK(far_log_prob(1) == -std::numeric_limits<double>::infinity());
    CHECK(std::isfinite(far_log_prob(2)));
    const std::string far_message =
        message_of<emgmm::NumericalError>([&] { marginal.impute(far); });
    CHECK(contains(far_message, "GaussianMixture::impute: row "));
    CHECK(contains(far_message, " lies so far from every component"));
    CHECK(
        contains(message_of<emgmm::NumericalError>([&] { marginal.impute(far.middleRows(1, 1)); }),
                 "GaussianMixture::impute: row 0 lies so far from every component"));
    CHECK(marginal.impute(far.bottomRows(1)).allFinite());
  }
}

// ---------------------------------------------------------------------------------------------
// 4. The weights' scale

namespace {

template <typename Scalar>
void check_same_fit(const emgmm::GaussianMixture<Scalar>& a,
                    const emgmm::GaussianMixture<Scalar>& b, double tolerance) {
  CHECK(a.n_iter() == b.n_iter());
  CHECK((a.weights() - b.weights()).cwiseAbs().maxCoeff() <= tolerance);
  CHECK((a.means() - b.means()).cwiseAbs().maxCoeff() <= tolerance * 10.0);
  CHECK((a.covariances() - b.covariances()).cwiseAbs().maxCoeff() <= tolerance * 10.0);
  CHECK(std::abs(a.lower_bound() - b.lower_bound()) <= tolerance * 10.0);
}

}  // namespace

TEST_CASE("hostile 4: a common factor of the weights changes nothing, at any scale double holds",
          "[hostile][sample_weight]") {
  const Eigen::MatrixXd X = blob_data(300, 8);
  Eigen::VectorXd weights(X.rows());
  for (Index i = 0; i < X.rows(); ++i) weights(i) = 0.5 + double(i % 7);
  for (const CovarianceType type : kTypes) {
    auto options = mixture_options<emgmm::GaussianMixtureOptions<>>(3, type, 4);
    options.tol = 1e-10;
    emgmm::GaussianMixture<> reference(options);
    reference.fit(X, weights);
    emgmm::GaussianMixture<> all_equal(options), unweighted(options);
    all_equal.fit(X, Eigen::VectorXd::Constant(X.rows(), 3.0));
    unweighted.fit(X);
    // Equal weights are divided exactly to ones: the unweighted fit, bit for bit.
    CHECK(saved(all_equal) == saved(unweighted));
    for (const double factor : {1e-300, 1e-30, 1e-5, 3.0, 1e30, 1e250, 1e300}) {
      INFO("factor " << factor);
      emgmm::GaussianMixture<> scaled(options);
      scaled.fit(X, (weights * factor).eval());
      // Dividing by the largest weight rounds each ratio once (1 ulp).
      check_same_fit(scaled, reference, 1e-12);
      emgmm::GaussianMixture<> constant(options);
      constant.fit(X, Eigen::VectorXd::Constant(X.rows(), factor));
      CHECK(saved(constant) == saved(unweighted));
    }
    // Weights whose sum overflows double fit too: only their ratios matter.
    emgmm::GaussianMixture<> largest(options);
    largest.fit(X, Eigen::VectorXd::Constant(X.rows(), std::numeric_limits<double>::max()));
    CHECK(saved(largest) == saved(unweighted));
  }
  // float: sklearn's 10 eps floor on the responsibility sums is 1.2e-6 in float, as large as
  // the sums of weights 1e-6 were before they were normalized.
  auto float_options =
      mixture_options<emgmm::GaussianMixtureOptions<float>>(3, CovarianceType::full, 4);
  const Eigen::MatrixXf Xf = X.cast<float>();
  emgmm::GaussianMixture<float> float_reference(float_options);
  float_reference.fit(Xf, weights);
  for (const double factor : {1e-6, 1e-30, 1e30}) {
    INFO("float, factor " << factor);
    emgmm::GaussianMixture<float> scaled(float_options);
    scaled.fit(Xf, (weights * factor).eval());
    check_same_fit(scaled, float_reference, 1e-4);
  }
}

TEST_CASE("hostile 4: partial_fit and KMeans do not depend on the weights' scale either",
          "[hostile][sample_weight]") {
  const Eigen::MatrixXd X = blob_data(300, 9);
  // Not integers: integer weights are counts, whose start is drawn as from repeated rows, which
  // weights times 1e-300 cannot be (test_sample_weight.cpp holds counts to that).
  Eigen::VectorXd weights(X.rows());
  for (Index i = 0; i < X.rows(); ++i) weights(i) = 0.5 + double(i % 5);
  auto options = mixture_options<emgmm::GaussianMixtureOptions<>>(3, CovarianceType::full, 6);
  emgmm::GaussianMixture<> reference(options);
  reference.partial_fit(X.topRows(150), weights.head(150))
      .partial_fit(X.bottomRows(150), weights.tail(150));
  for (const double factor : {1e-300, 1e250}) {
    emgmm::GaussianMixture<> scaled(options);
    scaled.partial_fit(X.topRows(150), (weights.head(150) * factor).eval())
        .partial_fit(X.bottomRows(150), (weights.tail(150) * factor).eval());
    check_same_fit(scaled, reference, 1e-12);
  }

  emgmm::KMeansOptions<> kmeans_options;
  kmeans_options.n_clusters = 3;
  kmeans_options.random_state = 6;
  emgmm::KMeans<> kmeans_reference(kmeans_options);
  kmeans_reference.fit(X, weights);
  emgmm::KMeans<> kmeans_unweighted(kmeans_options), kmeans_largest(kmeans_options);
  kmeans_unweighted.fit(X);
  kmeans_largest.fit(X, Eigen::VectorXd::Constant(X.rows(), std::numeric_limits<double>::max()));
  CHECK(kmeans_largest.labels() == kmeans_unweighted.labels());
  CHECK(kmeans_largest.cluster_centers() == kmeans_unweighted.cluster_centers());
  CHECK(kmeans_largest.inertia() == std::numeric_limits<double>::infinity());
  for (const double factor : {1e-300, 1e-30, 1e30, 1e300}) {
    INFO("factor " << factor);
    emgmm::KMeans<> scaled(kmeans_options);
    scaled.fit(X, (weights * factor).eval());
    CHECK(scaled.labels() == kmeans_reference.labels());
    CHECK((scaled.cluster_centers() - kmeans_reference.cluster_centers()).cwiseAbs().maxCoeff() <=
          1e-12);
    // The inertia is a weighted sum: it scales with the weights (and overflows as sklearn's).
    if (std::isfinite(kmeans_reference.inertia() * factor)) {
      CHECK(scaled.inertia() == Approx(kmeans_reference.inertia() * factor).epsilon(1e-12));
    } else {
      CHECK(scaled.inertia() == std::numeric_limits<double>::infinity());
    }
  }
  // A positive weight that cannot be represented beside the largest is refused by name.
  Eigen::VectorXd extreme = weights;
  extreme(0) = 1e300;
  extreme(1) = 1e-30;
  emgmm::GaussianMixture<> model(options);
  CHECK(contains(message_of<emgmm::InvalidArgument>([&] { model.fit(X, extreme); }),
                 "sample_weight(1) = 1e-30"));
}

TEST_CASE("hostile 4: a mean_prior beyond the data's range is refused at fit",
          "[hostile][bayesian_gaussian_mixture]") {
  const Eigen::MatrixXd X = blob_data(150, 13);
  emgmm::BayesianGaussianMixtureOptions<> options;
  options.n_components = 2;
  options.mean_prior = Eigen::RowVectorXd::Constant(2, 1e300);
  emgmm::BayesianGaussianMixture<> model(options);
  CHECK(contains(message_of<emgmm::InvalidArgument>([&] { model.fit(X); }), "mean_prior"));
  CHECK_FALSE(model.is_fitted());
}

TEST_CASE(
    "hostile 4: BayesianGaussianMixture's weights count points: large scales fit, tiny ones are "
    "named",
    "[hostile][sample_weight][bayesian_gaussian_mixture]") {
  const Eigen::MatrixXd X = blob_data(300, 10);
  for (const CovarianceType type : kTypes) {
    auto options = mixture_options<emgmm::BayesianGaussianMixtureOptions<>>(3, type, 7);
    emgmm::BayesianGaussianMixture<> heavy(options);
    heavy.fit(X, Eigen::VectorXd::Constant(X.rows(), 1e250));
    CHECK(heavy.weights().allFinite());
    CHECK(heavy.covariances().allFinite());
    CHECK(heavy.predict_proba(X).allFinite());
    // With so much data the prior is negligible: the maximum-likelihood mixture's weights.
    CHECK((heavy.weights().array() > 0.1).all());
    emgmm::BayesianGaussianMixture<> light(options);
    const std::string message = message_of<emgmm::InvalidArgument>(
        [&] { light.fit(X, Eigen::VectorXd::Constant(X.rows(), 1e-300)); });
    CHECK(contains(message, "sum(sample_weight) - 1"));
    CHECK_FALSE(light.is_fitted());
  }
}

// ---------------------------------------------------------------------------------------------
// 5. partial_fit on a chunk of weight 0

TEST_CASE("hostile 5: partial_fit on a chunk of total weight 0 changes nothing",
          "[hostile][partial_fit]") {
  const Eigen::MatrixXd X = blob_data(300, 11);
  for (const CovarianceType type : kTypes) {
    auto options = mixture_options<emgmm::GaussianMixtureOptions<>>(3, type, 8);
    emgmm::GaussianMixture<> model(options);
    model.fit(X);
    const std::string before = saved(model);
    model.partial_fit(X.topRows(40), Eigen::VectorXd::Zero(40));
    CHECK(saved(model) == before);
    model.partial_fit(X.topRows(2), Eigen::VectorXd::Zero(2));  // fewer rows than components
    CHECK(saved(model) == before);
    // An unfitted model initializes from the chunk: it needs n_components points of weight > 0,
    // and the message states the model's real n_components.
    emgmm::GaussianMixture<> fresh(options);
    const std::string message = message_of<emgmm::InvalidArgument>(
        [&] { fresh.partial_fit(X.topRows(40), Eigen::VectorXd::Zero(40)); });
    CHECK(contains(message, "n_components = 3"));
    CHECK_FALSE(fresh.is_fitted());
  }
}

// ---------------------------------------------------------------------------------------------
// 6. load(path) of what is not a readable file

TEST_CASE("hostile 6: load of a directory is an IOError naming the path",
          "[hostile][serialization]") {
  const std::string directory = EMGMM_TEST_DATA_DIR;
  const auto check = [&](const std::function<void()>& load) {
    const std::string message = message_of<emgmm::IOError>(load);
    CHECK(contains(message, directory));
    CHECK(contains(message, "reading failed"));
  };
  check([&] { emgmm::GaussianMixture<>::load(directory); });
  check([&] { emgmm::GaussianMixture<float, 2>::load(directory); });
  check([&] { emgmm::BayesianGaussianMixture<>::load(directory); });
  check([&] { emgmm::KMeans<>::load(directory); });
  // A path that does not exist is IOError too, and an error of every kind is an emgmm::Error.
  CHECK_THROWS_AS(emgmm::KMeans<>::load(directory + "/no such file"), emgmm::IOError);
  CHECK_THROWS_AS(emgmm::GaussianMixture<>::load(directory), emgmm::Error);
}

// ---------------------------------------------------------------------------------------------
// 7. What a float fit produces loads back

TEMPLATE_TEST_CASE("hostile 7: BayesianGaussianMixture fitted on tiny or denormal data loads back",
                   "[hostile][serialization][bayesian_gaussian_mixture]", float, double) {
  using Scalar = TestType;
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const Eigen::MatrixXd X = blob_data(300, 12);
  const double denormal = double(std::numeric_limits<Scalar>::denorm_min()) * 1e3;
  for (const double scale : {1e-7, 1e-20, 1e-35, denormal, 1e-300}) {
    const Matrix Xs = (X * scale).cast<Scalar>();
    for (const CovarianceType type : kTypes) {
      INFO("scale " << scale << ", " << emgmm::to_string(type));
      auto options = mixture_options<emgmm::BayesianGaussianMixtureOptions<Scalar>>(3, type, 9);
      emgmm::BayesianGaussianMixture<Scalar> model(options);
      try {
        model.fit(Xs);
      } catch (const emgmm::Error&) {
        // Data too small for the Scalar may be refused, with a typed error; not our concern here.
        continue;
      }
      const std::string text = saved(model);
      std::istringstream in(text);
      const auto loaded = emgmm::BayesianGaussianMixture<Scalar>::load(in);
      CHECK(saved(loaded) == text);
    }
  }
}
