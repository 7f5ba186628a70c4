// One run of a Model: a pure function of (model, master seed, run index).
//
// Each tick: every actor scores the actions open to it and picks one by logit choice (all actors
// choose on the same state, simultaneously); the chosen actions' effects apply; stochastic events
// are drawn; the ladder moves; end states are checked; indicators are recorded. See docs/model.md
// for every equation.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "geosim/model.h"
#include "geosim/rng.h"

namespace geosim {

// What one run produced. Sized once for a model by `RunResult::for_model`; reused across runs.
struct RunResult {
  std::int32_t end_state = -1;  // index into Model::end_states, or -1: still going at the horizon
  std::int32_t end_tick = 0;    // tick at which the run ended (horizon if it did not end early)
  std::int32_t highest_rung = 0;
  std::vector<std::int32_t> first_arrival;  // per rung: first tick the ladder stood at or above
                                            // it, -1 if never
  // Indicator values, indicator-major: indicators[i * (horizon + 1) + t], t = 0..horizon.
  // After a run ends, values stay at their final level (the world stops).
  std::vector<double> indicators;
  std::int64_t decisions = 0;  // actor-decisions taken (for throughput figures)

  static RunResult for_model(const Model& m);
  [[nodiscard]] double indicator(const Model& m, int i, int tick) const {
    return indicators[static_cast<std::size_t>(i) * static_cast<std::size_t>(m.horizon + 1) +
                      static_cast<std::size_t>(tick)];
  }
};

// Why an actor chose what it chose: one tick's decision, kept only when a trace is asked for.
struct DecisionRecord {
  std::int32_t tick, actor, action;
  double probability;  // the logit probability of the chosen action
  int n_available;
  // The chosen action's utility split into its terms (see docs/model.md).
  double u_gain, u_resolve, u_cost, u_danger, u_leverage, u_reciprocity, u_state, u_total;
  // The two sums above taken apart, so that a story can cite each part's parameters. Filled by the
  // trace only (they allocate; the decision pass never touches them).
  // u_terms[q]: the chosen action's state term q (Model::utility_terms[term_begin + q], in the
  // action's order): its weight's value x the state variable's value. Added up from 0 in this
  // order they give u_state, bit for bit.
  std::vector<double> u_terms;
  // One leverage product L[actor][partner] x wish_partner(action) per wish about the action and
  // leverage entry that links the actor to the wisher, in the order the engine sums them. Their
  // sum is u_leverage up to rounding (u_leverage is the residual of u_total).
  struct LeveragePart {
    std::int32_t partner;  // the actor whose wish it is
    ParamIndex leverage;   // the leverage entry's parameter
    ParamIndex wish;       // the wish's parameter
    double value;          // leverage value x wish value
  };
  std::vector<LeveragePart> u_leverage_parts;
};

struct EventRecord {
  std::int32_t tick, event;
  double count;  // Poisson count, or 1 for a Bernoulli that fired / a flow
};

struct RungRecord {
  std::int32_t tick, from, to;
};

// The whole story of one run (for `geosim story` and tests). Allocates; never used by `run`.
struct Trace {
  std::vector<double> params;  // sampled parameter values
  std::vector<DecisionRecord> decisions;
  std::vector<EventRecord> events;
  std::vector<RungRecord> rung_changes;
};

// Scratch space for one thread's runs: allocated once, reused for every run. Its first part is the
// loop's plan, derived from the model when the workspace is made (the same for every run); the
// rest is filled per run and per tick. Only simulate.cpp reads the fields.
struct Workspace {
  // --- the plan (docs/performance.md, "The decision pass")
  std::int32_t n_actions = 0;
  std::int32_t n_padded = 0;    // n_actions rounded up to the vector exp's width (4)
  std::int32_t gate_words = 0;  // 64-bit words of the gate bit set
  // Gates: what opens an action. The distinct conditions of the actions' `requires`, tested once
  // per tick, then the distinct rung ranges, whose truth at each rung is tabled.
  std::vector<std::int32_t> gate_var;
  std::vector<std::uint32_t> gate_orderings;  // which of <, ==, > satisfy the operator (bits 1, 2, 4)
  std::vector<ParamIndex> gate_value;
  std::vector<std::uint64_t> rung_gates;    // [r * gate_words + w]: range gates true at rung r
  std::vector<std::uint64_t> action_needs;  // [k * gate_words + w]: the gates action k requires
  // The actions' state terms, in model order (so each action's are contiguous and in order).
  std::vector<std::int32_t> term_action, term_var;
  std::vector<ParamIndex> term_param;
  // Ladder moves tabled per rung: [r * n_actions + k] and [r * n_events + e].
  std::vector<std::int32_t> action_floor_at;            // the rung below which k holds the ladder
  std::vector<std::int32_t> event_step_at, event_floor_at;  // an event's step and hold floor
  // Leverage products in summation order: action, L[i][j]'s parameter, j's wish parameter.
  std::vector<std::array<std::int32_t, 3>> leverage_terms;

