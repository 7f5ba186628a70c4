// Indicators that overflow a double (docs/model.md, section 14): a scenario whose effects are too
// large drives a state variable to +-inf (or NaN, from inf x 0). The Monte Carlo reduction counts,
// per indicator, the runs in which it was not finite and the first tick it was; the summary and
// its JSON carry the counts, and non_finite_warnings says so in words. Counts agree with a run-by-
// run scan and do not depend on the thread count; a bounded variable stays finite.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "geosim/model.h"
#include "geosim/scenario.h"
#include "geosim/simulate.h"
#include "geosim/summary.h"

namespace {

// `pressure` gains 1e307 on half the weeks, so it passes DBL_MAX (about 1.8e308) to +inf in most
// runs after 18 surges; `wreck` is multiplied by 0 x pressure, which is NaN once pressure is inf;
// `calm` never moves. `bound` is put in pressure's declaration.
std::string overflow_yaml(const std::string& bound = "") {
  return R"(geosim: 1
name: overflow
time: {start: 2024-10-07, tick_days: 7, horizon: 52}
parameters:
  big: {value: 1e307, unit: persons/week, assumption: "too large on purpose"}
state:
  pressure: {unit: persons, initial: 1)" + bound + R"(}
  wreck: {unit: persons, initial: 1}
  calm: {unit: persons, initial: 0}
ladder:
  start: low
  rungs:
    - {name: low, danger: 0}
    - {name: high, danger: 1}
end_states:
  top: {rung: high}
actors:
  blue:
    rationality: 1.0
    resolve: 0.5
    risk_tolerance: 0.3
    actions:
      hold: {class: status_quo}
      push: {class: nonviolent_escalation, step: 1, cost: 5}
events:
  surge:
    kind: bernoulli
    probability: 0.5
    effects: [{var: pressure, add: big}, {var: wreck, mul: 0, times: pressure}]
)";
}

geosim::Model compile_text(const std::string& yaml) {
  return geosim::compile(geosim::load_scenario_text(yaml, "overflow.yaml", "."));
}

geosim::Accumulator monte_carlo(const geosim::Model& m, int threads, std::uint64_t runs = 600) {
  geosim::MonteCarloOptions opt;
  opt.master_seed = 11;
  opt.runs = runs;
  opt.threads = threads;
  opt.block_size = 64;
  opt.quantile_every = 4;
  return geosim::run_monte_carlo(m, opt);
}

std::size_t indicator(const geosim::Model& m, const std::string& name) {
  const auto& v = m.names.indicators;
  return static_cast<std::size_t>(std::find(v.begin(), v.end(), name) - v.begin());
}

TEST(NonFinite, OverflowingIndicatorsAreCountedWithTheirFirstTick) {
  const geosim::Model m = compile_text(overflow_yaml());
  const std::uint64_t runs = 600;
  const geosim::Accumulator acc = monte_carlo(m, 2, runs);
  ASSERT_EQ(acc.non_finite_runs.size(), static_cast<std::size_t>(m.n_indicators()));

  // The same counts by scanning every run's values, one run at a time.
  std::vector<std::uint64_t> want_runs(acc.non_finite_runs.size(), 0);
  std::vector<std::int32_t> want_first(acc.non_finite_runs.size(), -1);
  geosim::Workspace ws(m);
  geosim::RunResult r = geosim::RunResult::for_model(m);
  for (std::uint64_t k = 0; k < runs; ++k) {
    geosim::simulate_run(m, 11, k, ws, r);
    for (std::size_t i = 0; i < want_runs.size(); ++i)
      for (std::int32_t t = 0; t <= m.horizon; ++t)
        if (!std::isfinite(r.indicator(m, static_cast<int>(i), t))) {
          ++want_runs[i];
          if (want_first[i] < 0 || t < want_first[i]) want_first[i] = t;
          break;
        }
  }
  EXPECT_EQ(acc.non_finite_runs, want_runs);
  EXPECT_EQ(acc.non_finite_first_tick, want_first);

  const std::size_t pressure = indicator(m, "pressure"), wreck = indicator(m, "wreck"),
                    calm = indicator(m, "calm");
  EXPECT_GT(acc.non_finite_runs[pressure], runs / 2);  // inf in most runs
  EXPECT_LT(acc.non_finite_runs[pressure], runs);      // not in all (few surges)
  EXPECT_GE(acc.non_finite_first_tick[pressure], 18);  // at least 18 surges of 1e307
  EXPECT_EQ(acc.non_finite_runs[wreck], acc.non_finite_runs[pressure]);  // NaN with it
  EXPECT_EQ(acc.non_finite_first_tick[wreck], acc.non_finite_first_tick[pressure]);
  EXPECT_EQ(acc.non_finite_runs[calm], 0U);
  EXPECT_EQ(acc.non_finite_first_tick[calm], -1);

  // Order-free: any thread count, and the run-by-run Accumulator::add, count the same.
  const geosim::Accumulator one = monte_carlo(m, 1, runs);
  EXPECT_EQ(one.non_finite_runs, acc.non_finite_runs);
  EXPECT_EQ(one.non_finite_first_tick, acc.non_finite_first_tick);
  geosim::Accumulator by_run(m, 4);
  for (std::uint64_t k = 0; k < runs; ++k) {
    geosim::simulate_run(m, 11, k, ws, r);
    by_run.add(r);
  }
  EXPECT_EQ(by_run.non_finite_runs, acc.non_finite_runs);
  EXPECT_EQ(by_run.non_finite_first_tick, acc.non_finite_first_tick);
  // merge_counts adds the counts and keeps the earliest tick; clear resets them.
  geosim::Accumulator twice = one;
  twice.merge_counts(one);
  EXPECT_EQ(twice.non_finite_runs[pressure], 2 * acc.non_finite_runs[pressure]);
  EXPECT_EQ(twice.non_finite_first_tick[pressure], acc.non_finite_first_tick[pressure]);
  twice.clear();
  EXPECT_EQ(twice.non_finite_runs[pressure], 0U);
  EXPECT_EQ(twice.non_finite_first_tick[pressure], -1);
}

