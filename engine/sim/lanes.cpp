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

template <std::int32_t Words>
[[gnu::always_inline]] inline void decide_lanes_impl(const Model& m, LaneWorkspace& lw) {
  const Workspace& plan = lw.lane[0];  // the plan is the same in every lane
  const std::int32_t n_actors = m.n_actors();
  const std::int32_t words = Words > 0 ? Words : plan.gate_words;
  const auto uw = static_cast<std::size_t>(words);
  const V4d neg_inf = splat(-HUGE_VAL);

  // The lanes' state as the pass reads it: the variables it uses, last tick's steps, and whether
  // anyone stepped up, gathered lane-major.
  const std::array<const Workspace*, L> ws = {&lw.lane[0], &lw.lane[1], &lw.lane[2], &lw.lane[3]};
  const std::array<const double*, L> st = {ws[0]->state.data(), ws[1]->state.data(),
                                            ws[2]->state.data(), ws[3]->state.data()};
  for (std::size_t s = 0; s < lw.x_vars.size(); ++s) {
    const auto v = static_cast<std::size_t>(lw.x_vars[s]);
    store(lw.x.data() + s * L, V4d{st[0][v], st[1][v], st[2][v], st[3][v]});
  }
  for (std::size_t j = 0; j < static_cast<std::size_t>(n_actors); ++j)
    store(lw.last_step.data() + j * L, V4d{ws[0]->last_step[j], ws[1]->last_step[j],
                                           ws[2]->last_step[j], ws[3]->last_step[j]});
  const V4i anyone = V4i{ws[0]->anyone_stepped_up, ws[1]->anyone_stepped_up,
                         ws[2]->anyone_stepped_up, ws[3]->anyone_stepped_up} != 0;
  const double* x = lw.x.data();

  // Gates, word by word: each lane's rung-range gates, then each distinct condition of the word
  // tested on every lane.
  std::uint64_t* gates = lw.gates.data();
  const std::size_t n_conditions = plan.gate_var.size();
  for (std::size_t w = 0; w < uw; ++w) {
    V4u word;
    for (std::size_t l = 0; l < L; ++l)
      word[l] = plan.rung_gates[static_cast<std::size_t>(lw.lane[l].rung) * uw + w];
    for (std::size_t g = w * 64; g < std::min(n_conditions, w * 64 + 64); ++g) {
      const V4d xv = load<V4d>(x + static_cast<std::size_t>(lw.gate_slot[g]) * L);
      const V4d v = load<V4d>(lw.gate_value.data() + g * L);
      const unsigned o = plan.gate_orderings[g];
      // holds_orderings: which of <, ==, > hold, against the operator's bits (NaN: none).
      const V4i ok = ((xv < v) & splat_i(-static_cast<std::int64_t>(o & 1u))) |
                     ((xv == v) & splat_i(-static_cast<std::int64_t>((o >> 1) & 1u))) |
                     ((xv > v) & splat_i(-static_cast<std::int64_t>((o >> 2) & 1u)));
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
                                  load<V4d>(x + static_cast<std::size_t>(lw.term_slot[t]) * L));
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
__attribute__((target_clones("avx2", "default")))
#endif
void decide_lanes(const Model& m, LaneWorkspace& lw) {
  decide_lanes_any(m, lw);
}

void decide_lanes_baseline(const Model& m, LaneWorkspace& lw) { decide_lanes_any(m, lw); }

bool lanes_pay() {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
  static const bool avx2 = __builtin_cpu_supports("avx2");
  return avx2;
#else
  return false;
#endif
}

}  // namespace geosim::detail
