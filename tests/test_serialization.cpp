// Saving and loading (serialization.hpp): a saved and loaded model equals the original in every
// fitted attribute and saved option to the last bit and answers every query identically; every
// malformed text throws FormatError naming the line, the key and the problem, never crashes and
// never allocates from a number in the header.
//
// Round trips run for float and double, with a dynamic and a fixed dimension, and the four
// covariance types, on seeded samples of known mixtures (synthetic_data.hpp). The malformed
// texts are made by editing one line of a text that save() wrote.

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <locale>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include <emgmm/emgmm.hpp>

#include "catch.hpp"
#include "error_checks.hpp"
#include "fixed_models.hpp"
#include "synthetic_data.hpp"

namespace {

using Eigen::Index;
using emgmm::CovarianceType;
using emgmm::InitParams;
using emgmm_test_errors::bit_identical;
using emgmm_test_errors::check_same_options;

template <typename S, int D, int N>
struct Config {
  using Scalar = S;
  static constexpr int Dim = D;
  static constexpr int n_features = N;
  using Model = emgmm::GaussianMixture<S, D>;
  using Options = typename Model::Options;
  using KMeansModel = emgmm::KMeans<S, D>;
};
using FloatDynamic2 = Config<float, Eigen::Dynamic, 2>;
using DoubleDynamic3 = Config<double, Eigen::Dynamic, 3>;
using FloatFixed3 = Config<float, 3, 3>;
using DoubleFixed2 = Config<double, 2, 2>;
#define EMGMM_TEST_CONFIGS FloatDynamic2, DoubleDynamic3, FloatFixed3, DoubleFixed2

const CovarianceType kAllTypes[] = {CovarianceType::full, CovarianceType::tied,
                                    CovarianceType::diag, CovarianceType::spherical};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// Every fitted attribute and every saved option identical.
template <typename Model>
void check_same_model(const Model& a, const Model& b) {
  CHECK(bit_identical(a.weights(), b.weights()));
  CHECK(bit_identical(a.means(), b.means()));
  CHECK(bit_identical(a.covariances(), b.covariances()));
  CHECK(bit_identical(a.precisions_cholesky(), b.precisions_cholesky()));
  CHECK(bit_identical(a.precisions(), b.precisions()));
  CHECK(bit_identical(a.lower_bound(), b.lower_bound()));
  CHECK(a.n_iter() == b.n_iter());
  CHECK(a.converged() == b.converged());
  CHECK(a.n_features_in() == b.n_features_in());
  CHECK(a.n_components() == b.n_components());
  CHECK(a.covariance_type() == b.covariance_type());
  const auto& o = a.get_params();
  const auto& p = b.get_params();
  check_same_options(o, p);
  // GaussianMixture's own options.
  CHECK(o.reseed_collapsed_components == p.reseed_collapsed_components);
  CHECK(bit_identical(o.learning_decay, p.learning_decay));
  CHECK(bit_identical(o.learning_offset, p.learning_offset));
  CHECK(o.missing_values == p.missing_values);
}

template <typename Model>
std::string saved(const Model& model) {
  std::ostringstream out;
  model.save(out);
  return out.str();
}

template <typename Model>
Model loaded(const std::string& text) {
  std::istringstream in(text);
  return Model::load(in);
}

template <typename C>
Eigen::Matrix<typename C::Scalar, Eigen::Dynamic, C::Dim> data(CovarianceType type, Index n,
                                                               std::uint64_t seed) {
  const Eigen::MatrixXd X =
      emgmm_test::draw(emgmm_test::three_blobs(C::n_features, type), n, seed).X;
  return X.cast<typename C::Scalar>();
}

/// Splits text into lines (without their '\n').
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

/// 1-based number of the line whose first word is `key`.
long long line_of(const std::string& text, const std::string& key) {
  const std::vector<std::string> lines = lines_of(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i] == key || lines[i].rfind(key + " ", 0) == 0) return static_cast<long long>(i + 1);
  }
  FAIL("no line with the key " << key);
  return 0;
}

/// `text` with line `number` (1-based) replaced.
std::string with_line(const std::string& text, long long number, const std::string& replacement) {
  std::vector<std::string> lines = lines_of(text);
  REQUIRE(number >= 1);
  REQUIRE(number <= static_cast<long long>(lines.size()));
  lines[std::size_t(number - 1)] = replacement;
  return joined(lines);
}

/// `text` with the line of `key` replaced.
std::string with_key(const std::string& text, const std::string& key,
                     const std::string& replacement) {
  return with_line(text, line_of(text, key), replacement);
}

