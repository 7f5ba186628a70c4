// The logit choice rule of simulate_run (include/geosim/simulate.h):
//   P(a) = exp(lambda * U(a)) / sum_{b available} exp(lambda * U(b)),
// with unavailable actions (outside [min_rung, max_rung], or a `requires` condition false) given
// probability 0.
//
// Every scenario here has one actor whose actions differ only in `gain`: resolve 0, cost 0, no
// ladder move (so no danger term), no reciprocity, leverage or state terms. So U(a) = gain(a).
// Choices are counted from the Trace. Each tick's decision is an independent draw (nothing in the
// state changes the utilities), so the count of action a over N decisions is Binomial(N, p_a) and
// the frequency has standard error sqrt(p_a (1 - p_a) / N). Frequencies are checked within 4 SE
// at a fixed seed (a false alarm has probability below 1e-4 per check, and the seed is fixed, so a
// pass is reproducible).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "geosim/error.h"
#include "geosim/fast_exp.h"
#include "sim/fast_exp_lanes.h"
#include "load/test_support.h"
#include "geosim/model.h"
#include "geosim/rng.h"
#include "geosim/scenario.h"
#include "geosim/simulate.h"

namespace {

using geosim::Model;

using geosim::testing_support::compile_text;

// One actor `a` with actions g0..g3 of gains `gains`, rationality `lambda`, on a one-rung ladder.
std::string one_actor_yaml(double lambda, const std::vector<double>& gains, int horizon) {
  std::string y =
      "geosim: 1\n"
      "name: logit_probe\n"
      "time: {horizon: " + std::to_string(horizon) + "}\n"
      "ladder: {start: only, rungs: [{name: only}]}\n"
      "actors:\n"
      "  a:\n"
      "    rationality: " + std::to_string(lambda) + "\n"
      "    actions:\n";
  for (std::size_t k = 0; k < gains.size(); ++k)
    y += "      g" + std::to_string(k) + ": {class: status_quo, gain: " + std::to_string(gains[k]) +
         "}\n";
  return y;
}

// exp(lambda U_a) / sum_b exp(lambda U_b), computed here and not by the engine.
std::vector<double> logit(double lambda, const std::vector<double>& u) {
  double mx = u[0];
  for (double x : u) mx = std::max(mx, x);
  std::vector<double> p(u.size());
  double total = 0;
  for (std::size_t k = 0; k < u.size(); ++k) total += p[k] = std::exp(lambda * (u[k] - mx));
  for (auto& x : p) x /= total;
  return p;
}

struct Tally {
  std::vector<std::uint64_t> count;  // per action index of the model
  std::uint64_t decisions = 0;
  std::vector<geosim::DecisionRecord> sample;  // the first run's decisions
};

// Runs `runs` runs and counts the chosen actions (one fresh Trace per run).
Tally tally(const Model& m, std::uint64_t seed, int runs) {
  Tally t;
  t.count.assign(static_cast<std::size_t>(m.n_actions()), 0);
  geosim::Workspace ws(m);
  auto out = geosim::RunResult::for_model(m);
  for (int r = 0; r < runs; ++r) {
    geosim::Trace trace;
    geosim::simulate_run(m, seed, static_cast<std::uint64_t>(r), ws, out, &trace);
    for (const auto& d : trace.decisions) {
      ++t.count[static_cast<std::size_t>(d.action)];
      ++t.decisions;
    }
    if (r == 0) t.sample = trace.decisions;
  }
  return t;
}

// Checks every frequency against `p` within 4 binomial standard errors.
void expect_frequencies(const Tally& t, const std::vector<double>& p) {
  ASSERT_EQ(t.count.size(), p.size());
  const double n = static_cast<double>(t.decisions);
  for (std::size_t k = 0; k < p.size(); ++k) {
    const double f = static_cast<double>(t.count[k]) / n;
    const double se = std::sqrt(p[k] * (1 - p[k]) / n);
    EXPECT_NEAR(f, p[k], 4 * se) << "action g" << k << ": " << t.count[k] << " of " << n;
  }
}

const std::vector<double> kGains = {0.0, 0.5, 1.0, 2.0};
constexpr int kHorizon = 250;
constexpr int kRuns = 200;  // 50,000 decisions: 4 SE is at most 4 * sqrt(0.25 / 50000) = 0.009

TEST(Logit, ZeroLambdaChoosesUniformly) {
  const Model m = compile_text(one_actor_yaml(0.0, kGains, kHorizon), "lambda0.yaml");
  const Tally t = tally(m, 11, kRuns);
  ASSERT_EQ(t.decisions, std::uint64_t{kRuns} * kHorizon);  // one decision per tick
  // Uniform: 1/4 each. The lambda = 1.5 probabilities below are 0.036 .. 0.73, far outside.
  expect_frequencies(t, {0.25, 0.25, 0.25, 0.25});
  for (const auto& d : t.sample) {
    EXPECT_DOUBLE_EQ(d.probability, 0.25);
    EXPECT_EQ(d.n_available, 4);
  }
}

TEST(Logit, ModerateLambdaMatchesTheClosedForm) {
  const double lambda = 1.5;
  const Model m = compile_text(one_actor_yaml(lambda, kGains, kHorizon), "lambda15.yaml");
  const std::vector<double> p = logit(lambda, kGains);  // 0.0361, 0.0765, 0.1619, 0.7255
  // A rule with lambda ignored (lambda = 1) would give 0.078, 0.129, 0.213, 0.579: more than
  // 15 SE away on g3; lambda applied twice (2.25) gives 0.727 -> 0.874 on g3.
  const Tally t = tally(m, 12, kRuns);
  expect_frequencies(t, p);
  // The trace reports the chosen action's probability exactly as the formula gives it.
  ASSERT_FALSE(t.sample.empty());
  for (const auto& d : t.sample) {
    const auto k = static_cast<std::size_t>(d.action);
    EXPECT_NEAR(d.probability, p[k], 1e-12);
    EXPECT_DOUBLE_EQ(d.u_total, kGains[k]);
    EXPECT_DOUBLE_EQ(d.u_gain, kGains[k]);
  }
}

TEST(Logit, NegativeAndShiftedUtilitiesGiveTheSameProbabilities) {
  // Adding a constant to every utility does not change the logit probabilities. Large negative
  // gains (lambda * U = -1500) must not underflow every weight to zero.
  const double lambda = 1.5;
  const std::vector<double> shifted = {-1000.0, -999.5, -999.0, -998.0};
  const Model m = compile_text(one_actor_yaml(lambda, shifted, kHorizon), "shifted.yaml");
  const Tally t = tally(m, 13, kRuns);
  ASSERT_EQ(t.decisions, std::uint64_t{kRuns} * kHorizon);
  expect_frequencies(t, logit(lambda, kGains));
}

TEST(Logit, LargeLambdaAlwaysPicksTheArgmax) {
  // exp(1000 * (1.5 - 2)) = exp(-500) ~ 1e-217: the other actions are never drawn in 50,000
  // decisions. The argmax is placed second so that "last available" or "first" fallbacks fail.
  const Model m =
      compile_text(one_actor_yaml(1000.0, {0.0, 2.0, 1.5, 1.0}, kHorizon), "lambda1000.yaml");
  const Tally t = tally(m, 14, kRuns);
  EXPECT_EQ(t.count[1], t.decisions);
  EXPECT_EQ(t.decisions, std::uint64_t{kRuns} * kHorizon);
  for (const auto& d : t.sample) EXPECT_DOUBLE_EQ(d.probability, 1.0);
}

// Actions that are not available are never chosen, and the others share the probability by the
// logit rule over the available set only. The unavailable actions have the largest gains so that
// choosing one even once (or giving it weight) would show.
TEST(Logit, UnavailableActionsAreNeverChosen) {
  const std::string yaml = R"(
geosim: 1
name: availability
time: {horizon: 250}
state:
  flag: {initial: 0}
ladder:
  start: mid
  rungs: [{name: low}, {name: mid}, {name: high}]
actors:
  a:
    rationality: 1.5
    actions:
      hold: {class: status_quo, gain: 0.0}
      talk: {class: de_escalation, gain: 1.0, min_rung: low, max_rung: mid}
      strike: {class: violent_escalation, gain: 5.0, min_rung: high}
      retreat: {class: de_escalation, gain: 5.0, max_rung: low}
      nuke: {class: nuclear, gain: 6.0, requires: [{var: flag, ge: 1}]}
      posture: {class: posturing, gain: 0.5, requires: [{var: flag, lt: 1}, {var: flag, ge: 0}]}
      bluff: {class: posturing, gain: 7.0, requires: [{var: flag, ge: 0}, {var: flag, gt: 0}]}
)";
  const Model m = compile_text(yaml, "availability.yaml");
  const Tally t = tally(m, 15, kRuns);
  // Model action order is declaration order: hold, talk, strike, retreat, nuke, posture, bluff.
  EXPECT_EQ(t.count[2], 0u) << "strike: min_rung above the start rung";
  EXPECT_EQ(t.count[3], 0u) << "retreat: max_rung below the start rung";
  EXPECT_EQ(t.count[4], 0u) << "nuke: requires flag >= 1, flag is 0";
  EXPECT_EQ(t.count[6], 0u) << "bluff: second of two conditions false";
  // Available: hold (0), talk (1, the rung range includes the start rung at its top end),
  // posture (0.5, both conditions true).
  const std::vector<double> p = logit(1.5, {0.0, 1.0, 0.5});
  const double n = static_cast<double>(t.decisions);
  const std::size_t idx[] = {0, 1, 5};
  for (std::size_t j = 0; j < 3; ++j) {
    const double f = static_cast<double>(t.count[idx[j]]) / n;
    EXPECT_NEAR(f, p[j], 4 * std::sqrt(p[j] * (1 - p[j]) / n)) << "action " << idx[j];
  }
  for (const auto& d : t.sample) EXPECT_EQ(d.n_available, 3);
}

