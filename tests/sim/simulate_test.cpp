// simulate_run (include/geosim/simulate.h, engine/sim/simulate.cpp) against hand-worked
// outcomes: a two-actor scenario whose end-state probabilities are derived in closed form, and
// exact checks of effects, events, the ladder rule, end states, indicators and escalation scores.
//
// Statistical checks use a fixed seed and a tolerance of 4 standard errors (stated at each check);
// the rest are exact. Scenarios are written inline as YAML.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "geosim/error.h"
#include "load/test_support.h"
#include "geosim/model.h"
#include "geosim/scenario.h"
#include "geosim/simulate.h"
#include "geosim/summary.h"
#include "sim/tick_parts.h"

namespace {

using geosim::Model;
using geosim::RunResult;

using geosim::testing_support::compile_text;

int index_of(const std::vector<std::string>& names, const std::string& name) {
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) {
    ADD_FAILURE() << "no such name: " << name;
    return -1;
  }
  return static_cast<int>(it - names.begin());
}

// The indicator row of `name` over ticks 0..horizon.
std::vector<double> series(const Model& m, const RunResult& r, const std::string& name) {
  const int i = index_of(m.names.indicators, name);
  std::vector<double> out;
  if (i < 0) return out;
  for (int t = 0; t <= m.horizon; ++t) out.push_back(r.indicator(m, i, t));
  return out;
}

struct OneRun {
  RunResult result;
  geosim::Trace trace;
};

OneRun run_once(const Model& m, std::uint64_t seed = 1, std::uint64_t run = 0) {
  geosim::Workspace ws(m);
  OneRun o{RunResult::for_model(m), {}};
  geosim::simulate_run(m, seed, run, ws, o.result, &o.trace);
  return o;
}

// |x - expected| <= 4 se, with the numbers in the message.
void expect_within_4se(double x, double expected, double se, const std::string& what) {
  EXPECT_LE(std::abs(x - expected), 4 * se)
      << what << ": got " << x << ", expected " << expected << " +- 4 * " << se;
}

// ---------------------------------------------------------------------------------------------
// Two actors, outcome probabilities by hand.
//
// Ladder calm (danger 0) -> war (danger 1), start calm, horizon H = 3 ticks.
// Actor a (lambda 2): hold (U = 0) or escalate (step +1, gain -0.5). With resolve 0.25 and
// risk_tolerance 0.5:
//   U(escalate) = gain + resolve * step - (1 - risk_tolerance) * (danger(war) - danger(calm))
//               = -0.5 + 0.25 - 0.5 * 1 = -0.75,
//   q = P(a escalates) = e^{2 * -0.75} / (1 + e^{2 * -0.75}) = 1 / (1 + e^{1.5}).
// Actor b (lambda 1): hold (U = 0) or talk (gain 0.4; step -1 at the bottom rung is clamped to 0,
// so no other term): r = P(b talks) = e^{0.4} / (1 + e^{0.4}).
// End states, in declared order: war (the war rung is reached: probability 1), then talks
// (a.hold and b.talk both chosen, taking hold with probability p = 0.5).
// Every tick, independently (choices and the end-state draw use separate streams):
//   war this tick:                  q          (a escalates -> rung war -> war fires)
//   talks this tick:                (1 - q) r p
//   nothing, go on:                 c = (1 - q)(1 - r p)
// So with S = 1 + c + c^2:  P(war) = q S,  P(talks) = (1 - q) r p S,  P(ongoing) = c^3,
// and among runs ending in war, P(end tick = t) = c^{t-1} / S.
// ---------------------------------------------------------------------------------------------
constexpr const char* kTwoActors = R"(
geosim: 1
name: two_actors
time: {horizon: 3}
ladder:
  start: calm
  rungs: [{name: calm, danger: 0}, {name: war, danger: 1}]
end_states:
  war: {rung: war}
  talks: {all_chosen: [a.hold, b.talk], probability: 0.5}
actors:
  a:
    rationality: 2
    resolve: 0.25
    risk_tolerance: 0.5
    actions:
      hold: {class: status_quo}
      escalate: {class: violent_escalation, step: 1, gain: -0.5}
  b:
    rationality: 1
    actions:
      hold: {class: status_quo}
      talk: {class: de_escalation, step: -1, gain: 0.4}
)";