/// Loading `text` as Model throws FormatError at `line` whose message contains every part.
template <typename Model>
void check_rejected(const std::string& text, long long line,
                    std::initializer_list<std::string> parts) {
  INFO("text:\n" << text);
  bool thrown = false;
  try {
    loaded<Model>(text);
  } catch (const emgmm::FormatError& error) {
    thrown = true;
    const std::string message = error.what();
    INFO("message: " << message);
    CHECK(error.line() == line);
    CHECK(contains(message, "::load: "));
    if (line > 0) CHECK(contains(message, "line " + std::to_string(line)));
    for (const std::string& part : parts) CHECK(contains(message, part));
    // The documented bases.
    CHECK(dynamic_cast<const emgmm::InvalidArgument*>(&error) != nullptr);
    CHECK(dynamic_cast<const std::invalid_argument*>(&error) != nullptr);
    CHECK(dynamic_cast<const emgmm::Error*>(&error) != nullptr);
  }
  CHECK(thrown);
}

/// A fitted 2-D double mixture of the given type, and its saved text.
std::string reference_text(CovarianceType type) {
  emgmm::GaussianMixture<double>::Options options;
  options.n_components = 3;
  options.covariance_type = type;
  options.random_state = 7;
  emgmm::GaussianMixture<double> model(options);
  model.fit(emgmm_test::draw(emgmm_test::three_blobs(2, CovarianceType::full), 150, 3).X);
  return saved(model);
}