// More distinct conditions than one 64-bit word of gates holds: n actions, action k requiring
// level >= k with level = n / 2, so exactly k = 0..n/2 are open and the closed ones carry the
// largest gains. With lambda 0 the open ones are chosen uniformly. Two more actions are closed by
// rung ranges (also gates). 70 actions give 2 words of gates (a compiled-in size), 300 give 5
// (the general path).
void check_many_gates(int n) {
  const int open = n / 2 + 1;
  std::string yaml =
      "geosim: 1\n"
      "name: many_gates\n"
      "time: {horizon: 100}\n"
      "state:\n"
      "  level: {initial: " + std::to_string(n / 2) + "}\n"
      "ladder: {start: mid, rungs: [{name: low}, {name: mid}, {name: high}]}\n"
      "actors:\n"
      "  a:\n"
      "    rationality: 0\n"
      "    actions:\n";
  for (int k = 0; k < n; ++k)
    yaml += "      g" + std::to_string(k) + ": {class: status_quo, gain: " + std::to_string(k) +
            ", requires: [{var: level, ge: " + std::to_string(k) + "}]}\n";
  yaml += "      above: {class: status_quo, gain: 1000, min_rung: high}\n";
  yaml += "      below: {class: status_quo, gain: 1000, max_rung: low}\n";
  const Model m = compile_text(yaml, "many_gates.yaml");
  const geosim::Workspace ws(m);
  EXPECT_EQ(ws.gate_words, (n + 2 + 63) / 64);
  const Tally t = tally(m, 3, 40);
  ASSERT_EQ(t.decisions, 40u * 100u);
  for (int k = open; k < n + 2; ++k) EXPECT_EQ(t.count[static_cast<std::size_t>(k)], 0u) << k;
  // Uniform over the open ones: each count is Binomial(4000, 1 / open); the total over the open
  // actions of the first and second half is checked within 4 SE, and every open action is seen.
  const double d = static_cast<double>(t.decisions), p = 1.0 / open;
  std::uint64_t low = 0;
  for (int k = 0; k < open; ++k) {
    EXPECT_GT(t.count[static_cast<std::size_t>(k)], 0u) << k;
    if (k < open / 2) low += t.count[static_cast<std::size_t>(k)];
  }
  const double p_low = (open / 2) * p;
  EXPECT_NEAR(static_cast<double>(low) / d, p_low, 4 * std::sqrt(p_low * (1 - p_low) / d));
  for (const auto& rec : t.sample) {
    EXPECT_EQ(rec.n_available, open);
    EXPECT_DOUBLE_EQ(rec.probability, p);
  }
}