TEST(Simulate, TwoActorOutcomeProbabilitiesMatchTheHandDerivation) {
  const Model m = compile_text(kTwoActors, "two_actors.yaml");
  const double q = 1 / (1 + std::exp(1.5));                // 0.18243
  const double r = std::exp(0.4) / (1 + std::exp(0.4));    // 0.59869
  const double p = 0.5;
  const double c = (1 - q) * (1 - r * p);                  // 0.57284
  const double S = 1 + c + c * c;                          // 1.90098
  const double p_war = q * S;                              // 0.34679
  const double p_talks = (1 - q) * r * p * S;              // 0.46524
  const double p_ongoing = c * c * c;                      // 0.18797
  ASSERT_NEAR(p_war + p_talks + p_ongoing, 1.0, 1e-12);

  const std::uint64_t N = 40000;  // SE <= sqrt(0.25 / 40000) = 0.0025; 4 SE <= 0.01
  geosim::MonteCarloOptions opt;
  opt.master_seed = 20240901;
  opt.runs = N;
  opt.threads = 2;
  const auto acc = geosim::run_monte_carlo(m, opt);
  const auto s = geosim::summarize(m, acc, opt.master_seed, opt.block_size);
  ASSERT_EQ(s.runs, N);
  ASSERT_EQ(s.end_states.size(), 3u);
  EXPECT_EQ(s.end_states[0].name, "war");
  EXPECT_EQ(s.end_states[1].name, "talks");
  EXPECT_EQ(s.end_states[2].name, "ongoing");
  auto se = [&](double pr) { return std::sqrt(pr * (1 - pr) / static_cast<double>(N)); };
  // Wrong rules land far outside 4 SE (about 0.01): ignoring the talks probability p gives
  // P(talks) = 0.703; ignoring danger (U = -0.25) gives P(war) = 0.614; ignoring resolve
  // (U = -1) gives P(war) = 0.238; ignoring lambda (lambda U = -0.75) gives P(war) = 0.546.
  expect_within_4se(s.end_states[0].p, p_war, se(p_war), "P(war)");
  expect_within_4se(s.end_states[1].p, p_talks, se(p_talks), "P(talks)");
  expect_within_4se(s.end_states[2].p, p_ongoing, se(p_ongoing), "P(ongoing)");
  EXPECT_EQ(s.end_states[0].count + s.end_states[1].count + s.end_states[2].count, N);

  // The war rung is reached exactly in the runs that end in war.
  ASSERT_EQ(s.rungs.size(), 2u);
  EXPECT_EQ(s.rungs[1].reached.count, s.end_states[0].count);
  EXPECT_EQ(s.rungs[0].reached.count, N);
  // P(war reached by tick t) = q (1 + c + ... + c^{t-1}), each within 4 SE.
  double by_t = 0, ct = 1;
  for (int t = 1; t <= 3; ++t) {
    by_t += q * ct;
    ct *= c;
    expect_within_4se(s.rungs[1].reached_by_tick[static_cast<std::size_t>(t)], by_t, se(by_t),
                      "P(war by tick " + std::to_string(t) + ")");
  }
  EXPECT_EQ(s.rungs[1].reached_by_tick[0], 0.0);
  // Among war runs P(tick 1) = 1/S = 0.526 > 1/2 (about 13,900 war runs: SE 0.0042, so the
  // margin is 6 SE), so the median end tick of war is 1; ongoing runs end at the horizon.
  EXPECT_EQ(s.end_state_median_tick[0], 1.0);
  EXPECT_EQ(s.end_state_median_tick[2], 3.0);
}

// ---------------------------------------------------------------------------------------------
// Effects: add, set, mul, applied in list order, each followed by the variable's clamp.
// ---------------------------------------------------------------------------------------------
TEST(Simulate, EffectsAddSetMulApplyInOrderAndClampAfterEveryChange) {
  const Model m = compile_text(R"(
geosim: 1
name: effects
time: {horizon: 3}
state:
  a_add: {initial: 1}
  b_set: {initial: 4}
  c_mul: {initial: 1.5}
  d_seq: {initial: 1}
  e_top: {initial: 10, max: 5}
  f_mid: {initial: 0, max: 5}
  g_low: {initial: 0, min: -2, max: 2}
  h_mul: {initial: 1, max: 6}
  i_order: {initial: 0}
ladder: {start: only, rungs: [{name: only}]}
actors:
  a:
    rationality: 1
    actions:
      act:
        class: status_quo
        effects:
          - {var: a_add, add: 3}
          - {var: b_set, set: 7}
          - {var: c_mul, mul: 2}
          - {var: d_seq, add: 2}
          - {var: d_seq, mul: 3}
          - {var: f_mid, add: 10}
          - {var: f_mid, add: -10}
          - {var: g_low, add: -1}
          - {var: h_mul, mul: 4}
          - {var: i_order, set: 10}
  b:
    rationality: 1
    actions:
      bump: {class: status_quo, effects: [{var: i_order, add: 1}]}
)", "effects.yaml");
  const OneRun o = run_once(m);
  using V = std::vector<double>;
  EXPECT_EQ(series(m, o.result, "a_add"), (V{1, 4, 7, 10}));
  EXPECT_EQ(series(m, o.result, "b_set"), (V{4, 7, 7, 7}));
  EXPECT_EQ(series(m, o.result, "c_mul"), (V{1.5, 3, 6, 12}));
  // (x + 2) * 3, not x * 3 + 2: effects apply in list order.
  EXPECT_EQ(series(m, o.result, "d_seq"), (V{1, 9, 33, 105}));
  // The initial value is clamped too.
  EXPECT_EQ(series(m, o.result, "e_top"), (V{5, 5, 5, 5}));
  // Clamped after each effect: 0 + 10 -> 5 (clamped), 5 - 10 = -5, every tick. A clamp applied
  // once after all the effects would give 0 + 10 - 10 = 0.
  EXPECT_EQ(series(m, o.result, "f_mid"), (V{0, -5, -5, -5}));
  EXPECT_EQ(series(m, o.result, "g_low"), (V{0, -1, -2, -2}));
  EXPECT_EQ(series(m, o.result, "h_mul"), (V{1, 4, 6, 6}));
  // Chosen actions take effect in actor order: a sets 10, then b adds 1.
  EXPECT_EQ(series(m, o.result, "i_order"), (V{0, 11, 11, 11}));
}

