#ifndef EMGMM_DETAIL_RANDOM_HPP
#define EMGMM_DETAIL_RANDOM_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <unordered_set>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "row_source.hpp"
#include "top_k.hpp"

namespace emgmm {
namespace detail {

/// emgmm's only source of randomness. std::mt19937_64's output sequence is fixed by the C++
/// standard, but the standard distributions are not, so every draw is derived here from raw
/// engine output: the same seed gives the same numbers with every standard library.
class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}

  /// A seed from the user's random_state, or a fresh one from std::random_device (sklearn's
  /// random_state=None).
  static std::uint64_t seed_from(const std::optional<std::uint64_t>& random_state) {
    if (random_state) return *random_state;
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) ^ static_cast<std::uint64_t>(device());
  }

  std::uint64_t next_u64() { return engine_(); }

  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  /// Uniform integer in [0, n), without modulo bias (rejection sampling).
  std::uint64_t randint(std::uint64_t n) {
    const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % n);
    std::uint64_t draw = engine_();
    while (draw >= limit) draw = engine_();
    return draw % n;
  }

  /// Standard normal by the Box–Muller transform; the second value of each pair is kept.
  double standard_normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u1 = uniform();
    while (u1 <= 0.0) u1 = uniform();
    const double u2 = uniform();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 2.0 * 3.14159265358979323846 * u2;
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

  /// `count` distinct indices from [0, n), uniformly, in the order drawn. Robert Floyd's
  /// algorithm: O(count) time and memory, however large n is.
  std::vector<Eigen::Index> choice_without_replacement(Eigen::Index n, Eigen::Index count) {
    std::vector<Eigen::Index> chosen;
    chosen.reserve(static_cast<std::size_t>(count));
    std::unordered_set<Eigen::Index> seen;
    for (Eigen::Index j = n - count; j < n; ++j) {
      Eigen::Index draw = static_cast<Eigen::Index>(randint(static_cast<std::uint64_t>(j + 1)));
      if (!seen.insert(draw).second) {
        draw = j;
        seen.insert(j);
      }
      chosen.push_back(draw);
    }
    return chosen;
  }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

/// A stateless uniform draw in (0, 1] for (seed, index): splitmix64 of the pair. Lets a
/// parallel pass give every sample its own numbers, identical for any thread count.
inline double hashed_uniform(std::uint64_t seed, std::uint64_t index) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (index + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return (static_cast<double>(z >> 11) + 1.0) * 0x1.0p-53;
}

/// `count` distinct rows of X, uniformly (Random::choice_without_replacement), or with sample
/// weights drawn one after another with probability proportional to weight among the rows not
/// yet drawn (Efraimidis & Spirakis' keys log(u_i) / w_i, the largest `count` in decreasing
/// order; rows of weight 0 are never drawn). Needs `count` rows of positive weight.
template <typename Scalar, int Dim>
std::vector<Eigen::Index> random_rows(const RowSource<Scalar, Dim>& X, Eigen::Index count,
                                      Random& random) {
  if (!X.weighted()) return random.choice_without_replacement(X.rows(), count);
  using Keyed = std::pair<double, Eigen::Index>;
  // a before b when a's key is larger, or equal and a's index lower: a strict total order.
  const auto larger = [](const Keyed& a, const Keyed& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  };
  const std::uint64_t seed = random.next_u64();
  const auto keep = static_cast<std::size_t>(count);
  std::vector<Keyed> best;
  best.reserve(keep + 1);
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const double w = X.weight(i);
    if (w == 0.0) continue;
    offer_top_k(best, Keyed(std::log(hashed_uniform(seed, static_cast<std::uint64_t>(i))) / w, i),
                keep, larger);
  }
  std::sort(best.begin(), best.end(), larger);
  std::vector<Eigen::Index> rows;
  for (const Keyed& keyed : best) rows.push_back(keyed.second);
  return rows;
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_RANDOM_HPP
