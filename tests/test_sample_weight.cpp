// Sample weights (fit(X, sample_weight) and fit_predict(X, sample_weight) of GaussianMixture and
// KMeans). What a weight means is checked against what it stands for:
//   - integer weights give the model that repeating each row that many times gives (the same
//     k-means++ draws, the same Lloyd and EM iterations; only the order of additions differs);
//   - weight 0 is the same as dropping the row;
//   - multiplying every weight by one factor changes nothing but KMeans' inertia;
//   - unit weights give the unweighted fit.
// and every invalid weight vector throws InvalidArgument naming sample_weight, leaving a fitted
// model as it was.

#include <algorithm>
#include <cmath>
#include <cstdint>
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
using emgmm::InitParams;

// Tolerances: the weighted and the repeated fits add the same terms in different orders, so
// they differ by rounding (~1e-16 relative per operation) carried through a few dozen
// iterations. 1e-9 leaves room for that and would still catch any real difference.
constexpr double kRelative = 1e-9;

/// Integer weights 0..4, about a fifth of them 0, from a seed.
Eigen::VectorXd integer_weights(Index n, std::uint64_t seed) {
  emgmm_test::NormalSource source(seed);
  Eigen::VectorXd weights(n);
  for (Index i = 0; i < n; ++i) weights(i) = static_cast<double>(source.index(5));
  weights(0) = 2.0;  // never all zero
  return weights;
}

/// Each row of X repeated weight(i) times (rows of weight 0 dropped), in order.
Eigen::MatrixXd repeat_rows(const Eigen::MatrixXd& X, const Eigen::VectorXd& weights) {
  const auto total = static_cast<Index>(weights.sum());
  Eigen::MatrixXd repeated(total, X.cols());
  Index row = 0;
  for (Index i = 0; i < X.rows(); ++i) {
    for (int copy = 0; copy < static_cast<int>(weights(i)); ++copy) repeated.row(row++) = X.row(i);
  }
  return repeated;
}

/// max |a - b| / max(1, max |b|): a relative difference that a zero entry cannot blow up.
double relative_difference(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  REQUIRE(a.rows() == b.rows());
  REQUIRE(a.cols() == b.cols());
  return (a - b).cwiseAbs().maxCoeff() / std::max(1.0, b.cwiseAbs().maxCoeff());
}

/// Overlapping 2-D blobs (means about 4.7 apart), so that EM runs a good number of iterations.
Eigen::MatrixXd blob_data(Index n, std::uint64_t seed) {
  return emgmm_test::draw(emgmm_test::three_blobs(2, CovarianceType::full, 0.25), n, seed).X;
}

template <typename Model>
void check_same_mixture(const Model& weighted, const Model& reference) {
  CHECK(weighted.n_iter() == reference.n_iter());
  CHECK(weighted.converged() == reference.converged());
  CHECK(relative_difference(weighted.weights().template cast<double>(),
                            reference.weights().template cast<double>()) < kRelative);
  CHECK(relative_difference(weighted.means().template cast<double>(),
                            reference.means().template cast<double>()) < kRelative);
  CHECK(relative_difference(weighted.covariances().template cast<double>(),
                            reference.covariances().template cast<double>()) < kRelative);
  CHECK(weighted.lower_bound() == Approx(reference.lower_bound()).epsilon(kRelative));
}

/// A fitted GaussianMixture's components in the order of their means (lexicographic), and
/// each component's position in that order: two fits of one mixture compared whatever order
/// their components came out in.
struct InMeanOrder {
  Eigen::MatrixXd weights, means, covariances;
  std::vector<int> position;  // position[k]: where component k stands in the order
};