TEST(Simulate, TimesMultipliesTheValueByTheVariablesCurrentValue) {
  const Model m = compile_text(R"(
geosim: 1
name: times
time: {horizon: 3}
state:
  k: {initial: 1}
  x_add: {initial: 0}
  x_set: {initial: 0}
  x_mul: {initial: 1}
ladder: {start: only, rungs: [{name: only}]}
actors:
  a:
    rationality: 1
    actions:
      act:
        class: status_quo
        effects:
          - {var: k, add: 1}
          - {var: x_add, add: 2, times: k}
          - {var: x_set, set: 2, times: k}
          - {var: x_mul, mul: 2, times: k}
)", "times.yaml");
  const OneRun o = run_once(m);
  using V = std::vector<double>;
  // k is 2, 3, 4 when the later effects read it (after the first effect of the same tick).
  EXPECT_EQ(series(m, o.result, "k"), (V{1, 2, 3, 4}));
  EXPECT_EQ(series(m, o.result, "x_add"), (V{0, 4, 10, 18}));
  EXPECT_EQ(series(m, o.result, "x_set"), (V{0, 4, 6, 8}));
  EXPECT_EQ(series(m, o.result, "x_mul"), (V{1, 4, 24, 192}));
}

// ---------------------------------------------------------------------------------------------
// Events.
// ---------------------------------------------------------------------------------------------
constexpr const char* kQuietActor = R"(
actors:
  a:
    rationality: 1
    actions:
      hold: {class: status_quo}
)";