  // --- per run
  std::vector<double> params;
  std::vector<double> base_utility;  // [r * n_actions + k]: the utility terms fixed within a run
  std::vector<double> step_at;       // [r * n_actions + k]: the ladder step action k makes at r
  std::vector<double> term_weight;   // per utility term, this run's weight
  std::vector<double> hostility;     // [i * n_actors + j]
  std::vector<double> lambda, reciprocity;
  std::vector<Rng> actor_streams, event_streams;
  Rng end_stream;

  // --- per tick
  std::int32_t rung = 0;               // where the ladder stands
  bool anyone_stepped_up = false;      // did any actor's action step the ladder up last tick?
  std::vector<double> state;
  std::vector<std::uint64_t> gates;  // this tick's gate bits
  std::vector<double> provoked;      // per actor: the reciprocity term's multiplier
  std::vector<double> best;          // per actor: the highest utility open to it
  std::vector<double> utility;       // per action (n_padded), -inf where closed
  std::vector<double> logit_arg;     // per action (n_padded): lambda (U - max U), -inf where closed
  std::vector<double> weights;       // per action (n_padded): exp(logit_arg)
  std::vector<double> last_step;     // per actor: rung steps its action made last tick
  std::vector<std::int32_t> chosen;  // per actor, this tick
  std::vector<double> score;         // per actor: cumulative escalation score

  explicit Workspace(const Model& m);
};

// Four runs side by side: simulate_lanes advances them tick by tick in lockstep, one vector lane
// per run. Their state and parameters are kept lane-major, so that each tick's decision pass
// computes every actor's utilities, logit weights and pick for four runs at once with no
// data-dependent branch, and the events that are the same in every run (flows, Bernoulli draws,
// conditions) are taken four runs at a time (docs/performance.md, "Runs as lanes"). What differs
// per run (the chosen actions' effects, Poisson counts, the ladder, indicators, end states) is
// done lane by lane. Each lane does exactly simulate_run's arithmetic, so every run gives the same
// bits either way (tested).
inline constexpr int kLanes = 4;

struct LaneWorkspace {
  // One per lane: its run's tables, streams, rung, choices and scores. Its `state`, `params` and
  // `last_step` are not used while the lanes run: the lane-major copies below are.
  std::vector<Workspace> lane;