InMeanOrder in_mean_order(const emgmm::GaussianMixture<>& model) {
  const Eigen::MatrixXd means = model.means();
  const Eigen::MatrixXd covariances = model.covariances();
  const Index K = means.rows();
  const Index D = means.cols();
  std::vector<Index> order(static_cast<std::size_t>(K));
  for (Index k = 0; k < K; ++k) order[static_cast<std::size_t>(k)] = k;
  std::sort(order.begin(), order.end(), [&](Index a, Index b) {
    for (Index d = 0; d < D; ++d) {
      if (means(a, d) != means(b, d)) return means(a, d) < means(b, d);
    }
    return a < b;
  });
  // Rows of one component's covariance block; tied's one block is shared and stays as it is.
  const CovarianceType type = model.get_params().covariance_type;
  const Index block = type == CovarianceType::full ? D : type == CovarianceType::tied ? 0 : 1;
  InMeanOrder result{Eigen::MatrixXd(K, 1), Eigen::MatrixXd(K, D), covariances,
                     std::vector<int>(static_cast<std::size_t>(K))};
  for (Index j = 0; j < K; ++j) {
    const Index k = order[static_cast<std::size_t>(j)];
    result.position[static_cast<std::size_t>(k)] = static_cast<int>(j);
    result.weights(j, 0) = double(model.weights()(k));
    result.means.row(j) = means.row(k);
    if (block > 0)
      result.covariances.middleRows(j * block, block) = covariances.middleRows(k * block, block);
  }
  return result;
}

}  // namespace

TEST_CASE("GaussianMixture: integer sample weights fit the model of the repeated rows",
          "[sample_weight]") {
  const CovarianceType type = GENERATE(CovarianceType::full, CovarianceType::tied,
                                       CovarianceType::diag, CovarianceType::spherical);
  const InitParams init = GENERATE(InitParams::kmeans, InitParams::k_means_plus_plus);
  CAPTURE(emgmm::to_string(type), static_cast<int>(init));
  const Eigen::MatrixXd X = blob_data(300, 11);
  const Eigen::VectorXd weights = integer_weights(X.rows(), 12);
  const Eigen::MatrixXd repeated = repeat_rows(X, weights);
  REQUIRE(repeated.rows() > X.rows());  // the test means something

  emgmm::GaussianMixtureOptions<> options;
  options.n_components = 3;
  options.covariance_type = type;
  options.init_params = init;
  options.n_init = 2;
  options.tol = 1e-8;
  options.random_state = 5;
  emgmm::GaussianMixture<> weighted(options), reference(options);
  const Eigen::VectorXi labels = weighted.fit_predict(X, weights);
  reference.fit(repeated);
  // Compared in the order of their means: when both initializations (n_init = 2) reach the
  // same optimum with the components numbered differently, which one is kept is decided by the
  // last bits of their lower bounds, and the two fits sum their terms in different orders.
  CHECK(weighted.n_iter() == reference.n_iter());
  CHECK(weighted.converged() == reference.converged());
  CHECK(weighted.lower_bound() == Approx(reference.lower_bound()).epsilon(kRelative));
  const InMeanOrder a = in_mean_order(weighted), b = in_mean_order(reference);
  CHECK(relative_difference(a.weights, b.weights) < kRelative);
  CHECK(relative_difference(a.means, b.means) < kRelative);
  CHECK(relative_difference(a.covariances, b.covariances) < kRelative);
  const Eigen::VectorXi reference_labels = reference.predict(X);
  bool same_labels = true;
  for (Index i = 0; i < X.rows(); ++i) {
    same_labels = same_labels && a.position[static_cast<std::size_t>(labels(i))] ==
                                     b.position[static_cast<std::size_t>(reference_labels(i))];
  }
  CHECK(same_labels);
  CHECK(weighted.n_iter() > 3);  // EM really ran
}

TEST_CASE("GaussianMixture: weight 0 drops the row", "[sample_weight]") {
  const CovarianceType type = GENERATE(CovarianceType::full, CovarianceType::diag);
  CAPTURE(emgmm::to_string(type));
  const Eigen::MatrixXd X = blob_data(240, 21);
  Eigen::VectorXd weights = Eigen::VectorXd::Ones(X.rows());
  for (Index i = 0; i < X.rows(); i += 3) weights(i) = 0.0;
  Eigen::MatrixXd kept(X.rows() - (X.rows() + 2) / 3, X.cols());
  for (Index i = 0, row = 0; i < X.rows(); ++i) {
    if (weights(i) != 0.0) kept.row(row++) = X.row(i);
  }

  emgmm::GaussianMixtureOptions<double, 2> options;
  options.n_components = 3;
  options.covariance_type = type;
  options.random_state = 7;
  options.tol = 1e-8;
  emgmm::GaussianMixture<double, 2> weighted(options), reference(options);
  weighted.fit(X, weights);
  reference.fit(kept);
  check_same_mixture(weighted, reference);
}