TEST(Logit, ManyGatesSpanTwoWords) { check_many_gates(70); }
TEST(Logit, ManyGatesSpanFiveWords) { check_many_gates(300); }

// Availability is re-evaluated every tick on the current state: `late` requires clock >= 3. The
// clock is raised by a flow event after the decisions, so the decision of tick t sees clock t - 1
// and `late` (the argmax, lambda 1000) is chosen exactly from tick 4 on.
TEST(Logit, AvailabilityFollowsTheStateTickByTick) {
  const std::string yaml = R"(
geosim: 1
name: late_action
time: {horizon: 10}
state:
  clock: {initial: 0}
ladder: {start: only, rungs: [{name: only}]}
actors:
  a:
    rationality: 1000
    actions:
      early: {class: status_quo, gain: 0}
      late: {class: posturing, gain: 1, requires: [{var: clock, ge: 3}]}
events:
  clock_tick: {kind: flow, effects: [{var: clock, add: 1}]}
)";
  const Model m = compile_text(yaml, "late.yaml");
  geosim::Workspace ws(m);
  auto out = geosim::RunResult::for_model(m);
  geosim::Trace trace;
  geosim::simulate_run(m, 3, 0, ws, out, &trace);
  ASSERT_EQ(trace.decisions.size(), 10u);
  for (const auto& d : trace.decisions) {
    EXPECT_EQ(d.action, d.tick >= 4 ? 1 : 0) << "tick " << d.tick;
    EXPECT_EQ(d.n_available, d.tick >= 4 ? 2 : 1) << "tick " << d.tick;
  }
}

