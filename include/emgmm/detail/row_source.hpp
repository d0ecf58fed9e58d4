#ifndef EMGMM_DETAIL_ROW_SOURCE_HPP
#define EMGMM_DETAIL_ROW_SOURCE_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

#include <type_traits>

#include <Eigen/Core>

#include "packet.hpp"

namespace emgmm {
namespace detail {

/// A block of rows as the passes read it: in X itself when X keeps its columns contiguous in
/// the model's Scalar, else in a converted copy (RowSource::view).
template <typename Scalar, int Dim>
using BlockView = Eigen::Map<const Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>, Eigen::Unaligned,
                             Eigen::OuterStride<>>;

/// The user's data seen as blocks of rows in the model's Scalar. Every Eigen expression type
/// (column- or row-major matrix, Map, block, another scalar type) gets only a tiny loader;
/// the passes over the data are compiled once per (Scalar, Dim), not once per input type.
/// Optionally carries the samples' weights (fit's sample_weight, validated, in double); every
/// pass over the data reads them from here. Holds pointers to the expression and the weights:
/// valid only during the call that made it.
template <typename Scalar, int Dim>
class RowSource {
 public:
  using Block = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  using RowPoint = Eigen::Matrix<Scalar, 1, Dim>;

  template <typename Derived>
  explicit RowSource(const Eigen::MatrixBase<Derived>& X)
      : data_(&X.derived()), rows_(X.rows()), cols_(X.cols()), load_(&load_rows<Derived>) {
    set_in_place(X.derived());
  }

  /// X with one weight per row (sample_weight.size() == X.rows(), entries >= 0, not all 0).
  template <typename Derived>
  RowSource(const Eigen::MatrixBase<Derived>& X, const Eigen::VectorXd& sample_weight)
      : RowSource(X) {
    weights_ = sample_weight.data();
  }

  Eigen::Index rows() const { return rows_; }
  Eigen::Index cols() const { return cols_; }

  /// Whether the rows carry weights; without, every weight is 1.
  bool weighted() const { return weights_ != nullptr; }
  /// The weight of row i (1 when unweighted).
  double weight(Eigen::Index i) const { return weights_ ? weights_[i] : 1.0; }
  /// The sum of the weights (the number of rows when unweighted).
  double total_weight() const { return weighted() ? weights(0, rows_).sum() : double(rows_); }
  /// The weights of rows [start, start + count); only when weighted().
  Eigen::Map<const Eigen::VectorXd> weights(Eigen::Index start, Eigen::Index count) const {
    return Eigen::Map<const Eigen::VectorXd>(weights_ + start, count);
  }

  /// Rows [start, start + count) converted to Scalar, into `block` (resized as needed).
  void load(Eigen::Index start, Eigen::Index count, Block& block) const {
    load_(data_, start, count, block);
  }

  using BlockView = detail::BlockView<Scalar, Dim>;

  /// Rows [start, start + count) as a block: read in place when X keeps its columns
  /// contiguous in Scalar (a column-major Matrix, Map or block of Scalar), else loaded (converted)
  /// into `scratch`. Valid while X and `scratch` are; a pass that only reads its rows saves the
  /// copy, which costs about as much again as reading them.
  BlockView view(Eigen::Index start, Eigen::Index count, Block& scratch) const {
    if (in_place_)
      return BlockView(in_place_ + start, count, cols_, Eigen::OuterStride<>(column_stride_));
    load(start, count, scratch);
    return BlockView(scratch.data(), count, cols_, Eigen::OuterStride<>(count));
  }

  /// The first `n` rows of the same X (and weights), read as this source reads them.
  RowSource first_rows(Eigen::Index n) const {
    RowSource head = *this;
    head.rows_ = n;
    return head;
  }

  /// One row as a point.
  RowPoint row(Eigen::Index i) const {
    Block one;
    load(i, 1, one);
    return one;
  }

 private:
  template <typename Derived>
  static void load_rows(const void* data, Eigen::Index start, Eigen::Index count, Block& block) {
    const Derived& X = *static_cast<const Derived*>(data);
    constexpr bool row_major = (int(Derived::Flags) & Eigen::RowMajorBit) != 0 &&
                               (int(Derived::Flags) & Eigen::DirectAccessBit) != 0;
    if constexpr (row_major) {
      load_row_major(X.data() + start * X.outerStride(), X.outerStride(), X.innerStride(), count,
                     X.cols(), block);
    } else {
      block = X.middleRows(start, count).template cast<Scalar>();
    }
  }

