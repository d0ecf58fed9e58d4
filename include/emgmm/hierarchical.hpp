#ifndef EMGMM_HIERARCHICAL_HPP
#define EMGMM_HIERARCHICAL_HPP

#include "detail/diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

/// mclust's default initialization: model-based agglomerative hierarchical clustering (VVV
/// merges on the "SVD"-transformed data), and its partitions into G groups. The algorithm and
/// its tie rule are described in detail/hierarchical.hpp.

#include <array>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "detail/hierarchical.hpp"
#include "detail/validation.hpp"
#include "errors.hpp"

namespace emgmm {

/// The merge sequence of a hierarchical clustering of n points: n - 1 merges, each naming the
/// two groups by their smallest point index (0-based), smaller first; the merged group keeps
/// the smaller label (R's hc() object, transposed and 0-based).
struct HierarchicalMerges {
  Eigen::Index n_samples = 0;
  std::vector<std::array<Eigen::Index, 2>> pairs;
};

/// mclust's hc(X, modelName = "VVV", use = "SVD") as mclustBIC() and Mclust() call it: X's
/// columns standardized and rotated onto their principal axes scaled by 1 / sqrt(singular
/// value), then groups merged two at a time, always the pair whose merge lowers the VVV
/// classification likelihood least (alpha = beta = 1). The same merges as mclust 6.0, ties
/// included (tests/test_hierarchical.cpp). O(n^2) memory (the table of merge costs, as
/// mclust's) and O(n^2 D^3 + n^3) time.
///
/// Throws InvalidArgument when X has fewer than 2 rows, more than 10000 (the cost table would
/// take more than 400 MB; cluster a random subset, as mclust does above 2000 points), a
/// non-finite value, only constant columns, or linearly dependent columns.
template <typename Derived>
HierarchicalMerges hierarchical_merges(const Eigen::MatrixBase<Derived>& X) {
  const std::string where = "hierarchical_merges";
  detail::check_data<double, Eigen::Dynamic>(X, where, 2);
  const Eigen::Index n = X.rows();
  if (n > detail::kMaxHierarchicalPoints) {
    detail::fail(where, "X has " + detail::to_text(n) +
                            " rows; the clustering keeps all n (n - 1) / 2 merge costs (O(n^2) "
                            "memory, as mclust's hc), so it accepts at most " +
                            detail::to_text(detail::kMaxHierarchicalPoints) +
                            " rows. Cluster a random subset of the rows (mclust uses 2000) and "
                            "start EM from that.");
  }
  Eigen::Index p = 0;
  const std::vector<double> Z = detail::mclust_svd_transform(X, p, where);
  detail::VvvAgglomeration<double> agglomeration(Z, n, p);
  HierarchicalMerges merges;
  merges.n_samples = n;
  merges.pairs.reserve(static_cast<std::size_t>(n - 1));
  while (agglomeration.groups() > 1) merges.pairs.push_back(agglomeration.merge_next());
  return merges;
}

/// The partition into `n_groups` groups after the first n - n_groups merges (mclust's
/// hclass): one label per point, 0 .. n_groups - 1, numbered in order of first appearance.
/// Throws InvalidArgument when n_groups is outside 1 .. merges.n_samples or `merges` is not a
/// valid merge sequence.
inline std::vector<int> hierarchical_partition(const HierarchicalMerges& merges,
                                               Eigen::Index n_groups) {
  const std::string where = "hierarchical_partition";
  const Eigen::Index n = merges.n_samples;
  if (n_groups < 1 || n_groups > n) {
    detail::fail(where, "n_groups = " + detail::to_text(n_groups) + " but the clustering has " +
                            detail::to_text(n) + " points; pass 1 .. " + detail::to_text(n) + ".");
  }
  const auto merges_needed = static_cast<std::size_t>(n - n_groups);
  if (merges.pairs.size() < merges_needed) {
    detail::fail(where, "merges holds " + detail::to_text(merges.pairs.size()) +
                            " merges, fewer than the " + detail::to_text(merges_needed) +
                            " needed for " + detail::to_text(n_groups) +
                            " groups; pass the result of hierarchical_merges.");
  }
  // parent[j] = the label group j was merged into; a group's label is its smallest point.
  std::vector<Eigen::Index> parent(static_cast<std::size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) parent[static_cast<std::size_t>(i)] = i;
  for (std::size_t s = 0; s < merges_needed; ++s) {
    const Eigen::Index a = merges.pairs[s][0];
    const Eigen::Index b = merges.pairs[s][1];
    if (!(0 <= a && a < b && b < n) || parent[static_cast<std::size_t>(a)] != a ||
        parent[static_cast<std::size_t>(b)] != b) {
      detail::fail(where, "merge " + detail::to_text(s) + " (" + detail::to_text(a) + ", " +
                              detail::to_text(b) +
                              ") does not join two current groups; pass the result of "
                              "hierarchical_merges.");
    }
    parent[static_cast<std::size_t>(b)] = a;
  }
  std::vector<int> group_of_label(static_cast<std::size_t>(n), -1);
  std::vector<int> partition(static_cast<std::size_t>(n));
  int next = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    Eigen::Index root = i;
    while (parent[static_cast<std::size_t>(root)] != root) {
      root = parent[static_cast<std::size_t>(root)];
    }
    int& group = group_of_label[static_cast<std::size_t>(root)];
    if (group < 0) group = next++;
    partition[static_cast<std::size_t>(i)] = group;
  }
  return partition;
}

/// hierarchical_partition(hierarchical_merges(X), n_groups): mclust's default starting
/// partition for EM with n_groups components. Throws as those two do.
template <typename Derived>
std::vector<int> hierarchical_partition(const Eigen::MatrixBase<Derived>& X, int n_groups) {
  return hierarchical_partition(hierarchical_merges(X), n_groups);
}

}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_HIERARCHICAL_HPP
