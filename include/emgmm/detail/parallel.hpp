#ifndef EMGMM_DETAIL_PARALLEL_HPP
#define EMGMM_DETAIL_PARALLEL_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

#include <algorithm>
#include <exception>
#include <mutex>

#include <Eigen/Core>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace emgmm {
namespace detail {

/// Rows handed to one kernel call when nothing better is known.
constexpr Eigen::Index kBlockRows = 256;

/// Rows per block for a mixture pass: about 128K scalars of scratch so that it stays in a
/// core's L2 cache; small problems get long blocks, which amortize the per-block overhead.
/// `products_per_row` is the per-point scratch beyond the block itself and its K log-densities
/// (full and tied: a D-column product per component; diag and spherical: none).
inline Eigen::Index block_rows_for(Eigen::Index n_features, Eigen::Index n_components,
                                   Eigen::Index products_per_row) {
  const Eigen::Index per_row = 3 * n_features + n_components + products_per_row;
  const Eigen::Index rows = (Eigen::Index{128} * 1024) / std::max<Eigen::Index>(1, per_row);
  return std::max<Eigen::Index>(64, std::min<Eigen::Index>(2048, rows / 32 * 32));
}

/// How a pass over n rows is cut into chunks of blocks. The cut depends only on the problem's
/// size, never on the thread count, and chunk results are combined in chunk order, so a fit
/// gives bit-identical results with 1, 2 or 16 threads.
struct ChunkPlan {
  Eigen::Index n_rows = 0;
  Eigen::Index block_rows = kBlockRows;
  Eigen::Index chunk_rows = 0;
  Eigen::Index n_chunks = 0;

  /// `bytes_per_chunk` is the size of one chunk's partial statistics: the number of chunks is
  /// capped so that all partial statistics together stay within about 256 MiB.
  static ChunkPlan make(Eigen::Index n_rows, Eigen::Index block_rows = kBlockRows,
                        double bytes_per_chunk = 0.0) {
    constexpr Eigen::Index kMaxChunks = 64;
    constexpr double kBudgetBytes = 256.0 * 1024.0 * 1024.0;
    Eigen::Index max_chunks = kMaxChunks;
    if (bytes_per_chunk > 0.0) {
      max_chunks = std::max<Eigen::Index>(
          1, std::min<Eigen::Index>(kMaxChunks,
                                    static_cast<Eigen::Index>(kBudgetBytes / bytes_per_chunk)));
    }
    ChunkPlan plan;
    plan.n_rows = n_rows;
    plan.block_rows = block_rows;
    const Eigen::Index n_blocks = std::max<Eigen::Index>(1, (n_rows + block_rows - 1) / block_rows);
    const Eigen::Index blocks_per_chunk = (n_blocks + max_chunks - 1) / max_chunks;
    plan.chunk_rows = blocks_per_chunk * block_rows;
    plan.n_chunks = std::max<Eigen::Index>(1, (n_rows + plan.chunk_rows - 1) / plan.chunk_rows);
    return plan;
  }

  Eigen::Index begin(Eigen::Index chunk) const { return chunk * chunk_rows; }
  Eigen::Index end(Eigen::Index chunk) const { return std::min(n_rows, (chunk + 1) * chunk_rows); }

  /// Calls body(start, rows) for the consecutive blocks of one chunk.
  template <typename Body>
  void for_each_block(Eigen::Index chunk, Body&& body) const {
    const Eigen::Index last = end(chunk);
    for (Eigen::Index start = begin(chunk); start < last; start += block_rows) {
      body(start, std::min(block_rows, last - start));
    }
  }
};

/// Runs body(chunk) for every chunk, in parallel when compiled with OpenMP. The first
/// exception thrown by any chunk is rethrown here, after all threads have stopped.
template <typename Body>
void for_each_chunk(const ChunkPlan& plan, Body&& body) {
#ifdef _OPENMP
  if (plan.n_chunks > 1 && omp_get_max_threads() > 1 && !omp_in_parallel()) {
    std::exception_ptr failure;
    std::mutex failure_mutex;
#pragma omp parallel for schedule(dynamic, 1)
    for (Eigen::Index chunk = 0; chunk < plan.n_chunks; ++chunk) {
      try {
        body(chunk);
      } catch (...) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure) failure = std::current_exception();
      }
    }
    if (failure) std::rethrow_exception(failure);
    return;
  }
#endif
  for (Eigen::Index chunk = 0; chunk < plan.n_chunks; ++chunk) body(chunk);
}

/// Calls body(begin, rows) for consecutive blocks of at most kBlockRows rows in [begin, end).
template <typename Body>
void for_each_block(Eigen::Index begin, Eigen::Index end, Body&& body) {
  for (Eigen::Index start = begin; start < end; start += kBlockRows) {
    body(start, std::min(kBlockRows, end - start));
  }
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_PARALLEL_HPP
