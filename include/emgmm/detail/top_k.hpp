#ifndef EMGMM_DETAIL_TOP_K_HPP
#define EMGMM_DETAIL_TOP_K_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

#include <algorithm>
#include <cstddef>
#include <vector>

namespace emgmm {
namespace detail {

/// Offers `item` to `kept`, a heap of at most `keep` items ordered by `before` (a strict total
/// order: before(a, b) when a ranks ahead of b) whose front is the last-ranked kept item. After
/// a stream of offers `kept` holds the `keep` first-ranked items of the stream (sort it with
/// `before` to list them in rank order): O(log keep) per offer and O(keep) memory.
template <typename Item, typename Before>
void offer_top_k(std::vector<Item>& kept, const Item& item, std::size_t keep, Before before) {
  if (keep == 0) return;
  if (kept.size() == keep && !before(item, kept.front())) return;
  kept.push_back(item);
  std::push_heap(kept.begin(), kept.end(), before);
  if (kept.size() > keep) {
    std::pop_heap(kept.begin(), kept.end(), before);
    kept.pop_back();
  }
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_TOP_K_HPP
