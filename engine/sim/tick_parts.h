// The parts of a tick after the decisions (effects, conditions, Poisson counts, the ladder,
// indicators, end states), written once for the two loops that use them: simulate_run's, where a
// run's state and parameters are plain arrays, and the lanes' (lanes.cpp), where they are
// lane-major arrays of four runs and lane l's entry v sits at [v * kLanes + l]. A `RunView` hides
// the difference, so both loops do the same arithmetic in the same order (docs/model.md has the
// equations).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

#include <boost/random/poisson_distribution.hpp>

#include "geosim/simulate.h"

namespace geosim::detail {

// Which of the three orderings (x < v, x == v, x > v) satisfy each operator, as bits 1, 2, 4:
// the test becomes a table lookup and two comparisons, with no branch on the operator.
inline constexpr std::array<unsigned, 6> kOrderings = {
    /*lt*/ 1u, /*le*/ 1u | 2u, /*gt*/ 4u, /*ge*/ 4u | 2u, /*eq*/ 2u, /*ne*/ 1u | 4u};

inline bool holds_orderings(unsigned orderings, double x, double v) {
  const unsigned ordering = (x < v ? 1u : 0u) | (x == v ? 2u : 0u) | (x > v ? 4u : 0u);
  return (orderings & ordering) != 0;  // NaN: no ordering holds
}

inline bool holds(CompareOp op, double x, double v) {
  return holds_orderings(kOrderings[static_cast<std::size_t>(op)], x, v);
}

// Entry (row, col) of a row-major table `width` columns wide, as a memory index: the product is
// taken in std::size_t, not int (compile() bounds the tables, check_size, so int would not
// overflow today; this keeps it so however large the tables may one day be).
[[nodiscard]] inline std::size_t table_at(std::int32_t row, std::int32_t width, std::int32_t col) {
  return static_cast<std::size_t>(row) * static_cast<std::size_t>(width) +
         static_cast<std::size_t>(col);
}
// The number of entries of a table `rows` x `width`, in std::size_t.
[[nodiscard]] inline std::size_t table_size(std::int32_t rows, std::int32_t width) {
  return static_cast<std::size_t>(rows) * static_cast<std::size_t>(width);
}

// One run's state variables and parameters, entry i at [i * Stride].
template <std::size_t Stride>
struct RunView {
  double* state;
  const double* params;

