// The decision pass of four runs at once, one run per vector lane (docs/performance.md, "Runs as
// lanes"). It is simulate.cpp's `decide` written for four lanes: the same operations in the same
// order on each lane, with the branches turned into selects, so each lane's bits are those of
// the one-run pass (tests/sim/lanes_test.cpp compares whole runs).
//
// The vectors are GCC's generic vector types; like the vector exp (fast_exp_lanes.h, inlined
// here) the pass is built for AVX2 and for baseline x86-64, neither with FMA. Built with
// -Wno-psabi: the 32-byte vectors never cross a call that is not inlined.
#include "sim/lanes.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>

#include "sim/fast_exp_lanes.h"
#include "sim/tick_parts.h"

namespace geosim::detail {

namespace {

using V4i = std::int64_t __attribute__((vector_size(32)));
constexpr std::size_t L = kLanes;
static_assert(kLanes == 4, "the lanes are 4-wide vectors");

template <class V, class T>
[[gnu::always_inline]] inline V load(const T* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <class V, class T>
[[gnu::always_inline]] inline void store(T* p, const V& v) {
  std::memcpy(p, &v, sizeof v);
}
[[gnu::always_inline]] inline V4d splat(double x) { return V4d{x, x, x, x}; }
[[gnu::always_inline]] inline V4i splat_i(std::int64_t x) { return V4i{x, x, x, x}; }

// One step of four xoshiro256++ generators side by side (rng.h), state lane-major at `st` (word w
// of lane l at st[w * 4 + l]), and each lane's uniform double on [0, 1): the scalar
// Xoshiro256pp::uniform01 lane by lane, bit for bit. (x >> 11) < 2^53 becomes a double exactly from
// its two 32-bit halves, each placed in the mantissa of 2^52: AVX2 has no 64-bit integer to double
// conversion.
[[gnu::always_inline]] inline V4d next_uniform(std::uint64_t* st) {
  V4u s0 = load<V4u>(st), s1 = load<V4u>(st + L), s2 = load<V4u>(st + 2 * L),
      s3 = load<V4u>(st + 3 * L);
  const V4u sum = s0 + s3;
  const V4u result = ((sum << 23) | (sum >> 41)) + s0;
  const V4u t = s1 << 17;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = (s3 << 45) | (s3 >> 19);
  store(st, s0);
  store(st + L, s1);
  store(st + 2 * L, s2);
  store(st + 3 * L, s3);
  const V4u x = result >> 11;
  constexpr std::uint64_t kTwo52Bits = 0x4330000000000000ULL;  // the bits of 2^52
  const V4d hi = as_double((x >> 32) | kTwo52Bits) - 0x1p52;
  const V4d lo = as_double((x & 0xffffffffULL) | kTwo52Bits) - 0x1p52;
  return (hi * 0x1p32 + lo) * 0x1p-53;
}

// holds_orderings (tick_parts.h) on four lanes: which of <, ==, > hold, against the operator's
// bits; all ones where the condition holds (NaN: none holds).
[[gnu::always_inline]] inline V4i holds_lanes(unsigned o, V4d x, V4d v) {
  return ((x < v) & splat_i(-static_cast<std::int64_t>(o & 1u))) |
         ((x == v) & splat_i(-static_cast<std::int64_t>((o >> 1) & 1u))) |
         ((x > v) & splat_i(-static_cast<std::int64_t>((o >> 2) & 1u)));
}

template <std::int32_t Words>
[[gnu::always_inline]] inline void decide_lanes_impl(const Model& m, LaneWorkspace& lw) {
  const Workspace& plan = lw.lane[0];  // the plan is the same in every lane
  const std::int32_t n_actors = m.n_actors();
  const std::int32_t words = Words > 0 ? Words : plan.gate_words;
  const auto uw = static_cast<std::size_t>(words);
  const V4d neg_inf = splat(-HUGE_VAL);

  // The lanes' state is lane-major already (LaneWorkspace::state), as are last tick's steps.
  const std::array<const Workspace*, L> ws = {&lw.lane[0], &lw.lane[1], &lw.lane[2], &lw.lane[3]};
  const V4i anyone = V4i{ws[0]->anyone_stepped_up, ws[1]->anyone_stepped_up,
                         ws[2]->anyone_stepped_up, ws[3]->anyone_stepped_up} != 0;
  const double* x = lw.state.data();

  // Gates, word by word: each lane's rung-range gates, then each distinct condition of the word
  // tested on every lane.
  std::uint64_t* gates = lw.gates.data();
  const std::size_t n_conditions = plan.gate_var.size();
  for (std::size_t w = 0; w < uw; ++w) {
    V4u word;
    for (std::size_t l = 0; l < L; ++l)
      word[l] = plan.rung_gates[static_cast<std::size_t>(lw.lane[l].rung) * uw + w];
    for (std::size_t g = w * 64; g < std::min(n_conditions, w * 64 + 64); ++g) {
      const V4d xv = load<V4d>(x + static_cast<std::size_t>(plan.gate_var[g]) * L);
      const V4d v = load<V4d>(lw.gate_value.data() + g * L);
      const V4i ok = holds_lanes(plan.gate_orderings[g], xv, v);
      word |= (std::bit_cast<V4u>(ok) & 1u) << (g % 64);
    }
    store(gates + w * L, word);
  }

  // Utilities: base + provoked_i * step where anyone stepped up, else base; then the state terms.
  double* u = lw.utility.data();
  const auto n = static_cast<std::size_t>(n_actors);
  for (std::size_t i = 0; i < n; ++i) {
    V4d provoked = splat(0.0);
    for (std::size_t j = 0; j < n; ++j)
      provoked += load<V4d>(lw.hostility.data() + (i * n + j) * L) *
                  load<V4d>(lw.last_step.data() + j * L);
    provoked *= load<V4d>(lw.reciprocity.data() + i * L);
    const auto& actor = m.actors[i];
    for (auto k = static_cast<std::size_t>(actor.action_begin);
         k < static_cast<std::size_t>(actor.action_end); ++k) {
      const V4d b = load<V4d>(lw.base.data() + k * L);
      store(u + k * L, anyone != 0 ? b + provoked * load<V4d>(lw.step.data() + k * L) : b);
    }
  }
  for (std::size_t t = 0; t < plan.term_var.size(); ++t) {
    double* uk = u + static_cast<std::size_t>(plan.term_action[t]) * L;
    store(uk, load<V4d>(uk) + load<V4d>(lw.term_weight.data() + t * L) *
                                  load<V4d>(x + static_cast<std::size_t>(plan.term_var[t]) * L));
  }

  // Closed actions get -inf; per actor the logit's argument lambda (U - max U), 0 for the best.
  const std::uint64_t* needs = plan.action_needs.data();
  double* arg = lw.logit_arg.data();
  for (std::size_t i = 0; i < n; ++i) {
    const auto& actor = m.actors[i];
    const auto begin = static_cast<std::size_t>(actor.action_begin);
    const auto end = static_cast<std::size_t>(actor.action_end);
    V4d top = neg_inf;
    for (std::size_t k = begin; k < end; ++k) {
      V4u missing = {0, 0, 0, 0};
      for (std::size_t w = 0; w < uw; ++w) missing |= ~load<V4u>(gates + w * L) & needs[k * uw + w];
      const V4d uk = missing == 0 ? load<V4d>(u + k * L) : neg_inf;
      store(u + k * L, uk);
      top = top < uk ? uk : top;  // std::max(top, uk)
    }
    const V4d lambda = load<V4d>(lw.lambda.data() + i * L);
    for (std::size_t k = begin; k < end; ++k) {
      const V4d uk = load<V4d>(u + k * L);
      store(arg + k * L, uk == neg_inf ? neg_inf : uk == top ? splat(0.0) : lambda * (uk - top));
    }
  }
  exp_nonpositive_lanes(arg, lw.weights.data(), static_cast<std::size_t>(plan.n_actions) * L);

  // Per actor: the weights' sum, one draw per lane, and the cumulative pick, branch-free: the
  // first open action whose running sum exceeds the draw, or the last open one.
  const double* wt = lw.weights.data();
  V4i decided = splat_i(0);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& actor = m.actors[i];
    const auto begin = static_cast<std::size_t>(actor.action_begin);
    const auto end = static_cast<std::size_t>(actor.action_end);
    V4d total = splat(0.0);
    for (std::size_t k = begin; k < end; ++k) total += load<V4d>(wt + k * L);
    V4d draw = next_uniform(lw.actor_rng.data() + i * 4 * L);
    draw *= total;
    V4i pick = splat_i(kNone), found = splat_i(0);
    V4d acc = splat(0.0);
    for (std::size_t k = begin; k < end; ++k) {
      const V4d wk = load<V4d>(wt + k * L);
      const V4i take = (wk != 0.0) & ~found;
      pick = take != 0 ? splat_i(static_cast<std::int64_t>(k)) : pick;
      acc += wk;  // skipped weights are +0.0: the running sum is the one-run pass's
      found |= take & (draw < acc);
    }
    for (std::size_t l = 0; l < L; ++l) lw.lane[l].chosen[i] = static_cast<std::int32_t>(pick[l]);
    decided += (pick != kNone) & 1;
  }
  store(lw.decided.data(), decided);

  // The rest of the tick's unconditional draws, four lanes at a time: each Bernoulli event's
  // uniform and each end state's (settle_tick reads them from event_u and end_u).
  for (std::size_t b = 0; b < lw.bernoulli_event.size(); ++b)
    store(lw.event_u.data() + static_cast<std::size_t>(lw.bernoulli_event[b]) * L,
          next_uniform(lw.bernoulli_rng.data() + b * 4 * L));
  for (std::size_t q = 0; q < static_cast<std::size_t>(m.n_end_states()); ++q)
    store(lw.end_u.data() + q * L, next_uniform(lw.end_rng.data()));
}

[[gnu::always_inline]] inline bool any(V4i mask) { return (mask[0] | mask[1] | mask[2] | mask[3]) != 0; }

// Lane l of the lane-major state and parameters.
[[gnu::always_inline]] inline RunView<L> lane_view(LaneWorkspace& lw, std::size_t l) {
  return {lw.state.data() + l, lw.params.data() + l};
}

// all_hold on four lanes (every condition tested: they are pure).
[[gnu::always_inline]] inline V4i all_hold_lanes(const Model& m, const double* state,
                                                 const double* params, std::int32_t begin,
                                                 std::int32_t end) {
  V4i ok = splat_i(-1);
  for (std::int32_t c = begin; c < end; ++c) {
    const auto& cond = m.conditions[static_cast<std::size_t>(c)];
    ok &= holds_lanes(kOrderings[static_cast<std::size_t>(cond.op)],
                      load<V4d>(state + static_cast<std::size_t>(cond.var) * L),
                      load<V4d>(params + static_cast<std::size_t>(cond.value) * L));
  }
  return ok;
}

// apply_effects (tick_parts.h) with a count of 1 in the lanes of `fire`; the other lanes' state
// is left as it was. The same operations lane by lane, clamp included.
[[gnu::always_inline]] inline void apply_effects_lanes(const Model& m, double* state,
                                                       const double* params, std::int32_t begin,
                                                       std::int32_t end, V4i fire) {
  const V4d one = splat(1.0);
  for (std::int32_t e = begin; e < end; ++e) {
    const auto& eff = m.effects[static_cast<std::size_t>(e)];
    V4d v = load<V4d>(params + static_cast<std::size_t>(eff.value) * L);
    if (eff.times_var != kNone) v *= load<V4d>(state + static_cast<std::size_t>(eff.times_var) * L);
    double* at = state + static_cast<std::size_t>(eff.var) * L;
    const V4d x = load<V4d>(at);
    V4d y = v;
    switch (eff.op) {
      case EffectOp::add: y = x + v * one; break;
      case EffectOp::set: break;
      case EffectOp::mul: y = x * v; break;
    }
    const auto& sv = m.vars[static_cast<std::size_t>(eff.var)];
    const V4d lo = splat(sv.min), hi = splat(sv.max);
    y = y < lo ? lo : (hi < y ? hi : y);  // std::clamp(y, lo, hi)
    store(at, fire != 0 ? y : x);
  }
}

// settle_tick (simulate.cpp) for the lanes in `running`; see settle_lanes in lanes.h.
[[gnu::always_inline]] inline unsigned settle_lanes_impl(const Model& m, std::int32_t tick,
                                                         LaneWorkspace& lw, RunResult* out,
                                                         unsigned running) {
  const auto n_actors = static_cast<std::size_t>(m.n_actors());
  const std::size_t n_events = m.events.size();
  double* state = lw.state.data();
  const double* params = lw.params.data();
  std::array<LadderMoves, L> moves{};
  std::array<std::int32_t, L> rung{};
  const auto is_running = [&](std::size_t l) { return (running >> l & 1u) != 0; };

  // 2. The chosen actions take effect, lane by lane, in actor order.
  for (std::size_t l = 0; l < L; ++l) {
    Workspace& ws = lw.lane[l];
    rung[l] = ws.rung;
    if (!is_running(l)) continue;
    const RunView<L> run = lane_view(lw, l);
    bool anyone_stepped_up = false;
    for (std::size_t i = 0; i < n_actors; ++i) {
      const std::int32_t k = ws.chosen[i];
      double& last = lw.last_step[i * L + l];
      if (k == kNone) {
        last = 0.0;
        continue;
      }
      const auto& act = m.actions[static_cast<std::size_t>(k)];
      apply_effects(m, run, act.effect_begin, act.effect_end, 1.0);
      const std::size_t at = table_at(rung[l], ws.n_actions, k);
      const auto step = static_cast<std::int32_t>(ws.step_at[at]);
      moves[l].add(step, ws.action_floor_at[at]);
      last = std::max(0, step);
      anyone_stepped_up |= step > 0;
      ws.score[i] += m.class_weights[static_cast<std::size_t>(act.escalation_class)];
    }
    ws.anyone_stepped_up = anyone_stepped_up;
  }

  // 3. The events in declared order, four lanes at a time.
  const V4i live = V4i{running & 1u, running >> 1 & 1u, running >> 2 & 1u, running >> 3 & 1u} != 0;
  const V4i rung_v = {rung[0], rung[1], rung[2], rung[3]};
  for (std::size_t e = 0; e < n_events; ++e) {
    const auto& ev = m.events[e];
    V4i fire = live & (rung_v >= ev.min_rung) & (rung_v <= ev.max_rung);
    if (ev.kind == Event::Kind::poisson) {
      // The count differs per lane: lane by lane, each from its own stream.
      for (std::size_t l = 0; l < L; ++l) {
        const RunView<L> run = lane_view(lw, l);
        if (fire[l] == 0 || !all_hold(m, run, ev.cond_begin, ev.cond_end)) continue;
        const double count = poisson_count(ev, run, lw.lane[l].event_streams[e]);
        if (count <= 0.0) continue;
        apply_effects(m, run, ev.effect_begin, ev.effect_end, count);
        const auto at = static_cast<std::size_t>(rung[l]) * n_events + e;
        moves[l].add(lw.lane[l].event_step_at[at], lw.lane[l].event_floor_at[at]);
      }
      continue;
    }
    // A Bernoulli event fires where its draw (made by the decision pass) passes; a flow always.
    if (ev.kind == Event::Kind::bernoulli)
      fire &= load<V4d>(lw.event_u.data() + e * L) <
              load<V4d>(params + static_cast<std::size_t>(ev.rate) * L);
    if (!any(fire)) continue;
    if (ev.cond_begin < ev.cond_end) {
      fire &= all_hold_lanes(m, state, params, ev.cond_begin, ev.cond_end);
      if (!any(fire)) continue;
    }
    apply_effects_lanes(m, state, params, ev.effect_begin, ev.effect_end, fire);
    if (lw.event_moves[e] == 0) continue;
    for (std::size_t l = 0; l < L; ++l) {
      if (fire[l] == 0) continue;
      const auto at = static_cast<std::size_t>(rung[l]) * n_events + e;
      moves[l].add(lw.lane[l].event_step_at[at], lw.lane[l].event_floor_at[at]);
    }
  }

  // 4. The ladder, the indicators, 5. the end states, lane by lane.
  unsigned ended = 0;
  for (std::size_t l = 0; l < L; ++l) {
    if (!is_running(l)) continue;
    Workspace& ws = lw.lane[l];
    const RunView<L> run = lane_view(lw, l);
    ws.rung = move_ladder(m, tick, rung[l], moves[l], out[l], nullptr);
    record_indicators(m, run, ws.score.data(), out[l], tick);
    check_end_states(m, run, ws.chosen.data(), ws.rung, out[l],
                     [&](std::int32_t q) { return lw.end_u[static_cast<std::size_t>(q) * L + l]; });
    if (out[l].end_state != -1) ended |= 1u << l;
  }
  return ended;
}

// The pass for the model's number of gate words.
[[gnu::always_inline]] inline void decide_lanes_any(const Model& m, LaneWorkspace& lw) {
  switch (lw.lane[0].gate_words) {
    case 1: decide_lanes_impl<1>(m, lw); break;
    case 2: decide_lanes_impl<2>(m, lw); break;
    case 3: decide_lanes_impl<3>(m, lw); break;
    case 4: decide_lanes_impl<4>(m, lw); break;
    default: decide_lanes_impl<0>(m, lw); break;
  }
}

}  // namespace

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define GEOSIM_LANES_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define GEOSIM_LANES_CLONES
#endif

GEOSIM_LANES_CLONES void decide_lanes(const Model& m, LaneWorkspace& lw) {
  decide_lanes_any(m, lw);
}

void decide_lanes_baseline(const Model& m, LaneWorkspace& lw) { decide_lanes_any(m, lw); }

GEOSIM_LANES_CLONES unsigned settle_lanes(const Model& m, std::int32_t tick, LaneWorkspace& lw,
                                          RunResult* out, unsigned running) {
  return settle_lanes_impl(m, tick, lw, out, running);
}

unsigned settle_lanes_baseline(const Model& m, std::int32_t tick, LaneWorkspace& lw,
                               RunResult* out, unsigned running) {
  return settle_lanes_impl(m, tick, lw, out, running);
}

bool lanes_pay() {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
  static const bool avx2 = __builtin_cpu_supports("avx2");
  return avx2;
#else
  return false;
#endif
}

}  // namespace geosim::detail