TEST(NonFinite, TheSummaryItsJsonAndAWarningSayWhichIndicatorWhenAndHowOften) {
  const geosim::Model m = compile_text(overflow_yaml());
  const geosim::Accumulator acc = monte_carlo(m, 2);
  const geosim::Summary s = geosim::summarize(m, acc, 11, 64);
  const std::size_t pressure = indicator(m, "pressure");
  const auto& ind = s.indicators[pressure];
  EXPECT_EQ(ind.non_finite_runs, acc.non_finite_runs[pressure]);
  EXPECT_EQ(ind.first_non_finite_tick, acc.non_finite_first_tick[pressure]);

  const auto j = nlohmann::json::parse(geosim::summary_to_json(s));
  for (std::size_t i = 0; i < s.indicators.size(); ++i) {
    EXPECT_EQ(j["indicators"][i]["non_finite_runs"].get<std::uint64_t>(), acc.non_finite_runs[i]);
    EXPECT_EQ(j["indicators"][i]["first_non_finite_tick"].get<std::int32_t>(),
              acc.non_finite_first_tick[i]);
  }

  const auto warnings = geosim::non_finite_warnings(s);
  ASSERT_EQ(warnings.size(), 2U);  // pressure and wreck, in indicator order; not calm
  const std::string& w = warnings[0];
  EXPECT_NE(w.find("warning: indicator 'pressure'"), std::string::npos) << w;
  EXPECT_NE(w.find("in " + std::to_string(ind.non_finite_runs) + " of 600 runs"), std::string::npos) << w;
  EXPECT_NE(w.find("first at tick " + std::to_string(ind.first_non_finite_tick) + " "),
            std::string::npos) << w;
  EXPECT_NE(w.find("too large for a double"), std::string::npos) << w;
  EXPECT_NE(warnings[1].find("indicator 'wreck'"), std::string::npos) << warnings[1];

  const std::string text = geosim::summary_to_text(s);
  EXPECT_NE(text.find("not a finite number in " + std::to_string(ind.non_finite_runs) + " of 600"),
            std::string::npos) << text;
  EXPECT_EQ(text.find("-nan"), std::string::npos) << text;
}

TEST(NonFinite, ABoundedVariableStaysFiniteAndNothingIsSaid) {
  const geosim::Model m = compile_text(overflow_yaml(", max: 1e150"));
  const geosim::Accumulator acc = monte_carlo(m, 2);
  for (std::size_t i = 0; i < acc.non_finite_runs.size(); ++i) {
    EXPECT_EQ(acc.non_finite_runs[i], 0U) << m.names.indicators[i];
    EXPECT_EQ(acc.non_finite_first_tick[i], -1) << m.names.indicators[i];
  }
  const geosim::Summary s = geosim::summarize(m, acc, 11, 64);
  EXPECT_TRUE(geosim::non_finite_warnings(s).empty());
  const auto& h = s.indicators[indicator(m, "pressure")].by_tick.back();
  EXPECT_EQ(h.p95, 1e150);
  EXPECT_TRUE(std::isfinite(h.mean) && std::isfinite(h.sd));
}

// Finite values near the top of the double range still overflow the moments' sums: said apart,
// with the tick, and not counted as non-finite values.
TEST(NonFinite, MomentsThatOverflowOnFiniteValuesAreSaidApart) {
  const geosim::Model m = compile_text(overflow_yaml(", max: 1e300"));
  const geosim::Accumulator acc = monte_carlo(m, 2);
  const std::size_t pressure = indicator(m, "pressure");
  EXPECT_EQ(acc.non_finite_runs[pressure], 0U);
  const geosim::Summary s = geosim::summarize(m, acc, 11, 64);
  const auto& ind = s.indicators[pressure];
  ASSERT_GE(ind.first_overflowed_moments_tick, 1);  // sd of values up to 1e300: d * d overflows
  EXPECT_FALSE(std::isfinite(ind.by_tick.back().sd));
  const auto warnings = geosim::non_finite_warnings(s);
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_NE(warnings[0].find("indicator 'pressure' has values so large that its mean or sd "
                             "overflows a double from tick " +
                             std::to_string(ind.first_overflowed_moments_tick) + " "),
            std::string::npos)
      << warnings[0];
  EXPECT_EQ(s.indicators[indicator(m, "calm")].first_overflowed_moments_tick, -1);
}

}  // namespace