  [[nodiscard]] double& x(std::int32_t v) const {
    return state[static_cast<std::size_t>(v) * Stride];
  }
  [[nodiscard]] double p(ParamIndex i) const { return params[static_cast<std::size_t>(i) * Stride]; }
};

template <std::size_t S>
inline bool all_hold(const Model& m, RunView<S> run, std::int32_t begin, std::int32_t end) {
  for (std::int32_t c = begin; c < end; ++c) {
    const auto& cond = m.conditions[static_cast<std::size_t>(c)];
    if (!holds(cond.op, run.x(cond.var), run.p(cond.value))) return false;
  }
  return true;
}

// Applies effects [begin, end); `scale` multiplies `add` values (a Poisson count, or 1). Each
// result is clamped to its variable's bounds.
template <std::size_t S>
inline void apply_effects(const Model& m, RunView<S> run, std::int32_t begin, std::int32_t end,
                          double scale) {
  for (std::int32_t e = begin; e < end; ++e) {
    const auto& eff = m.effects[static_cast<std::size_t>(e)];
    double v = run.p(eff.value);
    if (eff.times_var != kNone) v *= run.x(eff.times_var);
    double& x = run.x(eff.var);
    switch (eff.op) {
      case EffectOp::add: x += v * scale; break;
      case EffectOp::set: x = v; break;
      case EffectOp::mul: x *= v; break;
    }
    const auto& sv = m.vars[static_cast<std::size_t>(eff.var)];
    x = std::clamp(x, sv.min, sv.max);
  }
}

// A Poisson event's count this tick, for an event that is eligible: mean = rate (x per_var),
// capped at 1e15, drawn from the event's own stream (nothing is drawn for a mean of 0).
template <std::size_t S>
inline double poisson_count(const CompiledEvent& ev, RunView<S> run, Rng& rng) {
  double mean = run.p(ev.rate);
  if (ev.per_var != kNone) mean *= run.x(ev.per_var);
  mean = std::min(mean, 1e15);
  if (!(mean > 0.0)) return 0.0;
  return static_cast<double>(boost::random::poisson_distribution<std::int64_t, double>(mean)(rng));
}

// The ladder candidates a tick collects from the chosen actions and the events that happened.
struct LadderMoves {
  std::int32_t up = 0, down = 0, floor = -1;
  void add(std::int32_t step, std::int32_t hold_floor) {
    up = std::max(up, step);
    down = std::min(down, step);
    floor = std::max(floor, hold_floor);
  }
};

// Step 4: escalation wins; the ladder comes down only when nobody pushes it up, and not below a
// rung that an action or event of this tick holds. Records first arrivals; returns the new rung.
inline std::int32_t move_ladder(const Model& m, std::int32_t tick, std::int32_t rung,
                                const LadderMoves& mv, RunResult& out, Trace* trace) {
  const std::int32_t before = rung;
  rung = mv.up > 0 ? std::min(rung + mv.up, m.n_rungs - 1)
                   : std::max({rung + mv.down, mv.floor, 0});
  if (rung != before && trace) trace->rung_changes.push_back({tick, before, rung});
  for (std::int32_t k = out.highest_rung + 1; k <= rung; ++k)
    out.first_arrival[static_cast<std::size_t>(k)] = tick;
  out.highest_rung = std::max(out.highest_rung, rung);
  return rung;
}

template <std::size_t S>
inline void record_indicators(const Model& m, RunView<S> run, const double* score,
                              RunResult& out, std::int32_t tick) {
  const auto stride = static_cast<std::size_t>(m.horizon + 1);
  double* at = out.indicators.data() + static_cast<std::size_t>(tick);
  for (const std::int32_t v : m.indicator_vars) {
    *at = run.x(v);
    at += stride;
  }
  for (std::int32_t i = 0; i < m.n_actors(); ++i) {
    *at = score[i];
    at += stride;
  }
}

// Step 5: end states in declared order; the first that fires (and passes its draw) ends the run.
// `draw(q)` gives end state q's number for this tick; every end state draws every tick, to keep the
// stream aligned, and its test (pure) is made only when the draw passes.
template <std::size_t S, class Draw>
inline void check_end_states(const Model& m, RunView<S> run, const std::int32_t* chosen,
                             std::int32_t rung, RunResult& out, Draw&& draw) {
  for (std::int32_t e = 0; e < m.n_end_states(); ++e) {
    const auto& es = m.end_states[static_cast<std::size_t>(e)];
    const double u = draw(e);
    if (out.end_state != -1 || !(u < run.p(es.probability))) continue;
    bool fired = false;
    switch (es.kind) {
      case EndState::Kind::rung: fired = rung >= es.rung; break;
      case EndState::Kind::state: fired = all_hold(m, run, es.cond_begin, es.cond_end); break;
      case EndState::Kind::all_chosen:
      case EndState::Kind::any_chosen: {
        const bool need_all = es.kind == EndState::Kind::all_chosen;
        fired = need_all;
        for (std::int32_t q = es.action_begin; q < es.action_end; ++q) {
          const std::int32_t a = m.end_state_actions[static_cast<std::size_t>(q)];
          const bool was =
              chosen[static_cast<std::size_t>(m.actions[static_cast<std::size_t>(a)].owner)] == a;
          fired = need_all ? (fired && was) : (fired || was);
        }
        break;
      }
    }
    if (fired) out.end_state = e;
  }
}

}  // namespace geosim::detail
