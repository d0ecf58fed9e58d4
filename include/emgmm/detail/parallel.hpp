#ifndef EMGMM_DETAIL_PARALLEL_HPP
#define EMGMM_DETAIL_PARALLEL_HPP

#include <algorithm>
#include <exception>
#include <mutex>

#include <Eigen/Core>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace emgmm {
namespace detail {

/// Rows handed to one kernel call: large enough for matrix-product speed, small enough that
/// the block, its K log-densities and responsibilities stay in cache.
constexpr Eigen::Index kBlockRows = 256;

/// How a pass over n rows is cut into chunks. The cut depends only on the problem's size,
/// never on the thread count, and chunk results are combined in chunk order, so a fit gives
/// bit-identical results with 1, 2 or 16 threads.
struct ChunkPlan {
  Eigen::Index n_rows = 0;
  Eigen::Index chunk_rows = 0;
  Eigen::Index n_chunks = 0;

  /// `bytes_per_chunk` is the size of one chunk's partial statistics: the number of chunks is
  /// capped so that all partial statistics together stay within about 256 MiB.
  static ChunkPlan make(Eigen::Index n_rows, double bytes_per_chunk = 0.0) {
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
    const Eigen::Index n_blocks = std::max<Eigen::Index>(1, (n_rows + kBlockRows - 1) / kBlockRows);
    const Eigen::Index blocks_per_chunk = (n_blocks + max_chunks - 1) / max_chunks;
    plan.chunk_rows = blocks_per_chunk * kBlockRows;
    plan.n_chunks = std::max<Eigen::Index>(1, (n_rows + plan.chunk_rows - 1) / plan.chunk_rows);
    return plan;
  }

  Eigen::Index begin(Eigen::Index chunk) const { return chunk * chunk_rows; }
  Eigen::Index end(Eigen::Index chunk) const { return std::min(n_rows, (chunk + 1) * chunk_rows); }
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

#endif  // EMGMM_DETAIL_PARALLEL_HPP