  // Lane-major: entry [x * kLanes + l] is lane l's.
  std::vector<double> state;   // [v]: the run's state variables
  std::vector<double> params;  // [p]: the run's sampled parameters
  // The parameters the decision pass reads, copied per run into the order it reads them (also in
  // `params`, but read from there through the model's indices the pass was 1.0-1.4% slower).
  std::vector<double> gate_value;       // [g]: the value gate g compares with, this run's
  std::vector<double> term_weight;      // [t]
  std::vector<double> lambda, reciprocity;  // [i]
  std::vector<double> hostility;            // [i * n_actors + j]
  std::vector<double> last_step;            // [j]: rung steps actor j's action made last tick
  std::vector<double> base, step;           // [k]: the lane's rung row of base_utility, step_at
  std::vector<std::int32_t> row_rung;       // per lane: the rung that row is for, -1 if none
  std::vector<std::uint64_t> gates;         // [w]
  std::vector<double> utility, logit_arg, weights;  // [k]
  std::vector<std::uint8_t> event_moves;    // per event: whether it can move the ladder at all
  std::vector<std::int64_t> decided;        // per lane: actors that chose this tick
  // The random streams the lanes draw from every tick, unconditionally, kept lane-major so that
  // the four lanes' generators step together: word w of lane l's stream at [w * kLanes + l] of
  // each stream's block of 4 x kLanes. While simulate_lanes runs, these, not the workspaces'
  // copies, are the streams' state.
  std::vector<std::uint64_t> actor_rng;      // block i: actor i's stream
  std::vector<std::int32_t> bernoulli_event;  // the Bernoulli events, in declared order
  std::vector<std::uint64_t> bernoulli_rng;   // block b: event bernoulli_event[b]'s stream
  std::vector<std::uint64_t> end_rng;         // one block: the end states' stream
  // This tick's draws, made by the decision pass for the rest of the tick: [e * kLanes + l] is
  // Bernoulli event e's uniform (other events' slots unused), [q * kLanes + l] end state q's.
  std::vector<double> event_u, end_u;

  explicit LaneWorkspace(const Model& m);
};

// Simulates runs first_run, ..., first_run + n - 1 (1 <= n <= kLanes) into out[0], ...,
// out[n - 1], with the same results, bit for bit, as simulate_run on each. Allocates nothing.
// On a machine without AVX2, where the lanes would be slower, it simulates the runs one by one
// (lanes_vectorised() says which).
void simulate_lanes(const Model& model, std::uint64_t master_seed, std::uint64_t first_run, int n,
                    LaneWorkspace& lw, RunResult* out);

// The lanes' decision pass alone, on each lane's current state (as simulate_lanes left it): every
// lane's choices into lw.lane[l].chosen. Returns the number of actor-decisions over the four
// lanes. For benchmarks; draws from the lanes' actor streams, as decide_tick does. Meaningful only
// where lanes_vectorised(): elsewhere simulate_lanes never loads the lanes' inputs.
std::int64_t decide_lanes_tick(const Model& model, LaneWorkspace& lw);

// True where simulate_lanes takes the decision passes of its runs together (this CPU has AVX2).
[[nodiscard]] bool lanes_vectorised();

// Simulates run `run_index` of `model` under `master_seed` into `out`. Deterministic: the same
// arguments give the same bits on any thread. Allocates nothing when `trace` is null.
void simulate_run(const Model& model, std::uint64_t master_seed, std::uint64_t run_index,
                  Workspace& ws, RunResult& out, Trace* trace = nullptr);

// The stages of simulate_run, public so that benchmarks (bench/parts_bench.cpp) and tests can
// take a run apart; simulate_run is exactly begin_run, advance_tick for ticks 1, 2, ... until it
// returns true or the horizon is passed, then the end-of-run bookkeeping.
//
// Starts run `run_index`: draws the parameters, fills the per-run tables, seeds the streams, sets
// the initial state and records tick 0.
void begin_run(const Model& model, std::uint64_t master_seed, std::uint64_t run_index,
               Workspace& ws, RunResult& out, Trace* trace = nullptr);
// Tick `tick`: decisions, effects, events, the ladder, indicators, end states. Returns true when
// an end state fired.
bool advance_tick(const Model& model, std::int32_t tick, Workspace& ws, RunResult& out,
                  Trace* trace = nullptr);
// The decision pass alone, on the workspace's current state and rung: every actor's choice into
// ws.chosen (and its utilities and weights). Returns the number of actors that had an open action.
// Draws from the actors' streams, so calling it outside advance_tick changes the run.
std::int32_t decide_tick(const Model& model, Workspace& ws);

}  // namespace geosim