TEST_CASE("GaussianMixture: unit weights give the unweighted fit; a common factor changes nothing",
          "[sample_weight]") {
  const Eigen::MatrixXd X = blob_data(300, 31);
  emgmm::GaussianMixtureOptions<> options;
  options.n_components = 3;
  options.random_state = 3;
  options.tol = 1e-8;
  emgmm::GaussianMixture<> unweighted(options), unit(options);
  unweighted.fit(X);
  unit.fit(X, Eigen::VectorXd::Ones(X.rows()));
  check_same_mixture(unit, unweighted);

  // Non-integer weights draw the k-means++ start differently, so both fits start from the same
  // given parameters here: then only the ratios of the weights can matter.
  options.weights_init = unweighted.weights();
  options.means_init = unweighted.means() + Eigen::MatrixXd::Constant(3, 2, 0.3);
  options.precisions_init = unweighted.precisions();
  const Eigen::VectorXd weights = integer_weights(X.rows(), 32).array() + 0.25;
  emgmm::GaussianMixture<> once(options), scaled(options);
  once.fit(X, weights);
  scaled.fit(X, 7.5 * weights);
  check_same_mixture(scaled, once);
  // ...and the weights matter: the weighted model is not the unweighted one.
  emgmm::GaussianMixture<> plain(options);
  plain.fit(X);
  CHECK(relative_difference(once.means(), plain.means()) > 1e-4);
}

TEST_CASE("GaussianMixture<float>: integer weights match the repeated rows to float precision",
          "[sample_weight]") {
  const Eigen::MatrixXf X = blob_data(300, 41).cast<float>();
  const Eigen::VectorXd weights = integer_weights(X.rows(), 42);
  const Eigen::MatrixXf repeated = repeat_rows(X.cast<double>(), weights).cast<float>();
  emgmm::GaussianMixtureOptions<float> options;
  options.n_components = 3;
  options.random_state = 9;
  emgmm::GaussianMixture<float> weighted(options), reference(options);
  weighted.fit(X, weights.cast<float>());
  reference.fit(repeated);
  // float: the two orders of addition differ by float rounding (eps 1.2e-7), not double's.
  CHECK(relative_difference(weighted.means().cast<double>(), reference.means().cast<double>()) <
        1e-4);
  CHECK(relative_difference(weighted.covariances().cast<double>(),
                            reference.covariances().cast<double>()) < 1e-4);
  CHECK(weighted.predict(X) == reference.predict(X));
}

TEST_CASE("KMeans: integer sample weights cluster as the repeated rows", "[sample_weight]") {
  const int K = GENERATE(3, 12);  // 12 > kRecomputeNearestUpTo: k-means++ keeps its distances
  CAPTURE(K);
  const Eigen::MatrixXd X = blob_data(400, 51);
  const Eigen::VectorXd weights = integer_weights(X.rows(), 52);
  const Eigen::MatrixXd repeated = repeat_rows(X, weights);

  emgmm::KMeansOptions<> options;
  options.n_clusters = K;
  options.n_init = 3;
  options.random_state = 13;
  emgmm::KMeans<> weighted(options), reference(options);
  const Eigen::VectorXi labels = weighted.fit_predict(X, weights);
  reference.fit(repeated);
  CHECK(relative_difference(weighted.cluster_centers(), reference.cluster_centers()) < kRelative);
  CHECK(weighted.inertia() == Approx(reference.inertia()).epsilon(kRelative));
  CHECK(weighted.n_iter() == reference.n_iter());
  CHECK(labels == reference.predict(X));
  // The weighted inertia is the weighted score of the training data.
  CHECK(-weighted.score(X, weights) == Approx(weighted.inertia()).epsilon(1e-12));
}