// Poisson with rate 0.7 per `troops` (3): mean count 2.1 per tick. Over H = 50 ticks the total
// `hits` of a run is Poisson(105). With R = 2000 runs:
//   mean count per tick = mean(hits) / H,  SE = sqrt(2.1 / (H R)) = 0.0046 (4 SE = 0.018);
//   a rate that ignores `per` (0.7) is 300 SE away.
//   sample variance of hits: Poisson(L) has mu4 = L + 3 L^2, so
//   SE(s^2) = sqrt((mu4 - L^2 (R - 3) / (R - 1)) / R) = 3.33 at L = 105 (4 SE = 13.3);
//   a count that is always round(mean) (variance 0) or a Bernoulli times the rate fails it.
TEST(Simulate, PoissonMeanCountPerTickIsRateTimesPer) {
  const Model m = compile_text(std::string(R"(
geosim: 1
name: poisson
time: {horizon: 50}
state:
  troops: {initial: 3}
  hits: {initial: 0}
ladder: {start: only, rungs: [{name: only}]}
events:
  fire: {kind: poisson, rate: 0.7, per: troops, effects: [{var: hits, add: 1}]}
)") + kQuietActor, "poisson.yaml");
  const int R = 2000, H = 50;
  const int hits = index_of(m.names.indicators, "hits");
  geosim::Workspace ws(m);
  auto out = RunResult::for_model(m);
  geosim::Welford w;
  for (int r = 0; r < R; ++r) {
    geosim::simulate_run(m, 77, static_cast<std::uint64_t>(r), ws, out);
    w.add(out.indicator(m, hits, H));
  }
  const double L = 2.1 * H;
  expect_within_4se(w.mean / H, 2.1, std::sqrt(2.1 / (H * R)), "mean count per tick");
  const double mu4 = L + 3 * L * L;
  const double se_var = std::sqrt((mu4 - L * L * (R - 3.0) / (R - 1.0)) / R);
  expect_within_4se(w.variance(), L, se_var, "variance of the total count");
}

// The count drawn multiplies `add` values (and `times` still applies), but not `set` or `mul`;
// a tick with count 0 applies nothing. Checked tick by tick against the Trace's counts.
TEST(Simulate, PoissonCountScalesAddEffectsOnly) {
  const Model m = compile_text(std::string(R"(
geosim: 1
name: poisson_exact
time: {horizon: 40}
state:
  k: {initial: 4}
  x: {initial: 0}
  y: {initial: 0}
  z: {initial: 0}
  w: {initial: 1}
ladder: {start: only, rungs: [{name: only}]}
events:
  shots:
    kind: poisson
    rate: 1.2
    effects:
      - {var: x, add: 2}
      - {var: y, set: 5}
      - {var: z, add: 0.5, times: k}
      - {var: w, mul: 2}
)") + kQuietActor, "poisson_exact.yaml");
  const OneRun o = run_once(m, 5);
  std::vector<double> count(static_cast<std::size_t>(m.horizon + 1), 0.0);
  for (const auto& e : o.trace.events) count[static_cast<std::size_t>(e.tick)] = e.count;
  const auto x = series(m, o.result, "x"), y = series(m, o.result, "y"),
             z = series(m, o.result, "z"), w = series(m, o.result, "w");
  int fired = 0, multi = 0;
  double w_expected = 1, y_expected = 0;
  for (int t = 1; t <= m.horizon; ++t) {
    const auto ut = static_cast<std::size_t>(t);
    const double n = count[ut];
    if (n > 0) {
      ++fired;
      w_expected *= 2;
      y_expected = 5;
    }
    if (n > 1) ++multi;
    EXPECT_EQ(x[ut] - x[ut - 1], 2 * n) << "tick " << t;
    EXPECT_EQ(z[ut] - z[ut - 1], 2 * n) << "tick " << t;  // 0.5 * k(4) * count
    EXPECT_EQ(w[ut], w_expected) << "tick " << t;
    EXPECT_EQ(y[ut], y_expected) << "tick " << t;
  }
  // The run must exercise both a zero count and a count above 1 (P(0) = 0.30, P(>1) = 0.34).
  EXPECT_GT(fired, 0);
  EXPECT_LT(fired, m.horizon);
  EXPECT_GT(multi, 0);
}

// Bernoulli with probability 0.3 over H = 50 ticks and R = 2000 runs: 100,000 independent trials,
// frequency SE = sqrt(0.21 / 1e5) = 0.00145 (4 SE = 0.0058).
TEST(Simulate, BernoulliFiresWithItsProbability) {
  const Model m = compile_text(std::string(R"(
geosim: 1
name: bernoulli
time: {horizon: 50}
state:
  fired: {initial: 0}
ladder: {start: only, rungs: [{name: only}]}
events:
  coin: {kind: bernoulli, probability: 0.3, effects: [{var: fired, add: 1}]}
)") + kQuietActor, "bernoulli.yaml");
  const int R = 2000, H = 50;
  const int fired = index_of(m.names.indicators, "fired");
  geosim::Workspace ws(m);
  auto out = RunResult::for_model(m);
  double total = 0;
  for (int r = 0; r < R; ++r) {
    geosim::simulate_run(m, 78, static_cast<std::uint64_t>(r), ws, out);
    total += out.indicator(m, fired, H);
  }
  const double n = static_cast<double>(R) * H;
  expect_within_4se(total / n, 0.3, std::sqrt(0.3 * 0.7 / n), "Bernoulli frequency");
}

// A flow adds exactly its value every tick it is eligible. Events run in declared order after the
// decisions, each seeing the effects of the ones before it:
//   `early` (declared before the clock) sees clock = t - 1 at tick t: eligible from tick 4;
//   `late` (declared after) sees clock = t: eligible from tick 3;
//   `low_only` (max_rung low) is eligible while the rung at the start of the tick is low. Actor a
//   raises the ladder at tick 6 (its decision sees clock 5), so low_only runs at ticks 1..6.
TEST(Simulate, FlowAddsExactlyItsValueEveryEligibleTick) {
  const Model m = compile_text(R"(
geosim: 1
name: flow
time: {horizon: 8}
state:
  clock: {initial: 0}
  income_early: {initial: 0}
  income_late: {initial: 0}
  low_only: {initial: 0}
ladder: {start: low, rungs: [{name: low}, {name: high}]}
actors:
  a:
    rationality: 1000
    actions:
      hold: {class: status_quo}
      rise: {class: posturing, step: 1, gain: 1, requires: [{var: clock, ge: 5}]}
events:
  early: {kind: flow, requires: [{var: clock, ge: 3}], effects: [{var: income_early, add: 1.5}]}
  clock_tick: {kind: flow, effects: [{var: clock, add: 1}]}
  late: {kind: flow, requires: [{var: clock, ge: 3}], effects: [{var: income_late, add: 1.5}]}
  lower: {kind: flow, max_rung: low, effects: [{var: low_only, add: 0.25}]}
)", "flow.yaml");
  const OneRun o = run_once(m);
  const auto early = series(m, o.result, "income_early"), late = series(m, o.result, "income_late"),
             low = series(m, o.result, "low_only");
  for (int t = 0; t <= 8; ++t) {
    const auto ut = static_cast<std::size_t>(t);
    EXPECT_EQ(early[ut], 1.5 * std::max(0, t - 3)) << "tick " << t;
    EXPECT_EQ(late[ut], 1.5 * std::max(0, t - 2)) << "tick " << t;
    EXPECT_EQ(low[ut], 0.25 * std::min(t, 6)) << "tick " << t;
  }
  for (const auto& e : o.trace.events) EXPECT_EQ(e.count, 1.0);
}

// ---------------------------------------------------------------------------------------------
// The ladder.
//
// Rungs r0..r4, start r2. Actions and events are scripted by a clock (a flow declared first):
// the decisions of tick t see clock = t - 1; events after the clock see clock = t. Scripted
// actions have gain 10 against idle's 0 at lambda 1000, so they are always chosen when available.
//   tick 1:  u +1, d -1         -> escalation wins:                    r2 -> r3
//   tick 2:  d -1               -> nobody pushes up:                   r3 -> r2
//   tick 3:  nothing                                                   r2
//   tick 4:  u +3, d -1         -> clamped to the top:                 r2 -> r4
//   tick 5:  d -3                                                      r4 -> r1
//   tick 6:  d -3               -> clamped to the bottom:              r1 -> r0
//   tick 7:  u +1, d +2         -> the largest push, not the sum (r3): r0 -> r2
//   tick 8:  u +1, event +1     -> actions and events alike, no sum:   r2 -> r3
//   tick 9:  d -1                                                      r3 -> r2
//   tick 10: event to_rung r3   -> raised to at least r3:              r2 -> r3
//   tick 11: event to_rung r1   -> to_rung never lowers:               r3
// ---------------------------------------------------------------------------------------------
constexpr const char* kLadder = R"(
geosim: 1
name: ladder
time: {horizon: 11}
state:
  clock: {initial: 0}
ladder:
  start: r2
  rungs: [{name: r0}, {name: r1}, {name: r2}, {name: r3}, {name: r4}]
actors:
  u:
    rationality: 1000
    actions:
      idle: {class: status_quo}
      up_t1: {class: posturing, step: 1, gain: 10, requires: [{var: clock, eq: 0}]}
      up_t4: {class: posturing, step: 3, gain: 10, requires: [{var: clock, eq: 3}]}
      up_t7: {class: posturing, step: 1, gain: 10, requires: [{var: clock, eq: 6}]}
      up_t8: {class: posturing, step: 1, gain: 10, requires: [{var: clock, eq: 7}]}
  d:
    rationality: 1000
    actions:
      idle: {class: status_quo}
      down_t1: {class: de_escalation, step: -1, gain: 10, requires: [{var: clock, eq: 0}]}
      down_t2: {class: de_escalation, step: -1, gain: 10, requires: [{var: clock, eq: 1}]}
      down_t4: {class: de_escalation, step: -1, gain: 10, requires: [{var: clock, eq: 3}]}
      down_t5: {class: de_escalation, step: -3, gain: 10, requires: [{var: clock, eq: 4}]}
      down_t6: {class: de_escalation, step: -3, gain: 10, requires: [{var: clock, eq: 5}]}
      up_t7: {class: posturing, step: 2, gain: 10, requires: [{var: clock, eq: 6}]}
      down_t9: {class: de_escalation, step: -1, gain: 10, requires: [{var: clock, eq: 8}]}
events:
  clock_tick: {kind: flow, effects: [{var: clock, add: 1}]}
  surge: {kind: flow, step: 1, requires: [{var: clock, eq: 8}]}
  jump: {kind: flow, to_rung: r3, requires: [{var: clock, eq: 10}]}
  floor: {kind: flow, to_rung: r1, requires: [{var: clock, eq: 11}]}
)";

TEST(Simulate, LadderEscalationWinsComesDownOnlyWhenNobodyPushesUpAndIsClamped) {
  const Model m = compile_text(kLadder, "ladder.yaml");
  const OneRun o = run_once(m);
  // Rung after each tick, from the trace's rung changes.
  std::vector<int> rung;
  int cur = 2;
  std::size_t next = 0;
  for (int t = 0; t <= m.horizon; ++t) {
    while (next < o.trace.rung_changes.size() && o.trace.rung_changes[next].tick == t) {
      EXPECT_EQ(o.trace.rung_changes[next].from, cur) << "tick " << t;
      cur = o.trace.rung_changes[next].to;
      ++next;
    }
    rung.push_back(cur);
  }
  EXPECT_EQ(next, o.trace.rung_changes.size());
  EXPECT_EQ(rung, (std::vector<int>{2, 3, 2, 2, 4, 1, 0, 2, 3, 2, 3, 3}));
  EXPECT_EQ(o.trace.rung_changes.size(), 9u);  // ticks 3 and 11 change nothing
  EXPECT_EQ(o.result.highest_rung, 4);
  // First arrival: r0..r2 at tick 0 (the start rung and those below it), r3 at tick 1, r4 at 4;
  // coming back to r3 later does not move its first arrival.
  EXPECT_EQ(o.result.first_arrival, (std::vector<std::int32_t>{0, 0, 0, 1, 4}));
  // Every scripted action was chosen when scheduled (sanity check of the script itself).
  int scripted = 0;
  for (const auto& d : o.trace.decisions)
    if (m.names.actions[static_cast<std::size_t>(d.action)].find(".idle") == std::string::npos)
      ++scripted;
  EXPECT_EQ(scripted, 11);
}

// At the top rung an escalating action's effective step is 0 (docs/model.md section 7: "a
// `step: 1` action taken on the top rung has Delta = 0"), and only effective steps are ladder
// proposals (section 10, steps 2 and 4). So it does not count as pushing up, and a de-escalation
// chosen in the same tick brings the ladder down although an actor chose to escalate. This pins the
// documented rule; if the rule changes to "a chosen upward move holds the ladder even when
// clamped", this test is the one to flip.
// An escalation that cannot move the ladder (a step up at the top, or a to_rung at or below the
// current rung) still holds it: a de-escalation chosen in the same tick does not bring it down.
TEST(Simulate, LadderHeldByAnEscalationThatCannotMoveIt) {
  const Model m = compile_text(R"(
geosim: 1
name: top
time: {horizon: 1}
ladder:
  start: r2
  rungs: [{name: r0}, {name: r1}, {name: r2}]
actors:
  u:
    rationality: 1
    actions:
      strike: {class: violent_escalation, step: 1}
  d:
    rationality: 1
    actions:
      talk: {class: de_escalation, step: -1}
)", "top.yaml");
  const OneRun o = run_once(m);
  EXPECT_TRUE(o.trace.rung_changes.empty());
  EXPECT_EQ(o.result.highest_rung, 2);
  // The clamped escalation still scores its class weight (section 11).
  EXPECT_EQ(series(m, o.result, "escalation_score.u"), (std::vector<double>{0, 28}));
}

// A to_rung below the current rung holds the ladder at its target, not where it stands: a step
// down of two from r3 stops at the held r2.
TEST(Simulate, ToRungBelowTheLadderHoldsItAtItsTarget) {
  const Model m = compile_text(R"(
geosim: 1
name: hold
time: {horizon: 1}
ladder:
  start: r3
  rungs: [{name: r0}, {name: r1}, {name: r2}, {name: r3}]
actors:
  u:
    rationality: 1
    actions:
      authorise: {class: nonviolent_escalation, to_rung: r2}
  d:
    rationality: 1
    actions:
      talk: {class: de_escalation, step: -2}
)", "hold.yaml");
  const OneRun o = run_once(m);
  ASSERT_EQ(o.trace.rung_changes.size(), 1u);
  EXPECT_EQ(o.trace.rung_changes[0].from, 3);
  EXPECT_EQ(o.trace.rung_changes[0].to, 2);
}

// First arrival of rungs jumped over is the tick of the jump; rungs never reached stay -1.
TEST(Simulate, FirstArrivalCountsRungsJumpedOver) {
  const Model m = compile_text(R"(
geosim: 1
name: first_arrival
time: {horizon: 6}
state:
  clock: {initial: 0}
ladder:
  start: r0
  rungs: [{name: r0}, {name: r1}, {name: r2}, {name: r3}, {name: r4}]
actors:
  a:
    rationality: 1000
    actions:
      idle: {class: status_quo}
      down: {class: de_escalation, step: -1, gain: 10, requires: [{var: clock, eq: 3}]}
      up: {class: posturing, step: 1, gain: 10, requires: [{var: clock, eq: 4}]}
events:
  clock_tick: {kind: flow, effects: [{var: clock, add: 1}]}
  jump: {kind: flow, to_rung: r3, requires: [{var: clock, eq: 2}]}
)", "first_arrival.yaml");
  // tick 2: r0 -> r3 (r1, r2, r3 first reached); tick 4: r3 -> r2; tick 5: r2 -> r3 (again).
  const OneRun o = run_once(m);
  EXPECT_EQ(o.result.first_arrival, (std::vector<std::int32_t>{0, 2, 2, 2, -1}));
  EXPECT_EQ(o.result.highest_rung, 3);
}

// ---------------------------------------------------------------------------------------------
// End states and indicators.
// ---------------------------------------------------------------------------------------------
// x rises by 1 a tick. `never` (x >= 1) has probability 0; `done` and `also_done` (x >= 3) both
// fire at tick 3: the first declared wins. After the end, every indicator keeps its value.
TEST(Simulate, EarlyEndFreezesIndicatorsAndTheFirstDeclaredEndStateWins) {
  const Model m = compile_text(R"(
geosim: 1
name: early_end
time: {horizon: 10}
state:
  x: {initial: 0}
ladder: {start: only, rungs: [{name: only}]}
end_states:
  never: {state: [{var: x, ge: 1}], probability: 0}
  done: {state: [{var: x, ge: 3}]}
  also_done: {state: [{var: x, ge: 3}]}
actors:
  a:
    rationality: 1
    actions:
      push: {class: posturing, effects: [{var: x, add: 1}]}
)", "early_end.yaml");
  for (std::uint64_t run = 0; run < 20; ++run) {
    const OneRun o = run_once(m, 9, run);
    EXPECT_EQ(o.result.end_state, 1);
    EXPECT_EQ(o.result.end_tick, 3);
    EXPECT_EQ(o.result.decisions, 3);
    using V = std::vector<double>;
    EXPECT_EQ(series(m, o.result, "x"), (V{0, 1, 2, 3, 3, 3, 3, 3, 3, 3, 3}));
    EXPECT_EQ(series(m, o.result, "escalation_score.a"), (V{0, 4, 8, 12, 12, 12, 12, 12, 12, 12, 12}));
  }
}

// A run that reaches the horizon has end_state -1 and end_tick = horizon; a reused RunResult and
// Workspace carry nothing over from a run that ended early.
TEST(Simulate, RunsReachingTheHorizonAreOngoingEvenAfterAnEarlyEndInTheSameWorkspace) {
  const Model m = compile_text(R"(
geosim: 1
name: maybe_end
time: {horizon: 5}
state:
  x: {initial: 0}
ladder: {start: only, rungs: [{name: only}]}
end_states:
  stop: {any_chosen: [a.stop]}
actors:
  a:
    rationality: 0
    actions:
      go: {class: status_quo, effects: [{var: x, add: 1}]}
      stop: {class: de_escalation, effects: [{var: x, add: 1}]}
)", "maybe_end.yaml");
  geosim::Workspace ws(m);
  auto out = RunResult::for_model(m);
  int ended = 0, ongoing = 0;
  for (std::uint64_t run = 0; run < 200; ++run) {
    geosim::simulate_run(m, 4, run, ws, out);
    const int x = index_of(m.names.indicators, "x");
    if (out.end_state == -1) {
      ++ongoing;
      EXPECT_EQ(out.end_tick, 5);
      EXPECT_EQ(out.indicator(m, x, 5), 5.0);
    } else {
      ++ended;
      EXPECT_EQ(out.end_state, 0);
      for (int t = 0; t <= 5; ++t)
        EXPECT_EQ(out.indicator(m, x, t), static_cast<double>(std::min(t, out.end_tick)))
            << "run " << run;
    }
    EXPECT_EQ(out.decisions, out.end_tick);
  }
  // P(ongoing) = 2^-5 (lambda 0: stop has probability 1/2 each tick): both kinds occur.
  EXPECT_GT(ended, 0);
  EXPECT_GT(ongoing, 0);
}

// ---------------------------------------------------------------------------------------------
// Escalation score (Rivera et al. 2024 class weights): status_quo 0, de_escalation -2,
// posturing 4, nonviolent_escalation 12, violent_escalation 28, nuclear 60, summed per actor over
// the actions it chose. Actor a goes through the six classes in order (scripted by a clock that
// is not reported, so the indicators are the two scores only); actor b goes nuclear every tick.
// ---------------------------------------------------------------------------------------------
constexpr const char* kScore = R"(
geosim: 1
name: score
time: {horizon: 6}
state:
  clock: {initial: 0, report: false}
ladder: {start: only, rungs: [{name: only}]}
actors:
  a:
    rationality: 1
    actions:
      s0: {class: status_quo, requires: [{var: clock, eq: 0}]}
      s1: {class: de_escalation, requires: [{var: clock, eq: 1}]}
      s2: {class: posturing, requires: [{var: clock, eq: 2}]}
      s3: {class: nonviolent_escalation, requires: [{var: clock, eq: 3}]}
      s4: {class: violent_escalation, requires: [{var: clock, eq: 4}]}
      s5: {class: nuclear, requires: [{var: clock, eq: 5}]}
  b:
    rationality: 1
    actions:
      boom: {class: nuclear}
events:
  clock_tick: {kind: flow, effects: [{var: clock, add: 1}]}
)";

TEST(Simulate, EscalationScoreAccumulatesTheRiveraClassWeights) {
  const Model m = compile_text(kScore, "score.yaml");
  ASSERT_EQ(m.n_indicators(), 2);  // the unreported clock is not an indicator
  const OneRun o = run_once(m);
  using V = std::vector<double>;
  // 0, 0, -2, -2 + 4, 2 + 12, 14 + 28, 42 + 60.
  EXPECT_EQ(series(m, o.result, "escalation_score.a"), (V{0, 0, -2, 2, 14, 42, 102}));
  EXPECT_EQ(series(m, o.result, "escalation_score.b"), (V{0, 60, 120, 180, 240, 300, 360}));
}

TEST(Simulate, EscalationWeightsCanBeOverriddenPerClass) {
  std::string yaml = kScore;
  yaml += "escalation_weights: {posturing: 5, nuclear: 100}\n";
  const Model m = compile_text(yaml, "score_weights.yaml");
  const OneRun o = run_once(m);
  using V = std::vector<double>;
  // 0, 0, -2, -2 + 5, 3 + 12, 15 + 28, 43 + 100.
  EXPECT_EQ(series(m, o.result, "escalation_score.a"), (V{0, 0, -2, 3, 15, 43, 143}));
  EXPECT_EQ(series(m, o.result, "escalation_score.b"), (V{0, 100, 200, 300, 400, 500, 600}));
}

// ---------------------------------------------------------------------------------------------
// Every utility term, by hand (scenario.h documents each one).
// Rungs r0 (danger 0), r1 (danger 2), r2 (danger 7). b escalates at tick 1 (scripted), so the
// ladder stands at r1 at tick 2 whatever a did. Actor a, action strike (step +1):
//   gain 0.2; cost 0.6 / capacity 2 = 0.3; resolve 0.3 per rung;
//   danger (1 - risk_tolerance 0.25) * (danger(target) - danger(here));
//   leverage: a weighs b's wishes by 0.4, b wishes a.strike -1.5: 0.4 * -1.5 = -0.6;
//   reciprocity: 0.5 * hostility(a, b) 0.8 * b's step last tick (1), per rung of a's step;
//   state term 0.1 * level (5) = 0.5.
// Tick 1 (r0 -> r1, no provocation yet):
//   U = 0.2 - 0.3 + 0.3 - 0.75 * 2 - 0.6 + 0 + 0.5 = -1.4
// Tick 2 (r1 -> r2, b escalated at tick 1):
//   U = 0.2 - 0.3 + 0.3 - 0.75 * 5 - 0.6 + 0.4 + 0.5 = -3.25
// hold has U = 0, so P(strike) = 1 / (1 + exp(-lambda U)) with lambda 0.7.
// ---------------------------------------------------------------------------------------------
TEST(Simulate, UtilityTermsCombineAsDocumented) {
  const Model m = compile_text(R"(
geosim: 1
name: utility
time: {horizon: 2}
state:
  clock: {initial: 0}
  level: {initial: 5}
ladder:
  start: r0
  rungs: [{name: r0, danger: 0}, {name: r1, danger: 2}, {name: r2, danger: 7}]
actors:
  a:
    rationality: 0.7
    resolve: 0.3
    risk_tolerance: 0.25
    capacity: 2
    reciprocity: 0.5
    actions:
      hold: {class: status_quo}
      strike:
        class: violent_escalation
        step: 1
        gain: 0.2
        cost: 0.6
        utility: [{var: level, weight: 0.1}]
  b:
    rationality: 1
    actions:
      escalate: {class: posturing, step: 1, requires: [{var: clock, eq: 0}]}
      wait: {class: status_quo, requires: [{var: clock, ge: 1}]}
relations:
  a: {b: 0.8}
leverage:
  a: {b: 0.4}
wishes:
  b: {a.strike: -1.5}
events:
  clock_tick: {kind: flow, effects: [{var: clock, add: 1}]}
)", "utility.yaml");
  const double lambda = 0.7;
  const double u1 = 0.2 - 0.3 + 0.3 - 0.75 * 2 - 0.6 + 0.0 + 0.5;
  const double u2 = 0.2 - 0.3 + 0.3 - 0.75 * 5 - 0.6 + 0.4 + 0.5;
  const double p1 = 1 / (1 + std::exp(-lambda * u1)), p2 = 1 / (1 + std::exp(-lambda * u2));
  bool seen_strike_at_2 = false;
  for (std::uint64_t run = 0; run < 400; ++run) {
    const OneRun o = run_once(m, 6, run);
    for (const auto& d : o.trace.decisions) {
      if (d.actor != 0) continue;
      const bool strike = d.action == 1;
      const double ps = d.tick == 1 ? p1 : p2;
      EXPECT_NEAR(d.probability, strike ? ps : 1 - ps, 1e-12) << "tick " << d.tick;
      if (strike && d.tick == 2 && !seen_strike_at_2) {
        seen_strike_at_2 = true;
        EXPECT_NEAR(d.u_gain, 0.2, 1e-12);
        EXPECT_NEAR(d.u_cost, -0.3, 1e-12);
        EXPECT_NEAR(d.u_resolve, 0.3, 1e-12);
        EXPECT_NEAR(d.u_danger, -3.75, 1e-12);
        EXPECT_NEAR(d.u_leverage, -0.6, 1e-12);
        EXPECT_NEAR(d.u_reciprocity, 0.4, 1e-12);
        EXPECT_NEAR(d.u_state, 0.5, 1e-12);
        EXPECT_NEAR(d.u_total, u2, 1e-12);
      }
    }
  }
  // P(strike at tick 2) = 0.093 per run: it happens in 400 runs (P(never) ~ 1e-17).
  EXPECT_TRUE(seen_strike_at_2);
}

// ---------------------------------------------------------------------------------------------
// The Trace.
// ---------------------------------------------------------------------------------------------
// A Trace is "the whole story of one run" (simulate.h): passing the same Trace to a second run
// must leave only the second run's story in it, as it already does for `params`.
TEST(Simulate, ATraceReusedForASecondRunHoldsOnlyThatRun) {
  const Model m = compile_text(kTwoActors, "two_actors.yaml");
  geosim::Workspace ws(m);
  auto out = RunResult::for_model(m);
  geosim::Trace fresh, reused;
  geosim::simulate_run(m, 1, 0, ws, out, &reused);
  geosim::simulate_run(m, 1, 1, ws, out, &reused);
  geosim::simulate_run(m, 1, 1, ws, out, &fresh);
  EXPECT_EQ(reused.params, fresh.params);
  EXPECT_EQ(reused.decisions.size(), fresh.decisions.size())
      << "decisions of the first run are still in the reused Trace";
  EXPECT_EQ(reused.rung_changes.size(), fresh.rung_changes.size());
  EXPECT_EQ(reused.events.size(), fresh.events.size());
}

// n_available is the number of actions open to the actor, not the number whose logit weight is
// representable: at lambda 1000 an available action with U one below the best has weight
// exp(-1000) = 0 in double, but it is still available.
TEST(Simulate, TraceCountsAvailableActionsEvenWhenTheirWeightUnderflows) {
  const Model m = compile_text(R"(
geosim: 1
name: underflow
time: {horizon: 3}
ladder: {start: only, rungs: [{name: only}]}
actors:
  a:
    rationality: 1000
    actions:
      hold: {class: status_quo}
      best: {class: posturing, gain: 1}
)", "underflow.yaml");
  const OneRun o = run_once(m);
  ASSERT_EQ(o.trace.decisions.size(), 3u);
  for (const auto& d : o.trace.decisions) {
    EXPECT_EQ(d.action, 1);
    EXPECT_EQ(d.n_available, 2) << "tick " << d.tick;
  }
}

}  // namespace

