#include "mpi/wire.h"

namespace geosim {

void StatsWire::put(mpi::WireWriter& w, const QuantileSketch& s) {
  w.put(s.count_);
  w.put(s.min_);
  w.put(s.max_);
  w.put(s.zeros_);
  w.put(static_cast<std::uint8_t>(s.exact_));
  w.put(static_cast<std::uint8_t>(s.integral_));
  w.put(static_cast<std::int32_t>(s.n_exact_));
  for (int i = 0; i < s.n_exact_; ++i) {
    w.put(s.exact_value_[static_cast<std::size_t>(i)]);
    w.put(s.exact_count_[static_cast<std::size_t>(i)]);
  }
  for (const auto* store : {&s.pos_, &s.neg_}) {
    w.put(store->offset);
    w.put_vector(store->counts);
  }
}

QuantileSketch StatsWire::get_sketch(mpi::WireReader& r) {
  QuantileSketch s;
  s.count_ = r.get<std::uint64_t>();
  s.min_ = r.get<double>();
  s.max_ = r.get<double>();
  s.zeros_ = r.get<std::uint64_t>();
  s.exact_ = r.get<std::uint8_t>() != 0;
  s.integral_ = r.get<std::uint8_t>() != 0;
  const auto n_exact = r.get<std::int32_t>();
  if (n_exact < 0 || n_exact > QuantileSketch::kExactCapacity)
    throw std::runtime_error(
        "MPI message: a quantile sketch with an impossible number of exact values");
  s.n_exact_ = n_exact;
  for (int i = 0; i < s.n_exact_; ++i) {
    s.exact_value_[static_cast<std::size_t>(i)] = r.get<double>();
    s.exact_count_[static_cast<std::size_t>(i)] = r.get<std::uint64_t>();
  }
  for (auto* store : {&s.pos_, &s.neg_}) {
    store->offset = r.get<std::int32_t>();
    store->counts = r.get_vector<std::uint64_t>();
  }
  return s;
}

void StatsWire::put(mpi::WireWriter& w, const IntHistogram& h) {
  w.put(h.total_);
  w.put_vector(h.counts_);
}

IntHistogram StatsWire::get_histogram(mpi::WireReader& r) {
  IntHistogram h;
  h.total_ = r.get<std::uint64_t>();
  h.counts_ = r.get_vector<std::uint64_t>();
  return h;
}

namespace mpi {

namespace {

template <class T, class Put>
void put_each(WireWriter& w, const std::vector<T>& v, Put put) {
  w.put(static_cast<std::uint64_t>(v.size()));
  for (const T& x : v) put(w, x);
}

template <class T, class Get>
std::vector<T> get_each(WireReader& r, Get get) {
  const auto n = r.get<std::uint64_t>();
  // Each element takes at least 8 bytes: a count larger than that is a corrupt message, not a
  // request to allocate.
  if (n > r.remaining() / 8) throw std::runtime_error("MPI message: a list runs past the end");
  std::vector<T> v;
  v.reserve(static_cast<std::size_t>(n));
  for (std::uint64_t i = 0; i < n; ++i) v.push_back(get(r));
  return v;
}

}  // namespace

void put_counts(WireWriter& w, const Accumulator& a) {
  w.put(a.runs);
  w.put(a.decisions);
  w.put_vector(a.end_state_count);
  w.put_vector(a.highest_rung_count);
  const auto histogram = [](WireWriter& o, const IntHistogram& h) { StatsWire::put(o, h); };
  put_each(w, a.first_arrival, histogram);
  put_each(w, a.end_tick, histogram);
  put_each(w, a.ind_sketch, [](WireWriter& o, const QuantileSketch& s) { StatsWire::put(o, s); });
  w.put_vector(a.non_finite_runs);
  w.put_vector(a.non_finite_first_tick);
}

void get_counts(WireReader& r, Accumulator& a) {
  a.runs = r.get<std::uint64_t>();
  a.decisions = r.get<std::uint64_t>();
  a.end_state_count = r.get_vector<std::uint64_t>();
  a.highest_rung_count = r.get_vector<std::uint64_t>();
  a.first_arrival = get_each<IntHistogram>(r, StatsWire::get_histogram);
  a.end_tick = get_each<IntHistogram>(r, StatsWire::get_histogram);
  a.ind_sketch = get_each<QuantileSketch>(r, StatsWire::get_sketch);
  a.non_finite_runs = r.get_vector<std::uint64_t>();
  a.non_finite_first_tick = r.get_vector<std::int32_t>();
  if (a.non_finite_first_tick.size() != a.non_finite_runs.size())
    throw std::runtime_error("MPI message: the non-finite counts disagree in length");
}

void put_point_result(WireWriter& w, const study::PointResult& p) {
  w.put(static_cast<std::uint8_t>(p.ok));
  w.put_string(p.error);
  w.put(p.runs);
  for (const auto* v : {&p.value, &p.se, &p.lo, &p.hi}) w.put_vector(*v);
}

study::PointResult get_point_result(WireReader& r) {
  study::PointResult p;
  p.ok = r.get<std::uint8_t>() != 0;
  p.error = r.get_string();
  p.runs = r.get<std::uint64_t>();
  for (auto* v : {&p.value, &p.se, &p.lo, &p.hi}) *v = r.get_vector<double>();
  return p;
}

}  // namespace mpi

}  // namespace geosim