// Utility terms that read the state enter U exactly as gain does: `by_state` has gain 0 and a term
// 0.5 * level with level = 2, so U = 1 = the gain of `by_gain`. Both then have probability
// exp(1.5) / (1 + 2 exp(1.5)) against `hold` (U = 0).
TEST(Logit, StateUtilityTermsCountLikeGain) {
  const std::string yaml = R"(
geosim: 1
name: state_term
time: {horizon: 250}
state:
  level: {initial: 2}
ladder: {start: only, rungs: [{name: only}]}
actors:
  a:
    rationality: 1.5
    actions:
      hold: {class: status_quo}
      by_gain: {class: posturing, gain: 1}
      by_state: {class: posturing, utility: [{var: level, weight: 0.5}]}
)";
  const Model m = compile_text(yaml, "state_term.yaml");
  const Tally t = tally(m, 16, kRuns);
  // A term read with the wrong weight (1.0 -> U = 2) would give by_state 0.58 instead of 0.45.
  expect_frequencies(t, logit(1.5, {0.0, 1.0, 1.0}));
  for (const auto& d : t.sample)
    if (d.action == 2) {
      EXPECT_DOUBLE_EQ(d.u_state, 1.0);
      EXPECT_DOUBLE_EQ(d.u_total, 1.0);
    }
}

}  // namespace

// The logit's exp (include/geosim/fast_exp.h) against the x87 long-double expl as the reference
// (64-bit significand, so its rounding error is 2^11 times below a double's): over a dense grid of
// [-708.39, 0] the relative error stays within 4e-16 (under 2 units in the last place), exp(0) is
// exactly 1, and below the normal range, -inf and NaN give exactly 0.
TEST(FastExp, WithinTwoUlpOfTheLongDoubleReference) {
  double worst = 0.0, worst_x = 0.0;
  for (int i = 0; i <= 2'000'000; ++i) {
    const double x = -708.39 * static_cast<double>(i) / 2'000'000.0;
    const long double ref = expl(static_cast<long double>(x));
    const double got = geosim::exp_nonpositive(x);
    const double rel = static_cast<double>(std::fabs((static_cast<long double>(got) - ref) / ref));
    if (rel > worst) {
      worst = rel;
      worst_x = x;
    }
  }
  EXPECT_LT(worst, 4e-16) << "at x = " << worst_x;
  std::printf("worst relative error %.3g at x = %.17g\n", worst, worst_x);
  // Small arguments, where the polynomial alone does the work.
  for (double x : {-1e-300, -1e-17, -1e-9, -0.1, -0.34657359, -0.5}) {
    const long double ref = expl(static_cast<long double>(x));
    EXPECT_LT(std::fabs(static_cast<double>((geosim::exp_nonpositive(x) - ref) / ref)), 4e-16) << x;
  }
  EXPECT_EQ(geosim::exp_nonpositive(0.0), 1.0);
  EXPECT_EQ(geosim::exp_nonpositive(-0.0), 1.0);
  EXPECT_EQ(geosim::exp_nonpositive(-708.4), 0.0);
  EXPECT_EQ(geosim::exp_nonpositive(-1e300), 0.0);
  EXPECT_EQ(geosim::exp_nonpositive(-HUGE_VAL), 0.0);
  EXPECT_EQ(geosim::exp_nonpositive(std::nan("")), 0.0);
  EXPECT_GT(geosim::exp_nonpositive(-708.38), 0.0);
}

