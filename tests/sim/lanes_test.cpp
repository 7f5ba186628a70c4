// simulate_lanes (four runs side by side, their decision passes as vector lanes) against
// simulate_run, the one-run reference: every run must give the same bits either way, in every
// shipped scenario, the scaled benchmark scenario (three words of gates) and scenarios with two
// and five words of gates (the general path), whole groups of four and partial ones, with both
// builds of the vector pass (AVX2 where the machine has it, and baseline x86-64).
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "geosim/model.h"
#include "geosim/scenario.h"
#include "geosim/simulate.h"
#include "load/test_support.h"
#include "sim/lanes.h"

namespace {

using geosim::Model;
using geosim::RunResult;

struct Coverage {
  int runs = 0, ended_early = 0, rung_moves = 0;
};

// Runs first..first+count-1 both ways, `group` at a time through the lanes (the last group may be
// smaller), and compares every field of every run bit for bit; counts what was covered into `c`.
void compare(const Model& m, std::uint64_t seed, std::uint64_t first, int count, int group,
             const geosim::detail::LanePasses& passes, Coverage& c) {
  geosim::Workspace ws(m);
  geosim::LaneWorkspace lw(m);
  RunResult one = RunResult::for_model(m);
  std::vector<RunResult> lanes(geosim::kLanes, RunResult::for_model(m));
  for (int r = 0; r < count; r += group) {
    const int n = std::min(group, count - r);
    geosim::detail::simulate_lanes_with(passes, m, seed, first + static_cast<std::uint64_t>(r), n,
                                        lw, lanes.data());
    for (int l = 0; l < n; ++l) {
      const std::uint64_t run = first + static_cast<std::uint64_t>(r + l);
      geosim::simulate_run(m, seed, run, ws, one);
      const RunResult& got = lanes[static_cast<std::size_t>(l)];
      SCOPED_TRACE(m.names.scenario + ", run " + std::to_string(run));
      ASSERT_EQ(got.end_tick, one.end_tick);
      ASSERT_EQ(got.end_state, one.end_state);
      ASSERT_EQ(got.decisions, one.decisions);
      ASSERT_EQ(got.highest_rung, one.highest_rung);
      ASSERT_EQ(got.first_arrival, one.first_arrival);
      ASSERT_EQ(got.indicators.size(), one.indicators.size());
      for (std::size_t q = 0; q < one.indicators.size(); ++q)
        ASSERT_EQ(std::bit_cast<std::uint64_t>(got.indicators[q]),
                  std::bit_cast<std::uint64_t>(one.indicators[q]))
            << "indicator-tick " << q << ": " << got.indicators[q] << " vs " << one.indicators[q];
      ++c.runs;
      c.ended_early += one.end_tick < m.horizon ? 1 : 0;
      c.rung_moves += one.highest_rung != m.start_rung ? 1 : 0;
    }
  }
}

Model load(const std::string& relative) {
  return geosim::compile(geosim::load_scenario(std::string(GEOSIM_SOURCE_DIR) + "/" + relative));
}

// Every shipped scenario: 4 lanes at a time, and 3 at a time (so groups start at every offset
// and some lanes stay empty), with both builds of the pass.
TEST(Lanes, ShippedScenariosGiveTheOneRunBits) {
  namespace fs = std::filesystem;
  int scenarios = 0;
  Coverage c;
  for (const auto& dir : {"scenarios/dprk_russia_2024", "scenarios/toy"}) {
    for (const auto& entry : fs::directory_iterator(fs::path(GEOSIM_SOURCE_DIR) / dir)) {
      if (entry.path().extension() != ".yaml" ||
          entry.path().filename().string().rfind("study", 0) == 0)
        continue;
      const Model m = geosim::compile(geosim::load_scenario(entry.path().string()));
      ++scenarios;
      for (const auto* passes : {&geosim::detail::kLanePasses, &geosim::detail::kLanePassesBaseline}) {
        compare(m, 11, 0, 24, 4, *passes, c);
        compare(m, 11, 1000, 10, 3, *passes, c);
      }
    }
  }
  EXPECT_GE(scenarios, 13);
  // The comparison covered runs that ended early (lanes finishing at different ticks) and runs in
  // which the ladder moved (the rung rows reloaded mid-run).
  EXPECT_EQ(c.runs, scenarios * 2 * 34);
  EXPECT_GT(c.ended_early, 0);
  EXPECT_GT(c.rung_moves, 0);
}

// The scaled scenario: 24 actors, 20 actions each, three words of gates.
TEST(Lanes, ScaledScenarioGivesTheOneRunBits) {
  const Model m = load("bench/scenarios/scaled_24x20.yaml");
  ASSERT_EQ(geosim::Workspace(m).gate_words, 3);
  Coverage c;
  for (const auto* passes : {&geosim::detail::kLanePasses, &geosim::detail::kLanePassesBaseline})
    compare(m, 5, 0, 8, 4, *passes, c);
}

// n actions each requiring level >= k, level moved by a Poisson event, two actions closed by rung
// ranges: 70 actions give 2 words of gates, 300 give 5 (the pass's general path).
// With `infinite`, the actor's capacity is 1e-300 and the actions' costs cycle through -1e300,
// 1e300 and 0, so a third of the utilities are +inf, a third -inf and a third finite.
Model many_gates(int n, const std::string& rationality = "0.05", bool infinite = false) {
  std::string yaml =
      "geosim: 1\n"
      "name: many_gates\n"
      "time: {horizon: 60}\n"
      "state:\n"
      "  level: {initial: " + std::to_string(n / 2) + ", min: 0}\n"
      "ladder: {start: mid, rungs: [{name: low}, {name: mid}, {name: high}]}\n"
      "events:\n"
      "  drift: {kind: poisson, rate: 0.8, effects: [{var: level, add: -1}]}\n"
      "actors:\n"
      "  a:\n"
      "    rationality: " + rationality + "\n" +
      (infinite ? "    capacity: 1e-300\n" : "") +
      "    actions:\n";
  for (int k = 0; k < n; ++k)
    yaml += "      g" + std::to_string(k) + ": {class: status_quo, gain: " + std::to_string(k % 7) +
            (infinite ? std::string(", cost: ") + (k % 3 == 0 ? "-1e300" : k % 3 == 1 ? "1e300" : "0")
                      : std::string()) +
            ", requires: [{var: level, ge: " + std::to_string(k) + "}], effects: [{var: level, add: " +
            std::to_string(k % 3) + "}]}\n";
  yaml += "      above: {class: status_quo, gain: 1000, min_rung: high}\n";
  yaml += "      below: {class: status_quo, gain: 1000, max_rung: low}\n";
  return geosim::testing_support::compile_text(yaml, "many_gates.yaml");
}

TEST(Lanes, TwoToFiveWordsOfGatesGiveTheOneRunBits) {
  for (const int n : {70, 150, 200, 300}) {
    const Model m = many_gates(n);
    ASSERT_EQ(geosim::Workspace(m).gate_words, (n + 2 + 63) / 64);
    Coverage c;
    for (const auto* passes : {&geosim::detail::kLanePasses, &geosim::detail::kLanePassesBaseline})
      compare(m, 9, 0, 12, 4, *passes, c);
  }
}

// Poisson events whose means fall either side of 10 in the same tick (Boost inverts below 10 and
// uses PTRD above; each lane draws from its own stream), are 0 in some runs (no draw) and grow
// with a state variable, one of them gated by a condition and a rung range.
TEST(Lanes, PoissonMeansEitherSideOfTenGiveTheOneRunBits) {
  const Model m = geosim::testing_support::compile_text(R"(geosim: 1
name: poisson_lanes
time: {horizon: 80}
parameters:
  rate: {dist: choice, values: [0, 3, 9.5, 10, 24], weights: [1, 1, 1, 1, 1]}
  growth: {dist: uniform, low: 0.9, high: 1.1}
state:
  stock: {initial: 10, min: 0, max: 1e9}
  hits: {initial: 0}
  big: {initial: 0}
ladder: {start: low, rungs: [{name: low}, {name: high}]}
events:
  small: {kind: poisson, rate: rate, effects: [{var: hits, add: 1}]}
  scaled:
    kind: poisson
    rate: 0.5
    per: stock
    requires: [{var: stock, gt: 3}]
    effects: [{var: big, add: 1}, {var: stock, add: -0.2}]
  grow: {kind: flow, effects: [{var: stock, mul: growth}]}
  late: {kind: poisson, rate: rate, min_rung: high, effects: [{var: hits, add: 2}]}
actors:
  a:
    rationality: 1
    actions:
      wait: {class: status_quo, gain: 0.2}
      push: {class: nonviolent_escalation, step: 1, effects: [{var: stock, add: 5}]}
      ease: {class: de_escalation, step: -1}
)",
                                                       "poisson_lanes.yaml");
  Coverage c;
  for (const auto* passes : {&geosim::detail::kLanePasses, &geosim::detail::kLanePassesBaseline})
    compare(m, 21, 0, 40, 4, *passes, c);
  EXPECT_EQ(c.runs, 80);
  EXPECT_GT(c.rung_moves, 0);
}

