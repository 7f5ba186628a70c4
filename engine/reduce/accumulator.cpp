#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "geosim/summary.h"

namespace geosim {

std::int32_t default_quantile_every(const Model& m) {
  return std::max(1, static_cast<std::int32_t>(std::lround(28.0 / std::max(1, m.tick_days))));
}

Accumulator::Accumulator(const Model& m, std::int32_t every)
    : end_state_count(static_cast<std::size_t>(m.n_end_states() + 1), 0),
      highest_rung_count(static_cast<std::size_t>(m.n_rungs), 0),
      first_arrival(static_cast<std::size_t>(m.n_rungs), IntHistogram(m.horizon + 1)),
      end_tick(static_cast<std::size_t>(m.n_end_states() + 1), IntHistogram(m.horizon + 1)),
      ind_sketch(static_cast<std::size_t>(m.n_indicators()) *
                 static_cast<std::size_t>(m.horizon + 1)),
      ind_moments(static_cast<std::size_t>(m.n_indicators()) *
                  static_cast<std::size_t>(m.horizon + 1)),
      ind_sums(ind_moments.size()),
      non_finite_runs(static_cast<std::size_t>(m.n_indicators()), 0),
      non_finite_first_tick(static_cast<std::size_t>(m.n_indicators()), -1),
      horizon(m.horizon),
      quantile_every(std::max(1, every)) {}

Welford Accumulator::moments(std::size_t i) const {
  Welford w = ind_moments[i];
  w.merge(ind_sums[i].to_welford());
  return w;
}

void Accumulator::add_counts(const RunResult& r) {
  add_outcomes(r);
  add_non_finite(r);
  const std::size_t stride = static_cast<std::size_t>(horizon + 1);
  for (std::size_t i = 0; i < ind_sketch.size(); ++i)
    if (sketched(static_cast<std::int32_t>(i % stride))) ind_sketch[i].add(r.indicators[i]);
}

void Accumulator::add_outcomes(const RunResult& r) {
  ++runs;
  decisions += static_cast<std::uint64_t>(r.decisions);
  const std::size_t end = r.end_state < 0 ? end_state_count.size() - 1
                                          : static_cast<std::size_t>(r.end_state);
  ++end_state_count[end];
  end_tick[end].add(r.end_tick);
  ++highest_rung_count[static_cast<std::size_t>(r.highest_rung)];
  for (std::size_t k = 0; k < first_arrival.size(); ++k)
    if (r.first_arrival[k] >= 0) first_arrival[k].add(r.first_arrival[k]);
}

void Accumulator::add_non_finite(const RunResult& r) {
  const std::size_t stride = static_cast<std::size_t>(horizon + 1);
  for (std::size_t i = 0; i < non_finite_runs.size(); ++i) {
    const double* x = r.indicators.data() + i * stride;
    const double* bad = std::find_if(x, x + stride, [](double v) { return !std::isfinite(v); });
    if (bad == x + stride) continue;
    ++non_finite_runs[i];
    const auto tick = static_cast<std::int32_t>(bad - x);
    std::int32_t& first = non_finite_first_tick[i];
    first = first < 0 ? tick : std::min(first, tick);
  }
}

void Accumulator::add_moments(const RunResult& r) {
  for (std::size_t i = 0; i < ind_sums.size(); ++i) ind_sums[i].add(r.indicators[i]);
}

void Accumulator::merge_counts(const Accumulator& o) {
  if (o.quantile_every != quantile_every || o.ind_sketch.size() != ind_sketch.size())
    throw std::invalid_argument("Accumulator::merge: the two accumulators have different shapes");
  runs += o.runs;
  decisions += o.decisions;
  for (std::size_t i = 0; i < end_state_count.size(); ++i) {
    end_state_count[i] += o.end_state_count[i];
    end_tick[i].merge(o.end_tick[i]);
  }
  for (std::size_t i = 0; i < highest_rung_count.size(); ++i) {
    highest_rung_count[i] += o.highest_rung_count[i];
    first_arrival[i].merge(o.first_arrival[i]);
  }
  for (std::size_t i = 0; i < ind_sketch.size(); ++i) ind_sketch[i].merge(o.ind_sketch[i]);
  for (std::size_t i = 0; i < non_finite_runs.size() && i < o.non_finite_runs.size(); ++i) {
    non_finite_runs[i] += o.non_finite_runs[i];
    const std::int32_t t = o.non_finite_first_tick[i];
    std::int32_t& first = non_finite_first_tick[i];
    if (t >= 0) first = first < 0 ? t : std::min(first, t);
  }
}

void Accumulator::merge_moments(const Accumulator& o) {
  for (std::size_t i = 0; i < ind_moments.size(); ++i) {
    ind_moments[i].merge(o.ind_moments[i]);
    ind_moments[i].merge(o.ind_sums[i].to_welford());
  }
}

void Accumulator::clear_moments() {
  for (auto& w : ind_moments) w = Welford{};
  for (auto& w : ind_sums) w = ShiftedSums{};
}

void Accumulator::clear() {
  runs = 0;
  decisions = 0;
  for (auto& c : end_state_count) c = 0;
  for (auto& c : highest_rung_count) c = 0;
  for (auto& h : first_arrival) h = IntHistogram(horizon + 1);
  for (auto& h : end_tick) h = IntHistogram(horizon + 1);
  for (auto& s : ind_sketch) s.clear();
  std::fill(non_finite_runs.begin(), non_finite_runs.end(), 0);
  std::fill(non_finite_first_tick.begin(), non_finite_first_tick.end(), -1);
  clear_moments();
}

namespace {
OutcomeProbability outcome(std::string name, std::uint64_t k, std::uint64_t n) {
  OutcomeProbability o;
  o.name = std::move(name);
  o.count = k;
  o.p = n ? static_cast<double>(k) / static_cast<double>(n) : 0.0;
  o.ci = wilson_interval(k, n);
  return o;
}
}  // namespace

Summary summarize(const Model& m, const Accumulator& acc, std::uint64_t master_seed,
                  std::int32_t block_size) {
  Summary s;
  s.scenario = m.names.scenario;
  s.master_seed = master_seed;
  s.runs = acc.runs;
  s.decisions = acc.decisions;
  s.horizon = m.horizon;
  s.tick_days = m.tick_days;
  s.block_size = block_size;
  s.quantile_every = acc.quantile_every;
  const std::uint64_t n = acc.runs;
  for (std::size_t e = 0; e < acc.end_state_count.size(); ++e) {
    const std::string name =
        e < m.names.end_states.size() ? m.names.end_states[e] : std::string("ongoing");
    s.end_states.push_back(outcome(name, acc.end_state_count[e], n));
    s.end_state_median_tick.push_back(acc.end_tick[e].quantile(0.5));
  }
  // P(reached rung k) = P(highest >= k): sum of the highest-rung counts from k up.
  std::uint64_t at_or_above = 0;
  s.rungs.resize(static_cast<std::size_t>(m.n_rungs));
  for (std::int32_t k = m.n_rungs - 1; k >= 0; --k) {
    const auto ku = static_cast<std::size_t>(k);
    at_or_above += acc.highest_rung_count[ku];
    RungSummary& rs = s.rungs[ku];
    rs.name = m.names.rungs[ku];
    rs.reached = outcome(rs.name, at_or_above, n);
    rs.highest = outcome(rs.name, acc.highest_rung_count[ku], n);
    const IntHistogram& h = acc.first_arrival[ku];
    rs.first_tick_p05 = h.quantile(0.05);
    rs.first_tick_p50 = h.quantile(0.5);
    rs.first_tick_p95 = h.quantile(0.95);
    rs.reached_by_tick.resize(static_cast<std::size_t>(m.horizon + 1));
    std::uint64_t cum = 0;
    for (std::int32_t t = 0; t <= m.horizon; ++t) {
      if (!h.counts().empty()) cum += h.counts()[static_cast<std::size_t>(t)];
      rs.reached_by_tick[static_cast<std::size_t>(t)] =
          n ? static_cast<double>(cum) / static_cast<double>(n) : 0.0;
    }
  }
  const std::size_t stride = static_cast<std::size_t>(m.horizon + 1);
  for (std::int32_t i = 0; i < m.n_indicators(); ++i) {
    IndicatorSummary is;
    is.name = m.names.indicators[static_cast<std::size_t>(i)];
    is.unit = m.names.indicator_units[static_cast<std::size_t>(i)];
    if (static_cast<std::size_t>(i) < acc.non_finite_runs.size()) {
      is.non_finite_runs = acc.non_finite_runs[static_cast<std::size_t>(i)];
      is.first_non_finite_tick = acc.non_finite_first_tick[static_cast<std::size_t>(i)];
    }
    for (std::size_t t = 0; t < stride; ++t) {
      const std::size_t idx = static_cast<std::size_t>(i) * stride + t;
      const Welford w = acc.moments(idx);
      const QuantileSketch& q = acc.ind_sketch[idx];
      const bool has_q = acc.sketched(static_cast<std::int32_t>(t));
      const double nan = std::numeric_limits<double>::quiet_NaN();
      is.by_tick.push_back(IndicatorTick{w.mean, std::sqrt(w.variance()),
                                         has_q ? q.quantile(0.05) : nan,
                                         has_q ? q.quantile(0.5) : nan,
                                         has_q ? q.quantile(0.95) : nan});
      const auto tick = static_cast<std::int32_t>(t);
      if (is.first_overflowed_moments_tick < 0 &&
          (is.first_non_finite_tick < 0 || tick < is.first_non_finite_tick) &&
          (!std::isfinite(w.mean) || !std::isfinite(w.m2)))
        is.first_overflowed_moments_tick = tick;
    }
    s.indicators.push_back(std::move(is));
  }
  return s;
}

}  // namespace geosim
