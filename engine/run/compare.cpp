// Paired comparison of two scenarios under common random numbers.
#include "geosim/compare.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "run/readable.h"
#include <nlohmann/json.hpp>

#include "run/blocks.h"

namespace geosim {

Interval newcombe_paired_interval(const PairedCounts& c, double z) {
  // Table: a = both, b = A only, c = B only, d = neither. theta = p_B - p_A.
  const double n = static_cast<double>(c.n());
  if (n == 0) return {-1.0, 1.0};
  const double a = static_cast<double>(c.n11), b = static_cast<double>(c.n10),
               cc = static_cast<double>(c.n01), d = static_cast<double>(c.n00);
  const std::uint64_t kb = c.n11 + c.n01, ka = c.n11 + c.n10;
  const double pb = static_cast<double>(kb) / n, pa = static_cast<double>(ka) / n;
  const Interval wb = wilson_interval(kb, c.n(), z), wa = wilson_interval(ka, c.n(), z);
  // Correlation correction phi (Newcombe 1998, eq. for method 10).
  const double big_a = (a + b) * (cc + d) * (a + cc) * (b + d);
  double phi = 0.0;
  if (big_a > 0) {
    const double big_b = a * d - b * cc;
    const double big_c = big_b > n / 2 ? big_b - n / 2 : (big_b >= 0 ? 0.0 : big_b);
    phi = big_c / std::sqrt(big_a);
  }
  const double dl_b = pb - wb.lo, du_b = wb.hi - pb;
  const double dl_a = pa - wa.lo, du_a = wa.hi - pa;
  const double theta = pb - pa;
  const double delta = std::sqrt(std::max(0.0, dl_b * dl_b - 2 * phi * dl_b * du_a + du_a * du_a));
  const double eps = std::sqrt(std::max(0.0, du_b * du_b - 2 * phi * du_b * dl_a + dl_a * dl_a));
  return {std::max(-1.0, theta - delta), std::min(1.0, theta + eps)};
}

Interval newcombe_unpaired_interval(std::uint64_t k_a, std::uint64_t n_a, std::uint64_t k_b,
                                    std::uint64_t n_b, double z) {
  if (n_a == 0 || n_b == 0) return {-1.0, 1.0};
  const double pa = static_cast<double>(k_a) / static_cast<double>(n_a);
  const double pb = static_cast<double>(k_b) / static_cast<double>(n_b);
  const Interval wa = wilson_interval(k_a, n_a, z), wb = wilson_interval(k_b, n_b, z);
  const double theta = pb - pa;
  return {theta - std::hypot(pb - wb.lo, wa.hi - pa), theta + std::hypot(wb.hi - pb, pa - wa.lo)};
}

namespace {

// The outcomes both scenarios are compared on, matched by name.
struct OutcomeMap {
  std::vector<std::string> kind, name;
  // For each outcome: end state index in A / B (-1: not in that scenario; n_end = ongoing),
  // or rung index for reached_rung.
  std::vector<std::int32_t> in_a, in_b;
  std::vector<std::string> indicator_names, indicator_units;
  std::vector<std::int32_t> ind_a, ind_b;
};

std::int32_t index_of(const std::vector<std::string>& v, const std::string& s) {
  auto it = std::find(v.begin(), v.end(), s);
  return it == v.end() ? -1 : static_cast<std::int32_t>(it - v.begin());
}

OutcomeMap match_outcomes(const Model& a, const Model& b) {
  OutcomeMap m;
  auto ends = [](const Model& x) {
    auto v = x.names.end_states;
    v.push_back("ongoing");
    return v;
  };
  const auto ea = ends(a), eb = ends(b);
  std::vector<std::string> names = ea;
  for (const auto& n : eb)
    if (index_of(names, n) < 0) names.push_back(n);
  for (const auto& n : names) {
    m.kind.push_back("end_state");
    m.name.push_back(n);
    m.in_a.push_back(index_of(ea, n));
    m.in_b.push_back(index_of(eb, n));
  }
  std::vector<std::string> rungs = a.names.rungs;
  for (const auto& r : b.names.rungs)
    if (index_of(rungs, r) < 0) rungs.push_back(r);
  for (const auto& r : rungs) {
    m.kind.push_back("reached_rung");
    m.name.push_back(r);
    m.in_a.push_back(index_of(a.names.rungs, r));
    m.in_b.push_back(index_of(b.names.rungs, r));
  }
  for (std::size_t i = 0; i < a.names.indicators.size(); ++i) {
    const auto j = index_of(b.names.indicators, a.names.indicators[i]);
    if (j < 0) continue;
    m.indicator_names.push_back(a.names.indicators[i]);
    m.indicator_units.push_back(a.names.indicator_units[i]);
    m.ind_a.push_back(static_cast<std::int32_t>(i));
    m.ind_b.push_back(j);
  }
  return m;
}

struct PairedAccumulator {
  std::vector<PairedCounts> counts;
  std::vector<Welford> diff, in_a, in_b;
  std::vector<std::uint64_t> non_finite_a, non_finite_b;  // runs with +-inf or NaN at the horizon
  explicit PairedAccumulator(const OutcomeMap& m)
      : counts(m.name.size()),
        diff(m.indicator_names.size()),
        in_a(m.indicator_names.size()),
        in_b(m.indicator_names.size()),
        non_finite_a(m.indicator_names.size(), 0),
        non_finite_b(m.indicator_names.size(), 0) {}
  void merge(const PairedAccumulator& o) {
    for (std::size_t i = 0; i < counts.size(); ++i) {
      counts[i].n11 += o.counts[i].n11;
      counts[i].n10 += o.counts[i].n10;
      counts[i].n01 += o.counts[i].n01;
      counts[i].n00 += o.counts[i].n00;
    }
    for (std::size_t i = 0; i < diff.size(); ++i) {
      diff[i].merge(o.diff[i]);
      in_a[i].merge(o.in_a[i]);
      in_b[i].merge(o.in_b[i]);
      non_finite_a[i] += o.non_finite_a[i];
      non_finite_b[i] += o.non_finite_b[i];
    }
  }
  void clear() {
    std::fill(counts.begin(), counts.end(), PairedCounts{});
    std::fill(diff.begin(), diff.end(), Welford{});
    std::fill(in_a.begin(), in_a.end(), Welford{});
    std::fill(in_b.begin(), in_b.end(), Welford{});
    std::fill(non_finite_a.begin(), non_finite_a.end(), 0);
    std::fill(non_finite_b.begin(), non_finite_b.end(), 0);
  }
};

bool has_outcome(const OutcomeMap& m, std::size_t k, std::int32_t idx, const Model& model,
                 const RunResult& r) {
  if (idx < 0) return false;
  if (m.kind[k] == "end_state") {
    const std::int32_t end = r.end_state < 0 ? model.n_end_states() : r.end_state;
    return end == idx;
  }
  return r.highest_rung >= idx;
}

}  // namespace

Comparison compare_scenarios(const Model& a, const Model& b, const MonteCarloOptions& options) {
  const OutcomeMap map = match_outcomes(a, b);
  // Pairing runs only means something for variants of one scenario: at least one end state
  // (other than "ongoing") or one rung must be the same in both.
  bool shared = false;
  for (std::size_t i = 0; i < map.name.size(); ++i)
    shared |= map.in_a[i] >= 0 && map.in_b[i] >= 0 && map.name[i] != "ongoing";
  if (!shared)
    throw std::invalid_argument(fmt::format(
        "compare: '{}' and '{}' share no end state and no rung of the ladder by name, so there is "
        "nothing to compare; compare pairs variants of one scenario (a file that extends another; "
        "docs/compare.md)",
        a.names.scenario, b.names.scenario));
  PairedAccumulator total(map);
  detail::BlockPlan plan{options.first_run, options.runs,
                         static_cast<std::uint64_t>(std::max<std::int32_t>(1, options.block_size)),
                         options.threads, options.progress};
  detail::run_blocks(
      plan, total, [&] { return PairedAccumulator(map); },
      [&] {
        // Both scenarios' runs kLanes at a time (simulate_lanes); pairs are reduced in run order.
        return [&, la = LaneWorkspace(a), lb = LaneWorkspace(b),
                runs_a = std::vector<RunResult>(kLanes, RunResult::for_model(a)),
                runs_b = std::vector<RunResult>(kLanes, RunResult::for_model(b))](
                   std::uint64_t begin, std::uint64_t end, PairedAccumulator& acc) mutable {
          for (std::uint64_t first = begin; first < end; first += kLanes) {
            const int n = static_cast<int>(std::min<std::uint64_t>(kLanes, end - first));
            simulate_lanes(a, options.master_seed, first, n, la, runs_a.data());
            simulate_lanes(b, options.master_seed, first, n, lb, runs_b.data());
            for (std::size_t l = 0; l < static_cast<std::size_t>(n); ++l) {
              const RunResult& ra = runs_a[l];
              const RunResult& rb = runs_b[l];
              for (std::size_t k = 0; k < map.name.size(); ++k) {
                const bool x = has_outcome(map, k, map.in_a[k], a, ra);
                const bool y = has_outcome(map, k, map.in_b[k], b, rb);
                auto& c = acc.counts[k];
                (x ? (y ? c.n11 : c.n10) : (y ? c.n01 : c.n00)) += 1;
              }
              for (std::size_t i = 0; i < map.indicator_names.size(); ++i) {
                const double xa = ra.indicator(a, map.ind_a[i], a.horizon);
                const double xb = rb.indicator(b, map.ind_b[i], b.horizon);
                acc.diff[i].add(xb - xa);
                acc.in_a[i].add(xa);
                acc.in_b[i].add(xb);
                acc.non_finite_a[i] += std::isfinite(xa) ? 0 : 1;
                acc.non_finite_b[i] += std::isfinite(xb) ? 0 : 1;
              }
            }
          }
        };
      });

  Comparison out;
  out.scenario_a = a.names.scenario;
  out.scenario_b = b.names.scenario;
  out.master_seed = options.master_seed;
  out.runs = options.runs;
  constexpr double z = 1.959963984540054;
  for (std::size_t k = 0; k < map.name.size(); ++k) {
    OutcomeDifference d;
    d.kind = map.kind[k];
    d.name = map.name[k];
    d.counts = total.counts[k];
    const auto n = d.counts.n();
    const std::uint64_t ka = d.counts.n11 + d.counts.n10, kb = d.counts.n11 + d.counts.n01;
    d.p_a = n ? static_cast<double>(ka) / static_cast<double>(n) : 0;
    d.p_b = n ? static_cast<double>(kb) / static_cast<double>(n) : 0;
    d.diff = d.p_b - d.p_a;
    d.paired_ci = newcombe_paired_interval(d.counts, z);
    d.unpaired_ci = newcombe_unpaired_interval(ka, n, kb, n, z);
    out.outcomes.push_back(d);
  }
  for (std::size_t i = 0; i < map.indicator_names.size(); ++i) {
    IndicatorDifference d;
    d.name = map.indicator_names[i];
    d.unit = map.indicator_units[i];
    d.mean_a = total.in_a[i].mean;
    d.mean_b = total.in_b[i].mean;
    d.diff = total.diff[i].mean;
    d.non_finite_a = total.non_finite_a[i];
    d.non_finite_b = total.non_finite_b[i];
    const double n = static_cast<double>(total.diff[i].n);
    const double se = n > 0 ? std::sqrt(total.diff[i].variance() / n) : 0;
    const double se_u =
        n > 0 ? std::sqrt((total.in_a[i].variance() + total.in_b[i].variance()) / n) : 0;
    d.paired_ci = {d.diff - z * se, d.diff + z * se};
    d.unpaired_ci = {d.diff - z * se_u, d.diff + z * se_u};
    out.indicators.push_back(d);
  }
  return out;
}

namespace {

// A difference to three significant digits, with its sign ("+3.52", "-108", "+0").
std::string with_sign(double x) {
  const std::string r = detail::readable(x, 3);
  return r[0] == '-' ? r : "+" + r;
}

}  // namespace

std::string comparison_to_text(const Comparison& c, std::size_t headline_count) {
  std::string out = fmt::format(
      "A = {}, B = {}: {} paired runs (common random numbers), seed {}\n\n", c.scenario_a,
      c.scenario_b, detail::readable(static_cast<double>(c.runs), 15), c.master_seed);
  out += fmt::format("{:<14} {:<30} {:>8} {:>8} {:>9}  {:<22} {:<22}\n", "kind", "outcome", "P(A)",
                     "P(B)", "B - A", "95% CI (paired)", "95% CI (unpaired)");
  for (const auto& d : c.outcomes) {
    out += fmt::format("{:<14} {:<30} {:>7.2f}% {:>7.2f}% {:>+8.2f}pt  [{:+6.2f}, {:+6.2f}]       "
                       "[{:+6.2f}, {:+6.2f}]{}\n",
                       d.kind, d.name, 100 * d.p_a, 100 * d.p_b, 100 * d.diff,
                       100 * d.paired_ci.lo, 100 * d.paired_ci.hi, 100 * d.unpaired_ci.lo,
                       100 * d.unpaired_ci.hi,
                       (d.paired_ci.lo > 0 || d.paired_ci.hi < 0) ? "  *" : "");
  }
  out += "(* the paired interval excludes zero; intervals are Newcombe's score intervals, in "
         "percentage points)\n";
  if (!c.indicators.empty()) {
    out += "\nIndicators at the horizon (mean):\n";
    for (const auto& d : c.indicators)
      out += fmt::format("  {:<32} A {:>12}  B {:>12}  B - A {:>10}  95% CI [{}, {}]  {}\n", d.name,
                         detail::readable(d.mean_a, 4), detail::readable(d.mean_b, 4),
                         with_sign(d.diff), with_sign(d.paired_ci.lo), with_sign(d.paired_ci.hi),
                         d.unit);
  }
  // The largest moves, in plain words.
  std::vector<const OutcomeDifference*> moves;
  for (const auto& d : c.outcomes)
    if (d.paired_ci.lo > 0 || d.paired_ci.hi < 0) moves.push_back(&d);
  std::stable_sort(moves.begin(), moves.end(), [](auto* x, auto* y) {
    return std::abs(x->diff) > std::abs(y->diff);
  });
  out += "\nLargest moves:\n";
  if (moves.empty()) out += "  No outcome probability moves by more than Monte Carlo noise at this run count.\n";
  for (std::size_t i = 0; i < moves.size() && i < headline_count; ++i) {
    const auto& d = *moves[i];
    const std::string what = d.kind == "end_state" ? fmt::format("the run ending in '{}'", d.name)
                                                   : fmt::format("reaching rung '{}'", d.name);
    // The same rounding as the table above, so the sentence and the table agree digit for digit.
    out += fmt::format("  Going from A to B {} the chance of {} from {:.2f}% to {:.2f}% ({:+.2f} "
                       "points, 95% CI {:+.2f} to {:+.2f}).\n",
                       d.diff > 0 ? "raises" : "lowers", what, 100 * d.p_a, 100 * d.p_b,
                       100 * d.diff, 100 * d.paired_ci.lo, 100 * d.paired_ci.hi);
  }
  return out;
}

std::vector<std::string> comparison_warnings(const Comparison& c) {
  std::vector<std::string> out;
  for (const auto& d : c.indicators)
    for (const auto& [count, which] : {std::pair{d.non_finite_a, c.scenario_a},
                                       std::pair{d.non_finite_b, c.scenario_b}})
      if (count > 0)
        out.push_back(fmt::format(
            "geosim: warning: indicator '{}' of {} was not a finite number (+inf, -inf or NaN) at "
            "the horizon in {} of {} runs: an effect or rate too large for a double? Its mean and "
            "difference are not meaningful. Give the state variable bounds (min/max) or smaller "
            "numbers (docs/model.md, section 14)",
            d.name, which, count, c.runs));
  return out;
}

std::string comparison_to_json(const Comparison& c) {
  nlohmann::ordered_json j;
  j["format"] = "geosim-comparison/1";
  j["scenario_a"] = c.scenario_a;
  j["scenario_b"] = c.scenario_b;
  j["master_seed"] = c.master_seed;
  j["runs"] = c.runs;
  j["interval_method"] =
      "Newcombe (1998) method 10: paired score interval with correlation correction";
  auto& outs = j["outcomes"] = nlohmann::ordered_json::array();
  for (const auto& d : c.outcomes) {
    nlohmann::ordered_json o;
    o["kind"] = d.kind;
    o["name"] = d.name;
    o["counts"] = {{"both", d.counts.n11}, {"a_only", d.counts.n10}, {"b_only", d.counts.n01},
                   {"neither", d.counts.n00}};
    o["p_a"] = d.p_a;
    o["p_b"] = d.p_b;
    o["diff"] = d.diff;
    o["ci95_paired"] = {d.paired_ci.lo, d.paired_ci.hi};
    o["ci95_unpaired"] = {d.unpaired_ci.lo, d.unpaired_ci.hi};
    outs.push_back(o);
  }
  auto& inds = j["indicators_at_horizon"] = nlohmann::ordered_json::array();
  for (const auto& d : c.indicators) {
    nlohmann::ordered_json o;
    o["name"] = d.name;
    o["unit"] = d.unit;
    o["mean_a"] = d.mean_a;
    o["mean_b"] = d.mean_b;
    o["diff"] = d.diff;
    o["ci95_paired"] = {d.paired_ci.lo, d.paired_ci.hi};
    o["ci95_unpaired"] = {d.unpaired_ci.lo, d.unpaired_ci.hi};
    o["non_finite_runs_a"] = d.non_finite_a;
    o["non_finite_runs_b"] = d.non_finite_b;
    inds.push_back(o);
  }
  return j.dump(1) + "\n";
}

}  // namespace geosim
