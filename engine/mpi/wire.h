// The bytes of MPI messages: what a worker rank sends the manager (a block's indicator moments, a
// rank's order-free counts, a design point's result), written and read back exactly.
//
// Values are copied in the sending machine's byte order and width: every rank of a job must run
// the same build on the same kind of CPU (as a cluster partition does). A reader never trusts its
// input: a truncated or malformed message throws std::runtime_error rather than reading past the
// end.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "geosim/stats.h"
#include "geosim/summary.h"
#include "geosim/sweep.h"

namespace geosim::mpi {

class WireWriter {
 public:
  template <class T>
  void put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    bytes_.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  template <class T>
  void put_vector(const std::vector<T>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    put(static_cast<std::uint64_t>(v.size()));
    bytes_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
  void put_string(const std::string& s) {
    put(static_cast<std::uint64_t>(s.size()));
    bytes_.append(s);
  }
  [[nodiscard]] std::string& bytes() { return bytes_; }

 private:
  std::string bytes_;
};

class WireReader {
 public:
  WireReader(const char* data, std::size_t size) : p_(data), end_(data + size) {}
  explicit WireReader(const std::string& s) : WireReader(s.data(), s.size()) {}

  template <class T>
  T get() {
    static_assert(std::is_trivially_copyable_v<T>);
    T v;
    std::memcpy(&v, take(sizeof v), sizeof v);
    return v;
  }
  template <class T>
  std::vector<T> get_vector() {
    static_assert(std::is_trivially_copyable_v<T>);
    const auto n = get<std::uint64_t>();
    if (n > remaining() / sizeof(T))
      throw std::runtime_error("MPI message: a vector runs past the end");
    std::vector<T> v(static_cast<std::size_t>(n));
    std::memcpy(v.data(), take(v.size() * sizeof(T)), v.size() * sizeof(T));
    return v;
  }
  std::string get_string() {
    const auto n = get<std::uint64_t>();
    if (n > remaining()) throw std::runtime_error("MPI message: a string runs past the end");
    return std::string(take(static_cast<std::size_t>(n)), static_cast<std::size_t>(n));
  }
  [[nodiscard]] std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }
  // Every message is read to its last byte; anything left means sender and reader disagree.
  void expect_end() const {
    if (p_ != end_) throw std::runtime_error("MPI message: unexpected bytes after the end");
  }

 private:
  const char* take(std::size_t n) {
    if (n > remaining()) throw std::runtime_error("MPI message: truncated");
    const char* at = p_;
    p_ += n;
    return at;
  }
  const char* p_;
  const char* end_;
};

// The order-free counts of an Accumulator (runs, decisions, outcome counts, histograms, sketches,
// non-finite counts), each vector with the size it has. Moments are not sent this way: they
// travel per block.
void put_counts(WireWriter& w, const Accumulator& a);
// Replaces the counts of `a` (an Accumulator of the same model) by those read.
void get_counts(WireReader& r, Accumulator& a);

void put_point_result(WireWriter& w, const study::PointResult& p);
study::PointResult get_point_result(WireReader& r);

}  // namespace geosim::mpi

namespace geosim {

// The sketches' private state on the wire (the friend declared in stats.h). Exact round trips:
// the copy has the same state as the original, so its merges and quantiles give the same bits.
struct StatsWire {
  static void put(mpi::WireWriter& w, const QuantileSketch& s);
  static QuantileSketch get_sketch(mpi::WireReader& r);
  static void put(mpi::WireWriter& w, const IntHistogram& h);
  static IntHistogram get_histogram(mpi::WireReader& r);
};

}  // namespace geosim
