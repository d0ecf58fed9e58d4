// Distributed EM over MPI: each process (rank) holds one shard of the data, and all of them fit
// the one Gaussian mixture of the whole data set.
//
//   mpirun -np 4 ./build/examples/mpi_fit            # fit, print the model
//   mpirun -np 4 ./build/examples/mpi_fit --check    # and compare with a one-process fit
//
// 1. Start: every rank sends every 20th point of its shard (by global row number, so the sample
//    does not depend on the number of ranks) to rank 0, which fits a mixture on that sample
//    and broadcasts its weights, means and precisions: every rank starts from the same model.
// 2. EM: every rank calls fit() on its shard with GaussianMixtureOptions::statistics_reducer
//    set. On every iteration the reducer gathers all ranks' E-step statistics (as flat
//    buffers, MPI_Allgather) and adds them in rank order, so that every rank takes the same
//    M-step, to the last bit, and stops at the same iteration.
// 3. Labels stay where the points are; rank 0 gathers them only to print a summary.
//
// With --check, rank 0 also fits the whole data set in one process from the same start and
// exits with 1 unless the distributed model equals it to 1e-12 relative, with the same labels
// and iterations, and every rank holds the identical model. ctest runs it with 1, 2 and 4
// ranks (examples/CMakeLists.txt).
//
// The data (60000 points from four overlapping 3-D Gaussians) is generated from a fixed seed by
// every rank, which keeps its own rows: a stand-in for each process reading its own part of a file.

#include <emgmm/emgmm.hpp>

#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <random>
#include <vector>