  /// A row-major block (row i, feature d at source[i * row_stride + d * inner_stride]) into a
  /// column-major one, four features per sweep down the rows: each source row is read a
  /// cache line at a time and only four output columns are written at once. (Eigen's
  /// assignment walks one output column at a time, reading the source with a stride of a row,
  /// and takes twice as long.)
  template <typename Source>
  static void load_row_major(const Source* source, Eigen::Index row_stride,
                             Eigen::Index inner_stride, Eigen::Index count, Eigen::Index D,
                             Block& block) {
    block.resize(count, D);
    Eigen::Index d = 0;
    if constexpr (std::is_same<Source, Scalar>::value && kPacketSize < Scalar >> 1) {
      if (inner_stride == 1) d = transpose_packets(source, row_stride, count, D, block.data());
    }
    for (; d + 4 <= D; d += 4) {
      Scalar* out = block.data() + d * count;
      for (Eigen::Index i = 0; i < count; ++i) {
        const Source* in = source + i * row_stride + d * inner_stride;
        out[i] = static_cast<Scalar>(in[0]);
        out[count + i] = static_cast<Scalar>(in[inner_stride]);
        out[2 * count + i] = static_cast<Scalar>(in[2 * inner_stride]);
        out[3 * count + i] = static_cast<Scalar>(in[3 * inner_stride]);
      }
    }
    for (; d < D; ++d) {
      Scalar* out = block.data() + d * count;
      for (Eigen::Index i = 0; i < count; ++i)
        out[i] = static_cast<Scalar>(source[i * row_stride + d * inner_stride]);
    }
  }

  /// The first columns of load_row_major for a source of Scalar with contiguous rows: tiles
  /// of S x S values (S = the packet size) transposed in registers, so that rows are read and
  /// columns written a packet at a time. Covers all rows of the first D / S * S columns (the
  /// last count % S rows one by one); returns how many columns it did.
  static Eigen::Index transpose_packets(const Scalar* source, Eigen::Index row_stride,
                                        Eigen::Index count, Eigen::Index D, Scalar* out) {
    namespace ei = Eigen::internal;
    using P = Packet<Scalar>;
    constexpr Eigen::Index S = kPacketSize<Scalar>;
    const Eigen::Index columns = D / S * S;
    Eigen::Index i = 0;
    for (; i + S <= count; i += S) {
      for (Eigen::Index d = 0; d < columns; d += S) {
        ei::PacketBlock<P, S> tile;
        for (Eigen::Index j = 0; j < S; ++j) {
          tile.packet[j] = ei::ploadu<P>(source + (i + j) * row_stride + d);
        }
        ei::ptranspose(tile);
        for (Eigen::Index j = 0; j < S; ++j) ei::pstoreu(out + (d + j) * count + i, tile.packet[j]);
      }
    }
    for (; i < count; ++i) {
      for (Eigen::Index d = 0; d < columns; ++d) out[d * count + i] = source[i * row_stride + d];
    }
    return columns;
  }

  template <typename Derived>
  void set_in_place(const Derived& X) {
    constexpr bool contiguous_columns = std::is_same<typename Derived::Scalar, Scalar>::value &&
                                        (int(Derived::Flags) & Eigen::DirectAccessBit) != 0 &&
                                        (int(Derived::Flags) & Eigen::RowMajorBit) == 0 &&
                                        int(Derived::InnerStrideAtCompileTime) == 1;
    if constexpr (contiguous_columns) {
      in_place_ = X.data();
      column_stride_ = X.outerStride();
    }
  }

  const void* data_;
  Eigen::Index rows_;
  Eigen::Index cols_;
  void (*load_)(const void*, Eigen::Index, Eigen::Index, Block&);
  const double* weights_ = nullptr;
  const Scalar* in_place_ = nullptr;  // X's row 0, feature 0, when X can be read in place
  Eigen::Index column_stride_ = 0;    // from one of X's columns to the next, then
};

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_ROW_SOURCE_HPP
