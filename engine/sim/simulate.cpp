// One run. Every equation here is written out in docs/model.md; the comments name the terms.
//
// The loop is laid out for the decision pass (docs/performance.md): per tick, the actions'
// conditions are tested once as a bit set of distinct "gates"; every action's utility is computed
// in one flat pass over rung-major per-run tables; the logit's exponentials are taken for all
// actions at once by the vector exp; each actor then sums its own weights and draws once.
#include <algorithm>
#include <array>
#include <cmath>

#include "geosim/fast_exp.h"
#include "geosim/simulate.h"
#include "sim/lanes.h"
#include "sim/tick_parts.h"

namespace geosim {

RunResult RunResult::for_model(const Model& m) {
  RunResult r;
  r.first_arrival.assign(static_cast<std::size_t>(m.n_rungs), -1);
  r.indicators.assign(static_cast<std::size_t>(m.n_indicators()) *
                          static_cast<std::size_t>(m.horizon + 1),
                      0.0);
  return r;
}

namespace {

using detail::all_hold;
using detail::apply_effects;
using detail::check_end_states;
using detail::holds_orderings;
using detail::kOrderings;
using detail::LadderMoves;
using detail::move_ladder;
using detail::poisson_count;
using detail::record_indicators;
using detail::RunView;
using detail::table_at;
using detail::table_size;

// A run's state and parameters as the tick's shared parts see them (sim/tick_parts.h).
RunView<1> one_run(Workspace& ws) { return {ws.state.data(), ws.params.data()}; }

// The rung index a move leads to from rung r (clamped to the ladder).
inline std::int32_t move_target(const CompiledMove& mv, std::int32_t r, std::int32_t n_rungs) {
  switch (mv.kind) {
    case RungMove::Kind::none: return r;
    case RungMove::Kind::step: return std::clamp(r + mv.value, 0, n_rungs - 1);
    case RungMove::Kind::to: return std::max(r, mv.value);
  }
  return r;
}

// The rung below which a move holds the ladder this tick, or -1. An escalation (a step up, or a
// to_rung) holds the ladder at least where it stands or where it points: a `to_rung` at or below
// the current rung, or a step up at the top of the ladder, proposes no move but keeps a
// de-escalation by someone else from taking the ladder below it.
inline std::int32_t hold_floor(const CompiledMove& mv, std::int32_t r) {
  switch (mv.kind) {
    case RungMove::Kind::none: return -1;
    case RungMove::Kind::step: return mv.value > 0 ? r : -1;
    case RungMove::Kind::to: return std::min(mv.value, r);
  }
  return -1;
}

}  // namespace

Workspace::Workspace(const Model& m)
    : n_actions(m.n_actions()),
      n_padded((m.n_actions() + 3) / 4 * 4),
      params(m.params.size()),
      base_utility(static_cast<std::size_t>(m.n_rungs) * static_cast<std::size_t>(m.n_actions())),
      step_at(base_utility.size()),
      hostility(static_cast<std::size_t>(m.n_actors()) * static_cast<std::size_t>(m.n_actors())),
      lambda(static_cast<std::size_t>(m.n_actors())),
      reciprocity(static_cast<std::size_t>(m.n_actors())),
      actor_streams(static_cast<std::size_t>(m.n_actors())),
      event_streams(m.events.size()),
      state(static_cast<std::size_t>(m.n_vars())),
      provoked(static_cast<std::size_t>(m.n_actors())),
      best(static_cast<std::size_t>(m.n_actors())),
      utility(static_cast<std::size_t>(n_padded), -HUGE_VAL),
      logit_arg(static_cast<std::size_t>(n_padded), -HUGE_VAL),
      weights(static_cast<std::size_t>(n_padded), 0.0),
      last_step(static_cast<std::size_t>(m.n_actors())),
      chosen(static_cast<std::size_t>(m.n_actors())),
      score(static_cast<std::size_t>(m.n_actors())) {
  // Gates: each distinct (variable, operator, value) among the actions' conditions gets one bit.
  std::vector<std::vector<std::int32_t>> needs(static_cast<std::size_t>(n_actions));
  for (std::int32_t k = 0; k < n_actions; ++k) {
    const auto& act = m.actions[static_cast<std::size_t>(k)];
    for (std::int32_t c = act.cond_begin; c < act.cond_end; ++c) {
      const auto& cond = m.conditions[static_cast<std::size_t>(c)];
      const unsigned orderings = kOrderings[static_cast<std::size_t>(cond.op)];
      std::size_t g = 0;
      while (g < gate_var.size() && !(gate_var[g] == cond.var && gate_orderings[g] == orderings &&
                                      gate_value[g] == cond.value))
        ++g;
      if (g == gate_var.size()) {
        gate_var.push_back(cond.var);
        gate_orderings.push_back(orderings);
        gate_value.push_back(cond.value);
      }
      needs[static_cast<std::size_t>(k)].push_back(static_cast<std::int32_t>(g));
    }
  }
  // Range gates: each distinct [min_rung, max_rung] narrower than the ladder gets a bit after
  // the conditions'; which of them hold at each rung is fixed, so it is tabled per rung.
  const std::size_t n_conditions = gate_var.size();
  std::vector<std::array<std::int32_t, 2>> ranges;
  for (std::int32_t k = 0; k < n_actions; ++k) {
    const auto& act = m.actions[static_cast<std::size_t>(k)];
    if (act.min_rung <= 0 && act.max_rung >= m.n_rungs - 1) continue;
    const std::array<std::int32_t, 2> range{act.min_rung, act.max_rung};
    auto it = std::find(ranges.begin(), ranges.end(), range);
    if (it == ranges.end()) it = ranges.insert(ranges.end(), range);
    needs[static_cast<std::size_t>(k)].push_back(
        static_cast<std::int32_t>(n_conditions + static_cast<std::size_t>(it - ranges.begin())));
  }
  const std::size_t n_gates = n_conditions + ranges.size();
  gate_words = std::max<std::int32_t>(1, static_cast<std::int32_t>((n_gates + 63) / 64));
  const auto set_bit = [](std::uint64_t* words, std::size_t g) {
    words[g / 64] |= std::uint64_t{1} << (g % 64);
  };
  gates.assign(static_cast<std::size_t>(gate_words), 0);
  rung_gates.assign(table_size(m.n_rungs, gate_words), 0);
  for (std::int32_t r = 0; r < m.n_rungs; ++r)
    for (std::size_t q = 0; q < ranges.size(); ++q)
      if (r >= ranges[q][0] && r <= ranges[q][1])
        set_bit(rung_gates.data() + table_at(r, gate_words, 0), n_conditions + q);
  action_needs.assign(static_cast<std::size_t>(n_actions) * static_cast<std::size_t>(gate_words),
                      0);
  for (std::int32_t k = 0; k < n_actions; ++k)
    for (const std::int32_t g : needs[static_cast<std::size_t>(k)])
      set_bit(action_needs.data() + table_at(k, gate_words, 0),
              static_cast<std::size_t>(g));

  for (std::int32_t k = 0; k < n_actions; ++k) {
    const auto& act = m.actions[static_cast<std::size_t>(k)];
    for (std::int32_t t = act.term_begin; t < act.term_end; ++t) {
      term_action.push_back(k);
      term_var.push_back(m.utility_terms[static_cast<std::size_t>(t)].var);
      term_param.push_back(m.utility_terms[static_cast<std::size_t>(t)].weight);
    }
    // Leverage: for each wish about k (in order), each leverage entry (in order) that links the
    // owner to the wisher.
    for (const auto& w : m.wishes) {
      if (w.action != k) continue;
      for (const auto& l : m.leverage)
        if (l.row == act.owner && l.col == w.actor) leverage_terms.push_back({k, l.value, w.value});
    }
  }
  term_weight.resize(term_var.size());

  // Ladder moves per rung: an action's hold floor, an event's step and hold floor.
  const auto n_events = static_cast<std::int32_t>(m.events.size());
  action_floor_at.resize(table_size(m.n_rungs, n_actions));
  event_step_at.resize(table_size(m.n_rungs, n_events));
  event_floor_at.resize(event_step_at.size());
  for (std::int32_t r = 0; r < m.n_rungs; ++r) {
    for (std::int32_t k = 0; k < n_actions; ++k)
      action_floor_at[table_at(r, n_actions, k)] =
          hold_floor(m.actions[static_cast<std::size_t>(k)].move, r);
    for (std::int32_t e = 0; e < n_events; ++e) {
      const auto& mv = m.events[static_cast<std::size_t>(e)].move;
      event_step_at[table_at(r, n_events, e)] = move_target(mv, r, m.n_rungs) - r;
      event_floor_at[table_at(r, n_events, e)] = hold_floor(mv, r);
    }
  }
}

namespace {

// Fills the per-run constants: everything in an action's utility that does not change during the
// run, for every rung the ladder can stand on (docs/model.md, "Utility").
void prepare_run(const Model& m, Workspace& ws) {
  const std::int32_t n_actors = m.n_actors();
  const std::int32_t n_actions = ws.n_actions;
  const std::int32_t n_rungs = m.n_rungs;
  const double* p = ws.params.data();
  for (std::int32_t i = 0; i < n_actors; ++i) {
    const auto& a = m.actors[static_cast<std::size_t>(i)];
    ws.lambda[static_cast<std::size_t>(i)] = p[a.rationality];
    ws.reciprocity[static_cast<std::size_t>(i)] = p[a.reciprocity];
  }
  std::fill(ws.hostility.begin(), ws.hostility.end(), 0.0);
  for (const auto& e : m.relations)
    ws.hostility[table_at(e.row, n_actors, e.col)] = p[e.value];
  for (std::size_t t = 0; t < ws.term_weight.size(); ++t) ws.term_weight[t] = p[ws.term_param[t]];

  std::size_t next_leverage = 0;
  for (std::int32_t k = 0; k < n_actions; ++k) {
    const auto& act = m.actions[static_cast<std::size_t>(k)];
    const auto& actor = m.actors[static_cast<std::size_t>(act.owner)];
    // Leverage: sum_j L[i][j] * wish_j(a).
    double leverage = 0.0;
    for (; next_leverage < ws.leverage_terms.size() && ws.leverage_terms[next_leverage][0] == k;
         ++next_leverage)
      leverage += p[ws.leverage_terms[next_leverage][1]] * p[ws.leverage_terms[next_leverage][2]];
    const double fixed = p[act.gain] - p[act.cost] / p[actor.capacity] + leverage;
    const double caution = 1.0 - p[actor.risk_tolerance];
    for (std::int32_t r = 0; r < n_rungs; ++r) {
      const std::int32_t target = move_target(act.move, r, n_rungs);
      const double step = static_cast<double>(target - r);
      const double danger = caution * (p[m.rung_danger[static_cast<std::size_t>(target)]] -
                                       p[m.rung_danger[static_cast<std::size_t>(r)]]);
      const std::size_t at = table_at(r, n_actions, k);
      ws.step_at[at] = step;
      ws.base_utility[at] = fixed + p[actor.resolve] * step - danger;
    }
  }
}

// The decision pass: every actor's utilities, logit weights and choice on the state at the start
// of the tick, with the ladder at `rung`. Writes ws.chosen; returns the number of actors that had
// an action open to them. `Words` is the size of the gate bit set when known at compile time
// (one word for any scenario with at most 64 gates; up to four are compiled), or 0.
template <std::int32_t Words>
std::int32_t decide(const Model& m, Workspace& ws, std::int32_t rung, bool anyone_stepped_up) {
  const std::int32_t n_actors = m.n_actors();
  const std::int32_t n_actions = ws.n_actions;
  const std::int32_t words = Words > 0 ? Words : ws.gate_words;
  const double* state = ws.state.data();
  const double* p = ws.params.data();

  // Gates: the rung-range gates true at this rung, then the distinct conditions, each tested once.
  std::uint64_t* gates = ws.gates.data();
  std::copy_n(ws.rung_gates.data() + table_at(rung, words, 0), words, gates);
  for (std::size_t g = 0; g < ws.gate_var.size(); ++g)
    gates[g / 64] |= static_cast<std::uint64_t>(holds_orderings(
                         ws.gate_orderings[g], state[ws.gate_var[g]], p[ws.gate_value[g]]))
                     << (g % 64);

  // Utilities: U(a) = base(a, r) + provoked_i * step(a, r) + sum of state terms, in that order.
  const std::size_t row = table_at(rung, n_actions, 0);
  const double* base = ws.base_utility.data() + row;
  const double* step = ws.step_at.data() + row;
  double* u = ws.utility.data();
  if (anyone_stepped_up) {
    // Reciprocity: kappa_i * sum_j H[i][j] * max(0, step_j(t-1)), per rung of own escalation.
    for (std::int32_t i = 0; i < n_actors; ++i) {
      const double* h = ws.hostility.data() + table_at(i, n_actors, 0);
      double provoked = 0.0;
      for (std::int32_t j = 0; j < n_actors; ++j)
        provoked += h[j] * ws.last_step[static_cast<std::size_t>(j)];
      provoked *= ws.reciprocity[static_cast<std::size_t>(i)];
      ws.provoked[static_cast<std::size_t>(i)] = provoked;
      const auto& actor = m.actors[static_cast<std::size_t>(i)];
      for (std::int32_t k = actor.action_begin; k < actor.action_end; ++k)
        u[k] = base[k] + provoked * step[k];
    }
  } else {
    // Nobody provoked anyone: U = base + 0 * step = base (the sign of a zero aside).
    std::fill(ws.provoked.begin(), ws.provoked.end(), 0.0);
    std::copy_n(base, n_actions, u);
  }
  const std::size_t n_terms = ws.term_var.size();
  for (std::size_t t = 0; t < n_terms; ++t)
    u[ws.term_action[t]] += ws.term_weight[t] * state[ws.term_var[t]];

  // Closed actions (a gate they need is false) get U = -inf. Then, per actor, the logit's
  // argument lambda (U(a) - max U): exactly 0 for the best action (weight 1), -inf where closed
  // (weight 0).
  const std::uint64_t* needs = ws.action_needs.data();
  for (std::int32_t i = 0; i < n_actors; ++i) {
    const auto& actor = m.actors[static_cast<std::size_t>(i)];
    double top = -HUGE_VAL;
    for (std::int32_t k = actor.action_begin; k < actor.action_end; ++k) {
      const std::uint64_t* need = needs + table_at(k, words, 0);
      bool open = true;
      for (std::int32_t w = 0; w < words; ++w) open &= (gates[w] & need[w]) == need[w];
      u[k] = open ? u[k] : -HUGE_VAL;
      top = std::max(top, u[k]);
    }
    const double lambda = ws.lambda[static_cast<std::size_t>(i)];
    double* arg = ws.logit_arg.data();
    for (std::int32_t k = actor.action_begin; k < actor.action_end; ++k)
      arg[k] = u[k] == -HUGE_VAL ? -HUGE_VAL : u[k] == top ? 0.0 : lambda * (u[k] - top);
  }
  // P(a) = exp(lambda * (U(a) - max U)) / sum_b exp(lambda * (U(b) - max U)).
  exp_nonpositive_n(ws.logit_arg.data(), ws.weights.data(),
                    static_cast<std::size_t>(ws.n_padded));

  std::int32_t decisions = 0;
  const double* w = ws.weights.data();
  for (std::int32_t i = 0; i < n_actors; ++i) {
    const auto& actor = m.actors[static_cast<std::size_t>(i)];
    double total = 0.0;
    for (std::int32_t k = actor.action_begin; k < actor.action_end; ++k) total += w[k];
    const double draw = ws.actor_streams[static_cast<std::size_t>(i)].uniform01() * total;
    std::int32_t pick = kNone;
    double acc = 0.0;
    for (std::int32_t k = actor.action_begin; k < actor.action_end; ++k) {
      if (w[k] == 0.0) continue;
      pick = k;  // the last available action absorbs rounding at the top
      acc += w[k];
      if (draw < acc) break;
    }
    ws.chosen[static_cast<std::size_t>(i)] = pick;
    decisions += pick != kNone ? 1 : 0;
  }
  return decisions;
}

// Why actor i chose what it chose this tick (for the trace): the chosen action's utility split
// into its terms, from the same tables the decision used.
DecisionRecord explain(const Model& m, const Workspace& ws, std::int32_t tick, std::int32_t i,
                       std::int32_t rung) {
  const auto& actor = m.actors[static_cast<std::size_t>(i)];
  const std::int32_t pick = ws.chosen[static_cast<std::size_t>(i)];
  const auto& act = m.actions[static_cast<std::size_t>(pick)];
  const double* p = ws.params.data();
  DecisionRecord d{};
  d.tick = tick;
  d.actor = i;
  d.action = pick;
  double total = 0.0;
  d.n_available = 0;
  for (std::int32_t k = actor.action_begin; k < actor.action_end; ++k) {
    total += ws.weights[static_cast<std::size_t>(k)];
    d.n_available += ws.utility[static_cast<std::size_t>(k)] != -HUGE_VAL ? 1 : 0;
  }
  d.probability = ws.weights[static_cast<std::size_t>(pick)] / total;
  const double step = ws.step_at[table_at(rung, ws.n_actions, pick)];
  const std::int32_t target = rung + static_cast<std::int32_t>(step);
  d.u_gain = p[act.gain];
  d.u_cost = -p[act.cost] / p[actor.capacity];
  d.u_resolve = p[actor.resolve] * step;
  d.u_danger = -(1.0 - p[actor.risk_tolerance]) *
               (p[m.rung_danger[static_cast<std::size_t>(target)]] -
                p[m.rung_danger[static_cast<std::size_t>(rung)]]);
  d.u_reciprocity = ws.provoked[static_cast<std::size_t>(i)] * step;
  d.u_state = 0.0;
  d.u_terms.reserve(static_cast<std::size_t>(act.term_end - act.term_begin));
  for (std::int32_t t = act.term_begin; t < act.term_end; ++t) {
    const auto& term = m.utility_terms[static_cast<std::size_t>(t)];
    const double part = p[term.weight] * ws.state[static_cast<std::size_t>(term.var)];
    d.u_terms.push_back(part);
    d.u_state += part;
  }
  // The leverage products one by one, in Workspace::leverage_terms' order (each wish about the
  // action, then each leverage entry linking the owner to the wisher), with whose wish each is.
  for (const auto& w : m.wishes) {
    if (w.action != pick) continue;
    for (const auto& l : m.leverage)
      if (l.row == act.owner && l.col == w.actor)
        d.u_leverage_parts.push_back({w.actor, l.value, w.value, p[l.value] * p[w.value]});
  }
  d.u_total = ws.utility[static_cast<std::size_t>(pick)];
  d.u_leverage = d.u_total - d.u_gain - d.u_cost - d.u_resolve - d.u_danger - d.u_reciprocity -
                 d.u_state;
  if (!std::isfinite(d.u_leverage)) {
    // An infinite utility (absurd but legal inputs, such as a capacity of 1e-300) leaves no
    // residual to take: sum the leverage terms themselves.
    d.u_leverage = 0.0;
    for (const auto& term : ws.leverage_terms)
      if (term[0] == pick) d.u_leverage += p[term[1]] * p[term[2]];
  }
  return d;
}

}  // namespace

void begin_run(const Model& m, std::uint64_t master_seed, std::uint64_t run_index, Workspace& ws,
               RunResult& out, Trace* trace) {
  const std::int32_t n_actors = m.n_actors();
  const std::int32_t horizon = m.horizon;

  sample_parameters(m, master_seed, run_index, ws.params.data());
  const double* p = ws.params.data();
  prepare_run(m, ws);
  for (std::int32_t i = 0; i < n_actors; ++i)
    ws.actor_streams[static_cast<std::size_t>(i)] =
        make_stream(master_seed, run_index, m.actors[static_cast<std::size_t>(i)].stream_key);
  for (std::size_t e = 0; e < m.events.size(); ++e)
    ws.event_streams[e] = make_stream(master_seed, run_index, m.events[e].stream_key);
  ws.end_stream = make_stream(master_seed, run_index, 0x656e645f73746174ULL /* "end_stat" */);

  for (std::int32_t v = 0; v < m.n_vars(); ++v) {
    const auto& sv = m.vars[static_cast<std::size_t>(v)];
    ws.state[static_cast<std::size_t>(v)] = std::clamp(p[sv.initial], sv.min, sv.max);
  }
  std::fill(ws.last_step.begin(), ws.last_step.end(), 0.0);
  std::fill(ws.score.begin(), ws.score.end(), 0.0);
  std::fill(out.first_arrival.begin(), out.first_arrival.end(), -1);

  ws.rung = m.start_rung;
  ws.anyone_stepped_up = false;
  for (std::int32_t k = 0; k <= ws.rung; ++k) out.first_arrival[static_cast<std::size_t>(k)] = 0;
  out.highest_rung = ws.rung;
  out.end_state = -1;
  out.end_tick = horizon;
  out.decisions = 0;
  record_indicators(m, one_run(ws), ws.score.data(), out, 0);
  if (trace) {
    trace->params.assign(ws.params.begin(), ws.params.end());
    trace->decisions.clear();
    trace->events.clear();
    trace->rung_changes.clear();
  }
}

namespace {

// The decision pass for the model's number of gate words.
[[gnu::always_inline]] inline std::int32_t decide_any(const Model& m, Workspace& ws,
                                                      std::int32_t rung, bool anyone_stepped_up) {
  switch (ws.gate_words) {
    case 1: return decide<1>(m, ws, rung, anyone_stepped_up);
    case 2: return decide<2>(m, ws, rung, anyone_stepped_up);
    case 3: return decide<3>(m, ws, rung, anyone_stepped_up);
    case 4: return decide<4>(m, ws, rung, anyone_stepped_up);
    default: return decide<0>(m, ws, rung, anyone_stepped_up);
  }
}

}  // namespace

std::int32_t decide_tick(const Model& m, Workspace& ws) {
  return decide_any(m, ws, ws.rung, ws.anyone_stepped_up);
}

namespace {

// Steps 2 to 5 of a tick, once the decisions are in ws.chosen: effects, events, the ladder,
// indicators, end states. Returns true when an end state fired.
[[gnu::always_inline]] inline bool settle_tick(const Model& m, std::int32_t tick, Workspace& ws,
                                               RunResult& out, Trace* trace) {
  const std::int32_t n_actors = m.n_actors();
  const RunView<1> run = one_run(ws);
  const std::int32_t rung = ws.rung;

  // 2. The chosen actions take effect, in actor order; the ladder candidates are collected.
  LadderMoves moves;
  bool anyone_stepped_up = false;
  for (std::int32_t i = 0; i < n_actors; ++i) {
    const std::int32_t k = ws.chosen[static_cast<std::size_t>(i)];
    if (k == kNone) {
      ws.last_step[static_cast<std::size_t>(i)] = 0.0;
      continue;
    }
    const auto& act = m.actions[static_cast<std::size_t>(k)];
    apply_effects(m, run, act.effect_begin, act.effect_end, 1.0);
    const std::size_t at = table_at(rung, ws.n_actions, k);
    const auto step = static_cast<std::int32_t>(ws.step_at[at]);
    moves.add(step, ws.action_floor_at[at]);
    ws.last_step[static_cast<std::size_t>(i)] = std::max(0, step);
    anyone_stepped_up |= step > 0;
    ws.score[static_cast<std::size_t>(i)] +=
        m.class_weights[static_cast<std::size_t>(act.escalation_class)];
  }

  // 3. Stochastic events, each from its own stream, in declared order.
  for (std::size_t e = 0; e < m.events.size(); ++e) {
    const auto& ev = m.events[e];
    Rng& rng = ws.event_streams[e];
    // Eligibility (a pure test) is evaluated only where it can change the outcome: a Bernoulli
    // whose draw misses does not fire either way.
    const auto eligible = [&] {
      return rung >= ev.min_rung && rung <= ev.max_rung &&
             all_hold(m, run, ev.cond_begin, ev.cond_end);
    };
    double count = 0.0;
    switch (ev.kind) {
      case Event::Kind::bernoulli: {
        const double u = rng.uniform01();  // drawn every tick to keep streams aligned
        count = (u < run.p(ev.rate) && eligible()) ? 1.0 : 0.0;
        break;
      }
      case Event::Kind::poisson: count = eligible() ? poisson_count(ev, run, rng) : 0.0; break;
      case Event::Kind::flow: count = eligible() ? 1.0 : 0.0; break;
    }
    if (count <= 0.0) continue;
    apply_effects(m, run, ev.effect_begin, ev.effect_end, count);
    const auto at = static_cast<std::size_t>(rung) * m.events.size() + e;
    moves.add(ws.event_step_at[at], ws.event_floor_at[at]);
    if (trace) trace->events.push_back({tick, static_cast<std::int32_t>(e), count});
  }

  // 4. The ladder; then this tick's indicators; 5. the end states.
  ws.rung = move_ladder(m, tick, rung, moves, out, trace);
  ws.anyone_stepped_up = anyone_stepped_up;
  record_indicators(m, run, ws.score.data(), out, tick);
  check_end_states(m, run, ws.chosen.data(), ws.rung, out,
                   [&](std::int32_t) { return ws.end_stream.uniform01(); });
  return out.end_state != -1;
}

// The end of a run that stopped at `tick` (horizon + 1 if it ran out of time).
void finish_run(const Model& m, std::int32_t tick, RunResult& out) {
  const std::int32_t horizon = m.horizon;
  out.end_tick = std::min(tick, horizon);
  // After the run ends the world stands still: indicators keep their final values.
  const std::size_t stride = static_cast<std::size_t>(horizon + 1);
  for (std::int32_t i = 0; i < m.n_indicators(); ++i) {
    double* row = out.indicators.data() + static_cast<std::size_t>(i) * stride;
    for (std::int32_t t = out.end_tick + 1; t <= horizon; ++t) row[t] = row[out.end_tick];
  }
}

// One tick (advance_tick), inlined into simulate_run's loop.
[[gnu::always_inline]] inline bool tick_impl(const Model& m, std::int32_t tick, Workspace& ws,
                                             RunResult& out, Trace* trace) {
  // 1. Decisions: every actor chooses on the state at the start of the tick.
  out.decisions += decide_any(m, ws, ws.rung, ws.anyone_stepped_up);
  if (trace)
    for (std::int32_t i = 0; i < m.n_actors(); ++i)
      if (ws.chosen[static_cast<std::size_t>(i)] != kNone)
        trace->decisions.push_back(explain(m, ws, tick, i, ws.rung));
  return settle_tick(m, tick, ws, out, trace);
}

}  // namespace

bool advance_tick(const Model& m, std::int32_t tick, Workspace& ws, RunResult& out,
                  Trace* trace) {
  return tick_impl(m, tick, ws, out, trace);
}

void simulate_run(const Model& m, std::uint64_t master_seed, std::uint64_t run_index,
                  Workspace& ws, RunResult& out, Trace* trace) {
  begin_run(m, master_seed, run_index, ws, out, trace);
  const std::int32_t horizon = m.horizon;
  std::int32_t tick = 1;
  for (; tick <= horizon; ++tick)
    if (tick_impl(m, tick, ws, out, trace)) break;
  finish_run(m, tick, out);
}

// ---------------------------------------------------------------------------------------------
// Runs as lanes

LaneWorkspace::LaneWorkspace(const Model& m) {
  lane.reserve(kLanes);
  for (int l = 0; l < kLanes; ++l) lane.emplace_back(m);
  const Workspace& plan = lane[0];
  const auto lanes = [](std::size_t count) { return count * static_cast<std::size_t>(kLanes); };
  const auto n_actors = static_cast<std::size_t>(m.n_actors());
  const auto n_actions = static_cast<std::size_t>(m.n_actions());
  // At least one entry each, so that a lane's view (data() + l) points into an array even for a
  // scenario with no state variables or no parameters.
  state.assign(lanes(std::max<std::size_t>(1, static_cast<std::size_t>(m.n_vars()))), 0.0);
  params.assign(lanes(std::max<std::size_t>(1, m.params.size())), 0.0);
  gate_value.assign(lanes(plan.gate_var.size()), 0.0);
  term_weight.assign(lanes(plan.term_var.size()), 0.0);
  lambda.assign(lanes(n_actors), 0.0);
  reciprocity.assign(lanes(n_actors), 0.0);
  hostility.assign(lanes(n_actors * n_actors), 0.0);
  last_step.assign(lanes(n_actors), 0.0);
  base.assign(lanes(n_actions), 0.0);
  step.assign(lanes(n_actions), 0.0);
  row_rung.assign(kLanes, -1);
  gates.assign(lanes(static_cast<std::size_t>(plan.gate_words)), 0);
  utility.assign(lanes(n_actions), 0.0);
  logit_arg.assign(lanes(n_actions), 0.0);
  weights.assign(lanes(n_actions), 0.0);
  decided.assign(kLanes, 0);
  // An event whose step is 0 and hold floor -1 at every rung leaves the ladder candidates as
  // they are; the lanes skip its ladder bookkeeping.
  const std::size_t n_events = m.events.size();
  event_moves.assign(n_events, 0);
  for (std::size_t r = 0; r < static_cast<std::size_t>(m.n_rungs); ++r)
    for (std::size_t e = 0; e < n_events; ++e)
      event_moves[e] |= plan.event_step_at[r * n_events + e] != 0 ||
                        plan.event_floor_at[r * n_events + e] != -1;
  constexpr std::size_t kBlock = 4 * static_cast<std::size_t>(kLanes);  // one stream per lane
  for (std::size_t e = 0; e < m.events.size(); ++e)
    if (m.events[e].kind == Event::Kind::bernoulli)
      bernoulli_event.push_back(static_cast<std::int32_t>(e));
  // Lanes without a run keep a nonzero state, so that their (unused) draws are well defined.
  actor_rng.assign(n_actors * kBlock, 1);
  bernoulli_rng.assign(bernoulli_event.size() * kBlock, 1);
  end_rng.assign(kBlock, 1);
  event_u.assign(lanes(m.events.size()), 0.0);
  end_u.assign(lanes(static_cast<std::size_t>(m.n_end_states())), 0.0);
}

namespace {

// Lane l's rung row of the per-run tables, reloaded when its ladder has moved (the rest of what
// the passes read is lane-major already, or read from the lane's workspace).
void sync_lane(LaneWorkspace& lw, std::size_t l) {
  constexpr auto L = static_cast<std::size_t>(kLanes);
  const Workspace& ws = lw.lane[l];
  if (lw.row_rung[l] == ws.rung) return;
  lw.row_rung[l] = ws.rung;
  const auto row = static_cast<std::size_t>(ws.rung) * static_cast<std::size_t>(ws.n_actions);
  for (std::size_t k = 0; k < static_cast<std::size_t>(ws.n_actions); ++k) {
    lw.base[k * L + l] = ws.base_utility[row + k];
    lw.step[k * L + l] = ws.step_at[row + k];
  }
}

// Lane l's per-run values, once its run has begun.
void load_lane(LaneWorkspace& lw, std::size_t l) {
  constexpr auto L = static_cast<std::size_t>(kLanes);
  const Workspace& ws = lw.lane[l];
  for (std::size_t v = 0; v < ws.state.size(); ++v) lw.state[v * L + l] = ws.state[v];
  for (std::size_t q = 0; q < ws.params.size(); ++q) lw.params[q * L + l] = ws.params[q];
  for (std::size_t j = 0; j < ws.last_step.size(); ++j) lw.last_step[j * L + l] = ws.last_step[j];
  for (std::size_t g = 0; g < ws.gate_value.size(); ++g)
    lw.gate_value[g * L + l] = ws.params[static_cast<std::size_t>(ws.gate_value[g])];
  for (std::size_t t = 0; t < ws.term_weight.size(); ++t)
    lw.term_weight[t * L + l] = ws.term_weight[t];
  for (std::size_t i = 0; i < ws.lambda.size(); ++i) {
    lw.lambda[i * L + l] = ws.lambda[i];
    lw.reciprocity[i * L + l] = ws.reciprocity[i];
  }
  for (std::size_t q = 0; q < ws.hostility.size(); ++q) lw.hostility[q * L + l] = ws.hostility[q];
  // The streams drawn every tick move to the lane-major blocks.
  const auto put = [&](std::vector<std::uint64_t>& blocks, std::size_t block, const Rng& rng) {
    std::uint64_t words[4];
    rng.get_state(words);
    for (std::size_t w = 0; w < 4; ++w) blocks[(block * 4 + w) * L + l] = words[w];
  };
  for (std::size_t i = 0; i < ws.actor_streams.size(); ++i) put(lw.actor_rng, i, ws.actor_streams[i]);
  for (std::size_t b = 0; b < lw.bernoulli_event.size(); ++b)
    put(lw.bernoulli_rng, b, ws.event_streams[static_cast<std::size_t>(lw.bernoulli_event[b])]);
  put(lw.end_rng, 0, ws.end_stream);
  lw.row_rung[l] = -1;  // the run's base and step tables are new
  sync_lane(lw, l);
}

}  // namespace

void simulate_lanes(const Model& m, std::uint64_t master_seed, std::uint64_t first_run, int n,
                    LaneWorkspace& lw, RunResult* out) {
  if (detail::lanes_pay()) {
    detail::simulate_lanes_with(detail::kLanePasses, m, master_seed, first_run, n, lw, out);
    return;
  }
  for (int l = 0; l < std::clamp(n, 0, kLanes); ++l)
    simulate_run(m, master_seed, first_run + static_cast<std::uint64_t>(l),
                 lw.lane[static_cast<std::size_t>(l)], out[l]);
}

bool lanes_vectorised() { return detail::lanes_pay(); }

std::int64_t decide_lanes_tick(const Model& m, LaneWorkspace& lw) {
  (detail::lanes_pay() ? detail::kLanePasses : detail::kLanePassesBaseline).decide(m, lw);
  std::int64_t decisions = 0;
  for (const std::int64_t d : lw.decided) decisions += d;
  return decisions;
}

void detail::simulate_lanes_with(const LanePasses& passes, const Model& m,
                                 std::uint64_t master_seed, std::uint64_t first_run, int n,
                                 LaneWorkspace& lw, RunResult* out) {
  const auto lanes = static_cast<std::size_t>(std::clamp(n, 0, kLanes));
  unsigned running = 0;  // bit l: lane l's run is going
  for (std::size_t l = 0; l < lanes; ++l) {
    begin_run(m, master_seed, first_run + l, lw.lane[l], out[l]);
    load_lane(lw, l);
    running |= 1u << l;
  }
  std::int32_t tick = 1;
  for (; tick <= m.horizon && running != 0; ++tick) {
    // Lanes whose run has ended (or that have none) decide too, on their last state; their
    // choices are not used.
    passes.decide(m, lw);
    for (std::size_t l = 0; l < lanes; ++l)
      if (running >> l & 1u) out[l].decisions += lw.decided[l];
    const unsigned ended = passes.settle(m, tick, lw, out, running);
    for (std::size_t l = 0; l < lanes; ++l) {
      if (!(running >> l & 1u)) continue;
      if (ended >> l & 1u)
        finish_run(m, tick, out[l]);
      else
        sync_lane(lw, l);
    }
    running &= ~ended;
  }
  for (std::size_t l = 0; l < lanes; ++l)
    if (running >> l & 1u) finish_run(m, tick, out[l]);
}

}  // namespace geosim