// The vector form's lanes, built for the baseline x86-64 target (SSE2) and, where the compiler
// can, for AVX2: the two builds a program may pick between when it loads.
void lanes_baseline(const double* x, double* out, std::size_t n) {
  geosim::detail::exp_nonpositive_lanes(x, out, n);
}
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target("avx2"))) void lanes_avx2(const double* x, double* out, std::size_t n) {
  geosim::detail::exp_nonpositive_lanes(x, out, n);
}
constexpr bool kHaveAvx2Build = true;
#else
void lanes_avx2(const double*, double*, std::size_t) {}
constexpr bool kHaveAvx2Build = false;
#endif

// The vector form gives the scalar form's bits, in every lane and in the scalar tail (n not a
// multiple of 4), for ordinary arguments and for the edge cases: through the engine's entry point
// and through each target's build of its lanes. So results cannot depend on which build the CPU
// gets.
TEST(FastExp, VectorFormMatchesTheScalarFormBitForBit) {
  std::vector<double> x = {0.0,     -0.0,    -1e-300, -1e-17,    -0.5,      -708.38, -708.39,
                           -708.4,  -1e300,  -HUGE_VAL, std::nan(""), -0.34657359, -22.5, -1.0};
  geosim::Rng g(99);
  for (int i = 0; i < 100'000; ++i) x.push_back(-720.0 * g.uniform01());
  for (int i = 0; i < 1'000; ++i) x.push_back(-1e-6 * g.uniform01());
  using Form = void (*)(const double*, double*, std::size_t);
  std::vector<std::pair<const char*, Form>> forms = {{"exp_nonpositive_n", geosim::exp_nonpositive_n},
                                                     {"baseline lanes", lanes_baseline}};
  if (kHaveAvx2Build && __builtin_cpu_supports("avx2")) forms.emplace_back("AVX2 lanes", lanes_avx2);
  else std::printf("no AVX2 build or CPU: only the baseline lanes are compared\n");
  for (const auto& [name, form] : forms) {
    for (std::size_t n = 0; n <= x.size(); n += (n < 16 ? 1 : 9973)) {
      std::vector<double> out(n, -1.0);
      form(x.data(), out.data(), n);
      for (std::size_t i = 0; i < n; ++i) {
        const double want = geosim::exp_nonpositive(x[i]);
        ASSERT_EQ(std::bit_cast<std::uint64_t>(out[i]), std::bit_cast<std::uint64_t>(want))
            << name << ", n = " << n << ", x = " << x[i];
      }
    }
  }
}

// Monotone to within one unit in the last place: a higher utility never gets a weight smaller by
// more than 1 ulp (checked on consecutive doubles around every point where the reduction's integer
// k = 32 n + j changes, i.e. the table entry or the power of two, where a table-driven exp can
// step back by an ulp; a correctly rounded exp would be exactly monotone).
TEST(FastExp, MonotoneWithinOneUlpAcrossReductionBoundaries) {
  for (int k = 0; k < 32704; ++k) {
    const double edge = -(static_cast<double>(k) + 0.5) * (0.6931471805599453 / 32.0);
    double x = std::nextafter(edge, -HUGE_VAL);
    for (int step = 0; step < 8; ++step) {
      const double next = std::nextafter(x, 0.0);
      const double hi = geosim::exp_nonpositive(next);
      EXPECT_LE(geosim::exp_nonpositive(x), std::nextafter(hi, HUGE_VAL)) << x;
      x = next;
    }
  }
}