/// A numpunct that writes 1.234,5: the locale of a user who has not thought about files.
struct CommaNumpunct : std::numpunct<char> {
  char do_decimal_point() const override { return ','; }
  char do_thousands_sep() const override { return '.'; }
  std::string do_grouping() const override { return "\3"; }
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Round trips

TEMPLATE_TEST_CASE("serialization: a loaded GaussianMixture is the saved one, bit for bit",
                   "[serialization]", EMGMM_TEST_CONFIGS) {
  using C = TestType;
  using Model = typename C::Model;
  for (const CovarianceType type : kAllTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    const auto X = data<C>(type, 240, 11);
    typename C::Options options;
    options.n_components = 3;
    options.covariance_type = type;
    options.random_state = 2024;
    options.tol = 1e-5;  // a value with no short binary form
    options.reg_covar = 1.0 / 3.0 * 1e-6;
    options.verbose_interval = 7;
    options.reseed_collapsed_components = true;
    options.learning_decay = 0.9;
    options.learning_offset = 1.0 / 3.0;
    Model model(options);
    model.fit(X);
    const std::string text = saved(model);
    CHECK(text.rfind(
              "emgmm-gaussian-mixture 1\nscalar " +
                  std::string(std::is_same<typename C::Scalar, float>::value ? "float" : "double"),
              0) == 0);
    const Model copy = loaded<Model>(text);
    check_same_model(model, copy);

    // Every query answers the same, to the bit.
    const auto Q = data<C>(type, 50, 99);
    CHECK(copy.predict(Q) == model.predict(Q));
    CHECK(bit_identical(copy.predict_proba(Q), model.predict_proba(Q)));
    CHECK(bit_identical(copy.score_samples(Q), model.score_samples(Q)));
    CHECK(bit_identical(copy.bic(Q), model.bic(Q)));
    const auto a = model.sample(40);
    const auto b = copy.sample(40);
    CHECK(bit_identical(a.X, b.X));
    CHECK(a.y == b.y);
    for (Index k = 0; k < 3; ++k) CHECK(bit_identical(copy.covariance(k), model.covariance(k)));

    // Saving the loaded model writes the same text, and a warm-started refit continues alike.
    CHECK(saved(copy) == text);
    typename C::Options warm = options;
    warm.warm_start = true;
    warm.max_iter = 3;
    Model refit_a = model;
    Model refit_b = copy;
    refit_a.set_params(warm);
    refit_b.set_params(warm);
    refit_a.fit(Q);
    refit_b.fit(Q);
    check_same_model(refit_a, refit_b);
  }
}

TEMPLATE_TEST_CASE("serialization: unusual but valid fitted models round-trip", "[serialization]",
                   EMGMM_TEST_CONFIGS) {
  using C = TestType;
  using Model = typename C::Model;
  using Scalar = typename C::Scalar;
  for (const CovarianceType type : kAllTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    const auto X = data<C>(type, 120, 5);
    SECTION("max_iter = 0: lower_bound -inf, k-means++ weights not normalized (sklearn #24085)") {
      typename C::Options options;
      options.n_components = 3;
      options.covariance_type = type;
      options.max_iter = 0;
      options.init_params = InitParams::k_means_plus_plus;
      options.random_state = 1;
      Model model(options);
      model.fit(X);
      REQUIRE(model.lower_bound() == -std::numeric_limits<double>::infinity());
      REQUIRE(std::abs(double(model.weights().sum()) - 1.0) > 0.5);  // 3 / 120
      check_same_model(model, loaded<Model>(saved(model)));
    }
    SECTION("max_iter = 0 with every point in one cluster: a weight (n + 10 eps) / n above one") {
      // sklearn's initial weights are (count + 10 eps) / n_samples (found by the fuzzer:
      // load rejected the weight 1 + 7e-16 of three identical points).
      typename C::Options options;
      options.n_components = 3;
      options.covariance_type = type;
      options.max_iter = 0;
      options.random_state = 1;
      using Points = std::decay_t<decltype(X)>;
      const Points same = Points::Constant(3, X.cols(), Scalar(-4));
      Model model(options);
      model.fit(same);
      REQUIRE(model.weights().maxCoeff() >= Scalar(1));
      check_same_model(model, loaded<Model>(saved(model)));
    }
    SECTION("precisions_init with max_iter = 0: a lower-triangular factor, covariances from it") {
      const Index D = C::n_features;
      typename C::Options options;
      options.n_components = 2;
      options.covariance_type = type;
      options.max_iter = 0;
      options.weights_init = Model::Vector::Constant(2, Scalar(0.5));
      options.means_init = typename Model::Means(X.topRows(2));
      const Index rows = type == CovarianceType::full   ? 2 * D
                         : type == CovarianceType::tied ? D
                                                        : 2;
      const Index cols = type == CovarianceType::spherical ? 1 : D;
      typename Model::Matrix precisions = Model::Matrix::Constant(rows, cols, Scalar(0.3));
      if (type == CovarianceType::full || type == CovarianceType::tied) {
        for (Index k = 0; k < rows / D; ++k)
          precisions.middleRows(k * D, D).diagonal().array() = Scalar(1.7 + double(k));
      }
      options.precisions_init = precisions;
      options.random_state = std::nullopt;  // saved as `none`
      options.warm_start = true;
      Model model(options);
      model.fit(X);
      const std::string text = saved(model);
      CHECK(contains(text, "\nrandom_state none\n"));
      CHECK(contains(text, "\nwarm_start true\n"));
      const Model copy = loaded<Model>(text);
      check_same_model(model, copy);
      CHECK(!copy.get_params().weights_init.has_value());  // starts are documented as not saved
    }
  }
}

TEST_CASE("serialization: numbers are written and read without the locale", "[serialization]") {
  emgmm::GaussianMixture<double>::Options options;
  options.n_components = 2;
  options.random_state = 3;
  options.tol = 1234.5;  // would be written 1.234,5 by a stream with this locale
  emgmm::GaussianMixture<double> model(options);
  model.fit(emgmm_test::draw(emgmm_test::three_blobs(2, CovarianceType::full), 90, 1).X);
  const std::locale comma(std::locale::classic(), new CommaNumpunct);
  const std::locale previous = std::locale::global(comma);
  std::ostringstream out;
  out.imbue(comma);
  model.save(out);
  std::istringstream in(out.str());
  in.imbue(comma);
  const auto copy = emgmm::GaussianMixture<double>::load(in);
  std::locale::global(previous);
  CHECK(contains(out.str(), "\ntol 1234.5\n"));
  CHECK(!contains(out.str(), ","));
  check_same_model(model, copy);
}

TEST_CASE("serialization: several models share a stream; files via paths", "[serialization]") {
  const auto X = emgmm_test::draw(emgmm_test::three_blobs(3, CovarianceType::diag), 120, 8).X;
  emgmm::GaussianMixture<double> a(2), b(3);
  a.fit(X);
  b.fit(X);
  emgmm::KMeans<double> km(3);
  km.fit(X);
  std::stringstream stream;
  a.save(stream);
  km.save(stream);
  b.save(stream);
  const auto a2 = emgmm::GaussianMixture<double>::load(stream);
  const auto km2 = emgmm::KMeans<double>::load(stream);
  const auto b2 = emgmm::GaussianMixture<double>::load(stream);
  check_same_model(a, a2);
  check_same_model(b, b2);
  CHECK(bit_identical(km2.cluster_centers(), km.cluster_centers()));
  CHECK(stream.peek() == std::char_traits<char>::eof());

  const std::string path = "emgmm_test_serialization_model.txt";
  a.save(path);
  check_same_model(a, emgmm::GaussianMixture<double>::load(path));
  km.save(path);
  CHECK(km.labels() == emgmm::KMeans<double>::load(path).labels());
  // From a path the file must end with the model: two models in one file are rejected.
  {
    std::ofstream file(path, std::ios::app);
    file << "emgmm-kmeans 1\n";
  }
  const long long after_end = static_cast<long long>(lines_of(saved(km)).size()) + 1;
  try {
    emgmm::KMeans<double>::load(path);
    FAIL("trailing text accepted");
  } catch (const emgmm::FormatError& error) {
    CHECK(error.line() == after_end);
    CHECK(contains(error.what(), "unexpected text after the 'end' line"));
    CHECK(contains(error.what(), path));
  }
  std::remove(path.c_str());
  CHECK_THROWS_AS(emgmm::GaussianMixture<double>::load(path), emgmm::IOError);
  CHECK_THROWS_AS(a.save(std::string("/nonexistent-directory/model.txt")), emgmm::IOError);
  try {
    emgmm::GaussianMixture<double>::load(path);
  } catch (const emgmm::IOError& error) {
    CHECK(contains(error.what(), "GaussianMixture::load: cannot open '" + path + "'"));
    CHECK(dynamic_cast<const std::runtime_error*>(&error) != nullptr);
  }
}

TEST_CASE("serialization: Windows line endings are accepted", "[serialization]") {
  const std::string text = reference_text(CovarianceType::full);
  std::string crlf;
  for (const char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  check_same_model(loaded<emgmm::GaussianMixture<double>>(text),
                   loaded<emgmm::GaussianMixture<double>>(crlf));
}

TEMPLATE_TEST_CASE("serialization: a loaded KMeans is the saved one, bit for bit",
                   "[serialization]", EMGMM_TEST_CONFIGS) {
  using C = TestType;
  using Model = typename C::KMeansModel;
  const auto X = data<C>(CovarianceType::full, 150, 4);
  typename Model::Options options;
  options.n_clusters = 3;
  options.init = Model::Options::Init::random;
  options.n_init = 4;
  options.tol = 1e-7;
  options.random_state = 17;
  Model model(options);
  model.fit(X);
  const std::string text = saved(model);
  const Model copy = loaded<Model>(text);
  CHECK(bit_identical(copy.cluster_centers(), model.cluster_centers()));
  CHECK(copy.labels() == model.labels());
  CHECK(bit_identical(copy.inertia(), model.inertia()));
  CHECK(copy.n_iter() == model.n_iter());
  CHECK(copy.n_features_in() == model.n_features_in());
  CHECK(copy.get_params().init == options.init);
  CHECK(copy.get_params().n_init == options.n_init);
  CHECK(bit_identical(copy.get_params().tol, options.tol));
  CHECK(copy.get_params().random_state == options.random_state);
  const auto Q = data<C>(CovarianceType::full, 30, 8);
  CHECK(copy.predict(Q) == model.predict(Q));
  CHECK(bit_identical(copy.transform(Q), model.transform(Q)));
  CHECK(saved(copy) == text);
}

// ---------------------------------------------------------------------------------------------
// Saving what cannot be saved

TEST_CASE("serialization: save needs a fitted model whose options still describe it",
          "[serialization]") {
  emgmm::GaussianMixture<double> unfitted(2);
  std::ostringstream out;
  CHECK_THROWS_AS(unfitted.save(out), emgmm::NotFittedError);
  CHECK_THROWS_AS(emgmm::KMeans<double>(2).save(out), emgmm::NotFittedError);
  CHECK(out.str().empty());

  const auto X = emgmm_test::draw(emgmm_test::three_blobs(2, CovarianceType::full), 90, 2).X;
  emgmm::GaussianMixture<double> model(3);
  model.fit(X);
  auto options = model.get_params();
  options.n_components = 4;
  model.set_params(options);
  try {
    model.save(out);
    FAIL("saved a model whose options disagree with its parameters");
  } catch (const emgmm::InvalidArgument& error) {
    CHECK(contains(error.what(), "GaussianMixture::save: the options ask for n_components = 4"));
  }
  options.n_components = 3;
  options.tol = -1.0;
  model.set_params(options);
  try {
    model.save(out);
    FAIL("saved an invalid option");
  } catch (const emgmm::InvalidArgument& error) {
    CHECK(contains(error.what(), "GaussianMixture::save: tol = -1"));
  }
  CHECK(out.str().empty());  // nothing written

  options.tol = 1e-3;
  model.set_params(options);
  std::ostringstream failed;
  failed.setstate(std::ios::badbit);
  CHECK_THROWS_AS(model.save(failed), emgmm::IOError);
  std::ostringstream throwing;
  throwing.setstate(std::ios::badbit);
  try {
    throwing.exceptions(std::ios::badbit);
  } catch (const std::ios_base::failure&) {
    // setting the mask on a bad stream throws at once; the mask stays set
  }
  CHECK_THROWS_AS(model.save(throwing), emgmm::IOError);
}

// ---------------------------------------------------------------------------------------------
// Malformed text: every problem named with its line and key

TEST_CASE("serialization: every truncation of a saved model is rejected", "[serialization]") {
  for (const CovarianceType type : kAllTypes) {
    const std::string text = reference_text(type);
    const std::size_t end_line = text.rfind("end\n");
    for (std::size_t size = 0; size < end_line; ++size) {
      INFO(emgmm::to_string(type) << ", the first " << size << " characters");
      CHECK_THROWS_AS(loaded<emgmm::GaussianMixture<double>>(text.substr(0, size)),
                      emgmm::FormatError);
    }
  }
  const std::string text = reference_text(CovarianceType::diag);
  const std::vector<std::string> lines = lines_of(text);
  // Cut after a complete line: the message names the missing key and the line it should be on.
  const std::string cut = joined(std::vector<std::string>(lines.begin(), lines.begin() + 4));
  check_rejected<emgmm::GaussianMixture<double>>(
      cut, 5, {"(n_features)", "the text ends here", "truncated"});
  check_rejected<emgmm::GaussianMixture<double>>(
      "", 1, {"the text ends here", "emgmm-gaussian-mixture 1"});
  // Without its `end` line.
  check_rejected<emgmm::GaussianMixture<double>>(
      joined(std::vector<std::string>(lines.begin(), lines.end() - 1)),
      static_cast<long long>(lines.size()), {"(end)", "truncated"});
}

TEST_CASE("serialization: wrong kind, version, scalar or dimension", "[serialization]") {
  using Model = emgmm::GaussianMixture<double>;
  const std::string text = reference_text(CovarianceType::full);
  check_rejected<Model>(
      with_line(text, 1, "emgmm-gaussian-mixtures 1"), 1,
      {"expected the first line 'emgmm-gaussian-mixture 1'", "'emgmm-gaussian-mixtures'"});
  check_rejected<Model>(with_line(text, 1, "emgmm-kmeans 1"), 1,
                        {"a saved KMeans", "KMeans::load"});
  check_rejected<emgmm::KMeans<double>>(text, 1,
                                        {"a saved GaussianMixture", "GaussianMixture::load"});
  check_rejected<Model>(with_line(text, 1, "emgmm-gaussian-mixture 2"), 1,
                        {"format version 2 is not supported", "reads version 1"});
  check_rejected<Model>(with_line(text, 1, "emgmm-gaussian-mixture one"), 1,
                        {"'one' is not a format version"});
  check_rejected<Model>(with_line(text, 1, "emgmm-gaussian-mixture"), 1,
                        {"expected the format version"});
  check_rejected<Model>(with_line(text, 1, "\x89PNG\r"), 1,
                        {"not a GaussianMixture saved by emgmm"});
  check_rejected<emgmm::GaussianMixture<float>>(
      text, 2, {"(scalar)", "holds a double model", "GaussianMixture<double, Dim>::load"});
  check_rejected<Model>(with_key(text, "scalar", "scalar half"), 2,
                        {"'half' is not one of float, double"});
  // n_features 2 into Dim = 3.
  check_rejected<emgmm::GaussianMixture<double, 3>>(
      text, line_of(text, "n_features"),
      {"(n_features)", "n_features = 2", "Dim = 3", "Dim = 2 or Eigen::Dynamic"});
  std::istringstream in(text);
  CHECK(emgmm::GaussianMixture<double, 2>::load(in).n_features_in() == 2);
}

TEST_CASE("serialization: sizes are checked before anything is allocated", "[serialization]") {
  using Model = emgmm::GaussianMixture<double>;
  const std::string text = reference_text(CovarianceType::full);
  const long long components = line_of(text, "n_components");
  check_rejected<Model>(with_key(text, "n_components", "n_components -3"), components,
                        {"n_components = '-3'", "an integer >= 1"});
  check_rejected<Model>(with_key(text, "n_components", "n_components 0"), components,
                        {"an integer >= 1"});
  check_rejected<Model>(with_key(text, "n_components", "n_components 99999999999999"), components,
                        {"an integer >= 1"});
  check_rejected<Model>(with_key(text, "n_features", "n_features 2.5"), line_of(text, "n_features"),
                        {"'2.5'"});
  // 2^31 - 1 components x 2^31 - 1 features of full covariances cannot be addressed.
  check_rejected<Model>(with_key(with_key(text, "n_components", "n_components 2147483647"),
                                 "n_features", "n_features 2147483647"),
                        line_of(text, "n_features"), {"more than can be addressed"});
  // A header that claims two billion components fails on the short weights line, without
  // reserving memory for them (it would be 16 GB).
  check_rejected<Model>(with_key(text, "n_components", "n_components 2000000000"),
                        line_of(text, "weights"),
                        {"(weights)", "expected 2000000000 value(s)", "found 3"});
  // A matrix header that disagrees with n_components and n_features.
  check_rejected<Model>(with_key(text, "means", "means 4 2"), line_of(text, "means"),
                        {"(means)", "is 4 x 2 but must be 3 x 2"});
  check_rejected<Model>(with_key(text, "covariances", "covariances 3 2"),
                        line_of(text, "covariances"), {"must be 6 x 2", "'full'"});
  // A row with a value too many, and an endless line.
  const long long first_mean = line_of(text, "means") + 1;
  check_rejected<Model>(
      with_line(text, first_mean, lines_of(text)[std::size_t(first_mean - 1)] + " 1"), first_mean,
      {"(means)", "expected 2 value(s) in row 0 of means, found 3"});
  check_rejected<Model>(with_line(text, first_mean, std::string(100000, '1')), first_mean,
                        {"the line is longer than"});
}

TEST_CASE("serialization: bad numbers", "[serialization]") {
  using Model = emgmm::GaussianMixture<double>;
  const std::string text = reference_text(CovarianceType::full);
  const long long first_mean = line_of(text, "means") + 1;
  check_rejected<Model>(with_line(text, first_mean, "nan 0"), first_mean,
                        {"means(0, 0) = nan", "finite"});
  check_rejected<Model>(with_line(text, first_mean, "0 -inf"), first_mean, {"means(0, 1) = -inf"});
  check_rejected<Model>(with_line(text, first_mean, "1e999 0"), first_mean,
                        {"out of the range of double"});
  check_rejected<Model>(with_line(text, first_mean, "1,5 0"), first_mean,
                        {"'1,5' is not a number"});
  check_rejected<Model>(with_line(text, first_mean, "0x1p3 0"), first_mean,
                        {"'0x1p3' is not a number"});
  check_rejected<emgmm::GaussianMixture<float>>(
      [&] {  // a float model with a value beyond float's range
        std::string t = with_key(text, "scalar", "scalar float");
        return with_line(t, first_mean, "1e39 0");
      }(),
      first_mean, {"out of the range of float"});
  check_rejected<Model>(with_key(text, "tol", "tol -1"), line_of(text, "tol"),
                        {"tol = -1 must be >= 0"});
  check_rejected<Model>(with_key(text, "reg_covar", "reg_covar inf"), line_of(text, "reg_covar"),
                        {"reg_covar = inf"});
  check_rejected<Model>(with_key(text, "max_iter", "max_iter -1"), line_of(text, "max_iter"),
                        {"max_iter = '-1'"});
  check_rejected<Model>(with_key(text, "n_init", "n_init 0"), line_of(text, "n_init"),
                        {"an integer >= 1"});
  check_rejected<Model>(with_key(text, "init_params", "init_params kmeans++"),
                        line_of(text, "init_params"),
                        {"'kmeans++' is not one of kmeans, k-means++"});
  check_rejected<Model>(with_key(text, "covariance_type", "covariance_type Full"),
                        line_of(text, "covariance_type"), {"'Full' is not one of full, tied"});
  check_rejected<Model>(with_key(text, "random_state", "random_state -1"),
                        line_of(text, "random_state"), {"'none' or an unsigned 64-bit integer"});
  check_rejected<Model>(with_key(text, "warm_start", "warm_start 1"), line_of(text, "warm_start"),
                        {"warm_start = '1' is not 'true' or 'false'"});
  check_rejected<Model>(with_key(text, "verbose_interval", "verbose_interval 0"),
                        line_of(text, "verbose_interval"), {"an integer >= 1"});
  check_rejected<Model>(
      with_key(text, "reseed_collapsed_components", "reseed_collapsed_components no"),
      line_of(text, "reseed_collapsed_components"), {"is not 'true' or 'false'"});
  check_rejected<Model>(with_key(text, "learning_decay", "learning_decay 0.5"),
                        line_of(text, "learning_decay"),
                        {"learning_decay = 0.5 must be in (0.5, 1]"});
  check_rejected<Model>(with_key(text, "learning_offset", "learning_offset 0"),
                        line_of(text, "learning_offset"), {"learning_offset = 0 must be > 0"});
  // lower_bound may be -inf only for n_iter = 0 (max_iter = 0); never NaN.
  check_rejected<Model>(with_key(text, "lower_bound", "lower_bound -inf"),
                        line_of(text, "lower_bound"), {"lower_bound = -inf"});
  check_rejected<Model>(with_key(text, "lower_bound", "lower_bound nan"),
                        line_of(text, "lower_bound"), {"lower_bound = nan"});
}

TEST_CASE("serialization: missing_values is saved; a file without its line loads as 'error'",
          "[serialization]") {
  using Model = emgmm::GaussianMixture<double>;
  Model::Options options;
  options.n_components = 3;
  options.random_state = 7;
  options.missing_values = emgmm::MissingValues::marginalize;
  Eigen::MatrixXd X = emgmm_test::draw(emgmm_test::three_blobs(2, CovarianceType::full), 150, 3).X;
  X(4, 1) = std::numeric_limits<double>::quiet_NaN();
  Model model(options);
  model.fit(X);
  const std::string text = saved(model);
  CHECK(contains(text, "\nlearning_offset 1\nmissing_values marginalize\nconverged "));
  const Model loaded_model = loaded<Model>(text);
  check_same_model(model, loaded_model);
  CHECK(loaded_model.get_params().missing_values == emgmm::MissingValues::marginalize);
  CHECK(bit_identical(loaded_model.score_samples(X), model.score_samples(X)));
  CHECK(contains(reference_text(CovarianceType::diag), "\nmissing_values error\n"));

  // A file of an earlier release has no such line: the default, and everything else as saved.
  std::vector<std::string> lines = lines_of(text);
  const long long line = line_of(text, "missing_values");
  lines.erase(lines.begin() + (line - 1));
  const std::string earlier = joined(lines);
  const Model old_model = loaded<Model>(earlier);
  CHECK(old_model.get_params().missing_values == emgmm::MissingValues::error);
  CHECK(bit_identical(old_model.means(), model.means()));
  CHECK(bit_identical(old_model.covariances(), model.covariances()));
  CHECK(old_model.get_params().learning_offset == model.get_params().learning_offset);
  CHECK_THROWS_AS(old_model.score_samples(X), emgmm::InvalidArgument);  // NaN: the default
  // Later lines are still named by their own numbers.
  check_rejected<Model>(with_key(earlier, "converged", "converged maybe"), line,
                        {"(converged)", "converged = 'maybe' is not 'true' or 'false'"});
  check_rejected<Model>(with_key(earlier, "n_iter", "n_iter -1"), line_of(earlier, "n_iter"),
                        {"(n_iter)", "an integer >= 0"});
  check_rejected<Model>(with_key(earlier, "converged", "convergence true"), line,
                        {"expected the key 'converged', found 'convergence'"});
  // A bad value, or the wrong number of values, on the line itself.
  check_rejected<Model>(with_key(text, "missing_values", "missing_values impute"), line,
                        {"(missing_values)", "'impute' is not 'error' or 'marginalize'"});
  check_rejected<Model>(with_key(text, "missing_values", "missing_values"), line,
                        {"(missing_values)", "expected 1 value(s) after the key 'missing_values'"});
  // Cut right after learning_offset: truncated.
  check_rejected<Model>(joined(std::vector<std::string>(lines.begin(), lines.begin() + line - 1)),
                        line, {"the text ends here", "truncated"});
}

TEST_CASE("serialization: keys in the wrong place", "[serialization]") {
  using Model = emgmm::GaussianMixture<double>;
  const std::string text = reference_text(CovarianceType::tied);
  const long long tol = line_of(text, "tol");
  check_rejected<Model>(with_line(text, tol, "tolerance 0.001"), tol,
                        {"(tol)", "expected the key 'tol', found 'tolerance'"});
  check_rejected<Model>(with_line(text, tol, ""), tol, {"found an empty line"});
  check_rejected<Model>(with_line(text, tol, "tol 0.001 0.002"), tol,
                        {"expected 1 value(s) after the key 'tol', found 2"});
  // Two lines swapped.
  std::vector<std::string> lines = lines_of(text);
  std::swap(lines[std::size_t(tol - 1)], lines[std::size_t(tol)]);
  check_rejected<Model>(joined(lines), tol, {"expected the key 'tol', found 'reg_covar'"});
  check_rejected<Model>(with_key(text, "end", "end of model"), line_of(text, "end"),
                        {"expected 0 value(s)"});
}

TEST_CASE("serialization: parameters that are not a mixture", "[serialization]") {
  using Model = emgmm::GaussianMixture<double>;
  for (const CovarianceType type : kAllTypes) {
    INFO(emgmm::to_string(type));
    const std::string text = reference_text(type);
    const long long weights = line_of(text, "weights");
    check_rejected<Model>(with_line(text, weights, "weights 0.5 0.25 0.125"), weights,
                          {"(weights)", "the weights sum to 0.875, not to one"});
    check_rejected<Model>(with_line(text, weights, "weights 1.5 -0.25 -0.25"), weights,
                          {"weights(0) = 1.5; every weight must be in [0, 1]"});
    // One ulp of the sum is within the tolerance: 0.5 + 0.25 + 0.25 (1 - 2^-52).
    CHECK_NOTHROW(loaded<Model>(with_line(text, weights, "weights 0.5 0.25 0.24999999999999994")));

    const long long covariances = line_of(text, "covariances");
    const long long cholesky = line_of(text, "precisions_cholesky");
    const std::vector<std::string> lines = lines_of(text);
    // A negative variance: not positive definite.
    std::string negative = lines[std::size_t(covariances)];
    negative.insert(0, "-");
    check_rejected<Model>(
        with_line(text, covariances + 1, negative),
        type == CovarianceType::full || type == CovarianceType::tied ? covariances
                                                                     : covariances + 1,
        {"(covariances)", type == CovarianceType::full || type == CovarianceType::tied
                              ? "is not symmetric positive definite"
                              : "is not positive"});
    // precisions_cholesky that belong to another covariance (doubled).
    std::vector<std::string> doubled = lines;
    for (long long i = cholesky + 1; i < static_cast<long long>(lines.size()); ++i) {
      std::istringstream row(lines[std::size_t(i - 1)]);
      std::string out;
      for (double value; row >> value;)
        out += (out.empty() ? "" : " ") + std::to_string(2.0 * value);
      doubled[std::size_t(i - 1)] = out;
    }
    check_rejected<Model>(
        joined(doubled),
        type == CovarianceType::full || type == CovarianceType::tied ? cholesky : cholesky + 1,
        {"(precisions_cholesky)"});
  }
  // An asymmetric full covariance: entry (1, 0) differs from (0, 1).
  const std::string text = reference_text(CovarianceType::full);
  const long long second_row = line_of(text, "covariances") + 2;
  std::istringstream row(lines_of(text)[std::size_t(second_row - 1)]);
  double c10 = 0, c11 = 0;
  row >> c10 >> c11;
  check_rejected<Model>(
      with_line(text, second_row, std::to_string(c10 * 0.9) + " " + std::to_string(c11)),
      second_row, {"is not symmetric: entry (1, 0)"});
  // A factor that is not triangular.
  const long long factor_row = line_of(text, "precisions_cholesky") + 2;
  std::istringstream factor(lines_of(text)[std::size_t(factor_row - 1)]);
  double p10 = 0, p11 = 0;
  factor >> p10 >> p11;
  check_rejected<Model>(
      with_line(text, factor_row, std::to_string(p10 + 0.5) + " " + std::to_string(p11)),
      line_of(text, "precisions_cholesky"), {"not triangular with a positive diagonal"});
}

TEST_CASE("serialization: malformed KMeans", "[serialization]") {
  using Model = emgmm::KMeans<double>;
  const auto X = emgmm_test::draw(emgmm_test::three_blobs(2, CovarianceType::full), 60, 9).X;
  Model model(3);
  model.fit(X);
  const std::string text = saved(model);
  const long long labels = line_of(text, "labels") + 1;
  std::string bad_labels = lines_of(text)[std::size_t(labels - 1)];
  bad_labels.replace(0, 1, "3");
  check_rejected<Model>(with_line(text, labels, bad_labels), labels,
                        {"labels(0) = '3' is not a cluster index"});
  check_rejected<Model>(with_key(text, "labels", "labels 2"), labels - 1, {"at least n_clusters"});
  check_rejected<Model>(with_key(text, "labels", "labels 61"), labels,
                        {"expected 61 value(s) in the labels, found 60"});
  check_rejected<Model>(with_key(text, "inertia", "inertia -1"), line_of(text, "inertia"),
                        {"inertia = -1 must be >= 0"});
  check_rejected<Model>(with_key(text, "inertia", "inertia nan"), line_of(text, "inertia"),
                        {"inertia = nan; expected a finite number"});
  check_rejected<Model>(with_key(text, "inertia", "inertia -inf"), line_of(text, "inertia"),
                        {"inertia = -inf; expected a finite number"});
  check_rejected<Model>(with_key(text, "init", "init kmeans"), line_of(text, "init"),
                        {"'kmeans' is not one of k-means++, random"});
  check_rejected<Model>(with_key(text, "max_iter", "max_iter 0"), line_of(text, "max_iter"),
                        {"an integer >= 1"});
  check_rejected<emgmm::KMeans<float>>(text, 2, {"holds a double model"});
  check_rejected<emgmm::KMeans<double, 3>>(text, line_of(text, "n_features"), {"Dim = 3"});
  for (std::size_t size = 0; size < text.rfind("end\n"); size += 7) {
    CHECK_THROWS_AS(loaded<Model>(text.substr(0, size)), emgmm::FormatError);
  }
}

TEST_CASE("serialization: a failed load leaves the target and the stream's exception mask alone",
          "[serialization]") {
  using Model = emgmm::GaussianMixture<double>;
  const std::string text = reference_text(CovarianceType::spherical);
  Model model = loaded<Model>(text);
  const Model before = model;
  std::istringstream bad(with_key(text, "weights", "weights 1 1 1"));
  bad.exceptions(std::ios::failbit | std::ios::badbit | std::ios::eofbit);
  CHECK_THROWS_AS(model = Model::load(bad), emgmm::FormatError);
  check_same_model(before, model);
  // The same mask on a good text: the model loads, no std::ios_base::failure escapes.
  std::istringstream good(text.substr(0, text.size() - 1));  // no final newline
  good.exceptions(std::ios::failbit | std::ios::badbit);
  CHECK_NOTHROW(model = Model::load(good));
  std::istringstream failed(text);
  failed.setstate(std::ios::failbit);
  CHECK_THROWS_AS(Model::load(failed), emgmm::FormatError);
}

TEST_CASE("serialization: a KMeans whose inertia overflowed loads back", "[serialization]") {
  // Blobs scaled so that every squared distance between points fits in a double (fit accepts
  // the data) but their sum over 40000 points does not: the inertia is +inf (as in sklearn);
  // the clustering itself is sound.
  Eigen::MatrixXd X =
      emgmm_test::draw(emgmm_test::three_blobs(2, CovarianceType::full), 40000, 9).X;
  X *= 1.5e153 / (X.colwise().maxCoeff() - X.colwise().minCoeff()).maxCoeff();
  emgmm::KMeans<double> model(3);
  model.fit(X);
  INFO("inertia " << model.inertia());
  REQUIRE(std::isinf(model.inertia()));
  REQUIRE(model.cluster_centers().allFinite());
  const auto copy = loaded<emgmm::KMeans<double>>(saved(model));
  CHECK(std::isinf(copy.inertia()));
  CHECK(copy.labels() == model.labels());
  CHECK(bit_identical(copy.cluster_centers(), model.cluster_centers()));
}