TEST_CASE("KMeans: weight 0 drops the row, which still gets a label", "[sample_weight]") {
  const Eigen::MatrixXd X = blob_data(300, 61);
  Eigen::VectorXd weights = Eigen::VectorXd::Ones(X.rows());
  std::vector<Index> kept_rows;
  for (Index i = 0; i < X.rows(); ++i) {
    if (i % 4 == 1) {
      weights(i) = 0.0;
    } else {
      kept_rows.push_back(i);
    }
  }
  Eigen::MatrixXd kept(static_cast<Index>(kept_rows.size()), 2);
  for (std::size_t r = 0; r < kept_rows.size(); ++r)
    kept.row(static_cast<Index>(r)) = X.row(kept_rows[r]);

  emgmm::KMeansOptions<> options;
  options.n_clusters = 5;
  options.random_state = 17;
  emgmm::KMeans<> weighted(options), reference(options);
  weighted.fit(X, weights);
  reference.fit(kept);
  CHECK(relative_difference(weighted.cluster_centers(), reference.cluster_centers()) < kRelative);
  CHECK(weighted.inertia() == Approx(reference.inertia()).epsilon(kRelative));
  CHECK(weighted.n_iter() == reference.n_iter());
  REQUIRE(weighted.labels().size() == X.rows());
  CHECK(weighted.labels() == reference.predict(X));
}

TEST_CASE("KMeans: a point that holds most of the weight pulls its cluster's center",
          "[sample_weight]") {
  // Two points per cluster; the weighted center is the weighted mean, not the midpoint.
  Eigen::MatrixXd X(4, 1);
  X << 0.0, 1.0, 100.0, 104.0;
  emgmm::KMeansOptions<> options;
  options.n_clusters = 2;
  options.init_centers = Eigen::MatrixXd(Eigen::Vector2d(0.0, 100.0));
  emgmm::KMeans<> model(options);
  model.fit(X, Eigen::Vector4d(3.0, 1.0, 1.0, 3.0));
  CHECK(model.cluster_centers()(0, 0) == Approx(0.25));
  CHECK(model.cluster_centers()(1, 0) == Approx(103.0));
  CHECK(model.inertia() == Approx(3 * 0.0625 + 0.5625 + 9.0 + 3.0));
}

TEST_CASE("Random starts never draw a row of weight 0", "[sample_weight]") {
  const Eigen::MatrixXd X = blob_data(60, 71);
  Eigen::VectorXd weights = Eigen::VectorXd::Zero(X.rows());
  for (Index i = 0; i < X.rows(); i += 7) weights(i) = 1.0 + double(i);  // 9 positive rows
  const emgmm::detail::RowSource<double, Eigen::Dynamic> source(X, weights);
  int heavy_first = 0;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    emgmm::detail::Random random(seed);
    const std::vector<Index> rows = emgmm::detail::random_rows(source, 9, random);
    REQUIRE(rows.size() == 9);
    std::vector<Index> sorted = rows;
    std::sort(sorted.begin(), sorted.end());
    CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());  // distinct
    for (const Index row : rows) CHECK(weights(row) > 0.0);
    if (rows.front() == 56) ++heavy_first;  // weight 57 of 261: drawn first ~22% of the time
  }
  CHECK(heavy_first > 20);
  CHECK(heavy_first < 70);

  // GaussianMixture's random_from_data start and KMeans' random init use it.
  emgmm::GaussianMixtureOptions<> gmm_options;
  gmm_options.n_components = 9;
  gmm_options.init_params = InitParams::random_from_data;
  gmm_options.max_iter = 0;
  gmm_options.random_state = 1;
  emgmm::GaussianMixture<> gmm(gmm_options);
  gmm.fit(X, weights);
  for (Index k = 0; k < 9; ++k) {
    Index nearest = 0;
    (X.rowwise() - gmm.means().row(k)).rowwise().squaredNorm().minCoeff(&nearest);
    CHECK(weights(nearest) > 0.0);
  }
}