namespace {

constexpr int kComponents = 4;
constexpr int kFeatures = 3;
constexpr Eigen::Index kPoints = 60000;
constexpr Eigen::Index kSampleEvery = 20;

using Model = emgmm::GaussianMixture<double>;

/// The whole data set: four Gaussians with different shapes in 3-D, from a fixed seed (raw
/// std::mt19937_64 output and Box–Muller, so every rank and standard library draws the same).
Eigen::MatrixXd make_data() {
  std::mt19937_64 engine(2024);
  const auto uniform = [&] { return (static_cast<double>(engine() >> 11) + 0.5) * 0x1.0p-53; };
  const double centers[kComponents][kFeatures] = {
      {0, 0, 0}, {3, 0.5, -1}, {-2, 2.5, 1.5}, {1, -3, 2}};
  const double scales[kComponents][kFeatures] = {
      {1.0, 0.5, 0.8}, {0.6, 1.4, 0.7}, {1.2, 0.9, 0.5}, {0.7, 0.7, 1.5}};
  Eigen::MatrixXd X(kPoints, kFeatures);
  for (Eigen::Index i = 0; i < kPoints; ++i) {
    const auto k = static_cast<int>(engine() % kComponents);
    for (int d = 0; d < kFeatures; ++d) {
      const double normal =
          std::sqrt(-2.0 * std::log(uniform())) * std::cos(6.283185307179586 * uniform());
      X(i, d) = centers[k][d] + scales[k][d] * normal;
    }
    X(i, 2) += 0.5 * X(i, 0);  // correlated features: full covariances matter
  }
  return X;
}

/// Rows [first, first + count) of the data belong to `rank` of `size`.
void shard_of(int rank, int size, Eigen::Index& first, Eigen::Index& count) {
  first = kPoints * rank / size;
  count = kPoints * (rank + 1) / size - first;
}

/// Rank 0 fits a mixture on a sample gathered from every rank; everybody gets its parameters
/// as the start of the distributed fit.
Model::Options shared_start(const Eigen::MatrixXd& shard, Eigen::Index first, int rank, int size) {
  std::vector<double> local;  // sampled rows, row by row
  for (Eigen::Index i = 0; i < shard.rows(); ++i) {
    if ((first + i) % kSampleEvery != 0) continue;
    for (int d = 0; d < kFeatures; ++d) local.push_back(shard(i, d));
  }
  const int local_count = static_cast<int>(local.size());
  std::vector<int> counts(static_cast<std::size_t>(size)), offsets(static_cast<std::size_t>(size));
  MPI_Gather(&local_count, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<double> sample;
  if (rank == 0) {
    int total = 0;
    for (int r = 0; r < size; ++r) {
      offsets[static_cast<std::size_t>(r)] = total;
      total += counts[static_cast<std::size_t>(r)];
    }
    sample.resize(static_cast<std::size_t>(total));
  }
  MPI_Gatherv(local.data(), local_count, MPI_DOUBLE, sample.data(), counts.data(), offsets.data(),
              MPI_DOUBLE, 0, MPI_COMM_WORLD);

  Model::Options options;
  options.n_components = kComponents;
  options.random_state = 7;
  // weights, then means, then precisions, in one broadcast
  std::vector<double> start(kComponents + kComponents * kFeatures +
                            kComponents * kFeatures * kFeatures);
  if (rank == 0) {
    const Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, kFeatures, Eigen::RowMajor>>
        points(sample.data(), static_cast<Eigen::Index>(sample.size() / kFeatures), kFeatures);
    Model on_sample(options);
    on_sample.fit(points);
    double* out = start.data();
    Eigen::Map<Eigen::VectorXd>(out, kComponents) = on_sample.weights();
    out += kComponents;
    Eigen::Map<Eigen::MatrixXd>(out, kComponents, kFeatures) = on_sample.means();
    out += kComponents * kFeatures;
    Eigen::Map<Eigen::MatrixXd>(out, kComponents * kFeatures, kFeatures) = on_sample.precisions();
  }
  MPI_Bcast(start.data(), static_cast<int>(start.size()), MPI_DOUBLE, 0, MPI_COMM_WORLD);
  const double* in = start.data();
  options.weights_init = Eigen::Map<const Eigen::VectorXd>(in, kComponents);
  in += kComponents;
  options.means_init = Eigen::Map<const Eigen::MatrixXd>(in, kComponents, kFeatures);
  in += kComponents * kFeatures;
  options.precisions_init =
      Eigen::Map<const Eigen::MatrixXd>(in, kComponents * kFeatures, kFeatures);
  options.tol = 1e-9;  // a tight tolerance: many iterations, each a chance to drift apart
  return options;
}

/// The reducer: every rank's statistics, gathered as buffers and added in rank order (not
/// MPI_Allreduce, whose order of additions MPI leaves open).
void all_reduce(emgmm::SufficientStatistics& stats) {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const std::vector<double> mine = stats.to_buffer();
  std::vector<double> all(mine.size() * static_cast<std::size_t>(size));
  MPI_Allgather(mine.data(), static_cast<int>(mine.size()), MPI_DOUBLE, all.data(),
                static_cast<int>(mine.size()), MPI_DOUBLE, MPI_COMM_WORLD);
  emgmm::SufficientStatistics total =
      emgmm::SufficientStatistics::from_buffer(all.data(), mine.size());
  for (int r = 1; r < size; ++r) {
    total += emgmm::SufficientStatistics::from_buffer(
        all.data() + mine.size() * static_cast<std::size_t>(r), mine.size());
  }
  stats = std::move(total);
}

/// The model's parameters as one vector, to compare ranks.
std::vector<double> flatten(const Model& model) {
  std::vector<double> flat;
  const auto append = [&](const Eigen::MatrixXd& m) {
    flat.insert(flat.end(), m.data(), m.data() + m.size());
  };
  append(model.weights());
  append(model.means());
  append(model.covariances());
  flat.push_back(model.lower_bound());
  flat.push_back(double(model.n_iter()));
  return flat;
}

double relative_difference(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return (a - b).cwiseAbs().maxCoeff() / std::max(1.0, b.cwiseAbs().maxCoeff());
}

int run(int rank, int size, bool check) {
  const Eigen::MatrixXd data = make_data();
  Eigen::Index first = 0, count = 0;
  shard_of(rank, size, first, count);
  const Eigen::MatrixXd shard = data.middleRows(first, count);

  Model::Options options = shared_start(shard, first, rank, size);
  const Model::Options start = options;
  options.statistics_reducer = all_reduce;
  Model model(options);
  const Eigen::VectorXi local_labels = model.fit_predict(shard);

  // Gather labels and every rank's parameters on rank 0.
  std::vector<int> counts(static_cast<std::size_t>(size)), offsets(static_cast<std::size_t>(size));
  for (int r = 0; r < size; ++r) {
    Eigen::Index f = 0, c = 0;
    shard_of(r, size, f, c);
    offsets[static_cast<std::size_t>(r)] = static_cast<int>(f);
    counts[static_cast<std::size_t>(r)] = static_cast<int>(c);
  }
  Eigen::VectorXi labels(rank == 0 ? kPoints : 0);
  MPI_Gatherv(local_labels.data(), static_cast<int>(count), MPI_INT, labels.data(), counts.data(),
              offsets.data(), MPI_INT, 0, MPI_COMM_WORLD);
  const std::vector<double> mine = flatten(model);
  std::vector<double> everyone(rank == 0 ? mine.size() * static_cast<std::size_t>(size) : 0);
  MPI_Gather(mine.data(), static_cast<int>(mine.size()), MPI_DOUBLE, everyone.data(),
             static_cast<int>(mine.size()), MPI_DOUBLE, 0, MPI_COMM_WORLD);
  if (rank != 0) return 0;

  std::printf(
      "%d ranks, %lld points in shards of about %lld: converged %s after %d iterations, "
      "lower bound %.10f\n",
      size, static_cast<long long>(kPoints), static_cast<long long>(kPoints / size),
      model.converged() ? "yes" : "no", model.n_iter(), model.lower_bound());
  for (int k = 0; k < kComponents; ++k) {
    const Eigen::Index members = (labels.array() == k).count();
    std::printf("  component %d: weight %.4f, mean (%7.3f, %7.3f, %7.3f), %lld points\n", k,
                model.weights()(k), model.means()(k, 0), model.means()(k, 1), model.means()(k, 2),
                static_cast<long long>(members));
  }
  if (!check) return 0;

  bool ok = true;
  for (int r = 1; r < size; ++r) {
    if (!std::equal(mine.begin(), mine.end(),
                    everyone.begin() + static_cast<std::ptrdiff_t>(mine.size()) * r)) {
      std::printf("check failed: rank %d holds a different model than rank 0\n", r);
      ok = false;
    }
  }
  Model whole(start);
  const Eigen::VectorXi whole_labels = whole.fit_predict(data);
  const double difference =
      std::max({relative_difference(model.weights(), whole.weights()),
                relative_difference(model.means(), whole.means()),
                relative_difference(model.covariances(), whole.covariances())});
  const double bound_difference =
      std::abs(model.lower_bound() - whole.lower_bound()) / std::abs(whole.lower_bound());
  std::printf(
      "one process on all the data: %d iterations, lower bound %.10f; largest relative difference "
      "of "
      "the parameters %.2e, of the lower bound %.2e; labels %s\n",
      whole.n_iter(), whole.lower_bound(), difference, bound_difference,
      labels == whole_labels ? "identical" : "DIFFERENT");
  ok = ok && difference <= 1e-12 && bound_difference <= 1e-12 && labels == whole_labels &&
       whole.n_iter() == model.n_iter() && whole.converged() == model.converged();
  std::printf("check %s\n", ok ? "passed" : "FAILED");
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const bool check = argc > 1 && std::strcmp(argv[1], "--check") == 0;
  int status = 0;
  try {
    status = run(rank, size, check);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "rank %d: %s\n", rank, error.what());
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  MPI_Finalize();
  return status;
}