namespace {

// simulate_run is exactly its stages: begin_run, then advance_tick until it reports an end state
// or the horizon is passed. Checked on the shipped baseline (events, ladder moves, end states of
// every kind) over 40 runs: the same outcome, decisions and indicators up to the end tick.
TEST(Simulate, StagesReproduceSimulateRun) {
  const Model m = geosim::compile(geosim::load_scenario(
      std::string(GEOSIM_SOURCE_DIR) + "/scenarios/dprk_russia_2024/baseline.yaml"));
  geosim::Workspace ws_whole(m), ws_staged(m);
  RunResult whole = RunResult::for_model(m), staged = RunResult::for_model(m);
  int ended_early = 0;
  for (std::uint64_t run = 0; run < 40; ++run) {
    geosim::simulate_run(m, 5, run, ws_whole, whole);
    geosim::begin_run(m, 5, run, ws_staged, staged);
    std::int32_t tick = 1;
    while (tick <= m.horizon && !geosim::advance_tick(m, tick, ws_staged, staged)) ++tick;
    const std::int32_t end_tick = std::min(tick, m.horizon);
    ended_early += end_tick < m.horizon ? 1 : 0;
    ASSERT_EQ(end_tick, whole.end_tick) << "run " << run;
    EXPECT_EQ(staged.end_state, whole.end_state) << "run " << run;
    EXPECT_EQ(staged.decisions, whole.decisions) << "run " << run;
    EXPECT_EQ(staged.highest_rung, whole.highest_rung) << "run " << run;
    EXPECT_EQ(staged.first_arrival, whole.first_arrival) << "run " << run;
    for (int i = 0; i < m.n_indicators(); ++i)
      for (int t = 0; t <= end_tick; ++t)
        ASSERT_EQ(staged.indicator(m, i, t), whole.indicator(m, i, t))
            << "run " << run << ", indicator " << i << ", tick " << t;
  }
  EXPECT_GT(ended_early, 0) << "no run ended early: the end-state path was not compared";
}

// The simulator's table indices (rung x action, rung x event, actor x actor, gate words) are
// computed in std::size_t: an index past INT32_MAX comes out right, not wrapped to a negative int.
TEST(TableIndex, IsComputedInSizeTNotInt) {
  using geosim::detail::table_at;
  using geosim::detail::table_size;
  EXPECT_EQ(table_at(3, 7, 5), 26U);
  EXPECT_EQ(table_size(3, 7), 21U);
  EXPECT_EQ(table_at(70000, 70000, 5), std::size_t{4900000005});
  EXPECT_EQ(table_size(70000, 70000), std::size_t{4900000000});
  EXPECT_EQ(table_at(INT32_MAX, 2, 1), std::size_t{2} * INT32_MAX + 1);
}

}  // namespace