TEST_CASE("Invalid sample weights throw InvalidArgument naming sample_weight",
          "[sample_weight][errors]") {
  const Eigen::MatrixXd X = blob_data(30, 81);
  const Index n = X.rows();
  const auto message_of = [](auto&& call) -> std::string {
    try {
      call();
    } catch (const emgmm::InvalidArgument& error) {
      return error.what();
    }
    return "no exception";
  };
  const auto contains = [](const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  };

  emgmm::GaussianMixture<> gmm(3);
  gmm.fit(X);
  const Eigen::MatrixXd means_before = gmm.means();
  const Eigen::MatrixXd covariances_before = gmm.covariances();
  const double lower_bound_before = gmm.lower_bound();
  emgmm::KMeans<> kmeans(3);
  kmeans.fit(X);
  const Eigen::MatrixXd centers_before = kmeans.cluster_centers();

  Eigen::VectorXd negative = Eigen::VectorXd::Ones(n);
  negative(4) = -1.0;
  Eigen::VectorXd not_a_number = Eigen::VectorXd::Ones(n);
  not_a_number(5) = std::nan("");
  Eigen::VectorXd infinite = Eigen::VectorXd::Ones(n);
  infinite(6) = HUGE_VAL;
  Eigen::VectorXd overflowing = Eigen::VectorXd::Constant(n, 1e307);
  Eigen::VectorXd two_positive = Eigen::VectorXd::Zero(n);
  two_positive(0) = two_positive(1) = 1.0;

  struct Case {
    Eigen::MatrixXd weights;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {negative, "sample_weight(4) = -1"},
      {not_a_number, "sample_weight(5) = nan"},
      {infinite, "sample_weight(6) = inf"},
      {Eigen::VectorXd::Zero(n), "sample_weight has 0 positive entries"},
      {two_positive, "sample_weight has 2 positive entries"},
      {Eigen::VectorXd::Ones(n - 1), "sample_weight has 29 entries but X has 30 rows"},
      {Eigen::MatrixXd::Ones(n, 2), "sample_weight has shape (30 x 2)"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.expected);
    const std::string gmm_message = message_of([&] { gmm.fit(X, c.weights); });
    CHECK(contains(gmm_message, "GaussianMixture::fit: "));
    CHECK(contains(gmm_message, c.expected));
    const std::string predict_message = message_of([&] { (void)gmm.fit_predict(X, c.weights); });
    CHECK(contains(predict_message, "GaussianMixture::fit_predict: "));
    const std::string kmeans_message = message_of([&] { kmeans.fit(X, c.weights); });
    CHECK(contains(kmeans_message, "KMeans::fit: "));
    CHECK(contains(kmeans_message, c.expected));
  }
  // Weights whose sum overflows count points for BayesianGaussianMixture and for sums of
  // expectation() statistics; GaussianMixture and KMeans fits divide them by the largest.
  emgmm::BayesianGaussianMixture<> bgm(3);
  CHECK(contains(message_of([&] { bgm.fit(X, overflowing); }), "sample_weight sums to infinity"));
  CHECK(contains(message_of([&] { (void)gmm.expectation(X, overflowing); }),
                 "sample_weight sums to infinity"));
  CHECK(contains(message_of([&] { gmm.fit(X, two_positive); }), "n_components = 3"));
  CHECK(contains(message_of([&] { kmeans.fit(X, two_positive); }), "n_clusters = 3"));
  // A weighted score takes weights of 0 everywhere, but not negative ones.
  CHECK(kmeans.score(X, Eigen::VectorXd::Zero(n)) == 0.0);
  CHECK(contains(message_of([&] { (void)kmeans.score(X, negative); }),
                 "KMeans::score: sample_weight(4)"));

  // Nothing changed.
  CHECK(gmm.means() == means_before);
  CHECK(gmm.covariances() == covariances_before);
  CHECK(gmm.lower_bound() == lower_bound_before);
  CHECK(kmeans.cluster_centers() == centers_before);
}