// Rationality 0 (every open action equally likely: lambda * (U - max U) = 0), and utilities of
// +inf, -inf and finite values side by side (the best actions tie at +inf; with rationality 0 the
// logit argument of a finite one is 0 * -inf = NaN): the lanes must still give the one-run bits.
TEST(Lanes, ZeroRationalityAndInfiniteUtilitiesGiveTheOneRunBits) {
  for (const auto& [rationality, infinite] :
       {std::pair<std::string, bool>{"0", false}, {"0", true}, {"0.05", true}}) {
    SCOPED_TRACE("rationality " + rationality + (infinite ? ", infinite utilities" : ""));
    const Model m = many_gates(70, rationality, infinite);
    Coverage c;
    for (const auto* passes : {&geosim::detail::kLanePasses, &geosim::detail::kLanePassesBaseline})
      compare(m, 13, 0, 12, 4, *passes, c);
    EXPECT_EQ(c.runs, 24);
  }
}

// The public entry point: whichever pass this machine takes (or the run-by-run fallback without
// AVX2), simulate_lanes gives simulate_run's results.
TEST(Lanes, PublicEntryPointGivesTheOneRunBits) {
  const Model m = load("scenarios/dprk_russia_2024/baseline.yaml");
  geosim::Workspace ws(m);
  geosim::LaneWorkspace lw(m);
  RunResult one = RunResult::for_model(m);
  std::vector<RunResult> lanes(geosim::kLanes, RunResult::for_model(m));
  for (const int n : {4, 1, 3}) {
    geosim::simulate_lanes(m, 21, 40, n, lw, lanes.data());
    for (int l = 0; l < n; ++l) {
      geosim::simulate_run(m, 21, 40 + static_cast<std::uint64_t>(l), ws, one);
      const RunResult& got = lanes[static_cast<std::size_t>(l)];
      ASSERT_EQ(got.end_tick, one.end_tick);
      ASSERT_EQ(got.end_state, one.end_state);
      ASSERT_EQ(got.decisions, one.decisions);
      ASSERT_EQ(got.first_arrival, one.first_arrival);
      for (std::size_t q = 0; q < one.indicators.size(); ++q)
        ASSERT_EQ(std::bit_cast<std::uint64_t>(got.indicators[q]),
                  std::bit_cast<std::uint64_t>(one.indicators[q]));
    }
  }
}

}  // namespace
