// One run of a Model: a pure function of (model, master seed, run index).
//
// Each tick: every actor scores the actions open to it and picks one by logit choice (all actors
// choose on the same state, simultaneously); the chosen actions' effects apply; stochastic events
// are drawn; the ladder moves; end states are checked; indicators are recorded. See docs/model.md
// for every equation.
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Core>

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

// Scratch space for one thread's runs: allocated once, reused for every run.
struct Workspace {
  std::vector<double> params;
  std::vector<double> state;
  std::vector<double> utility;       // per action, this tick
  std::vector<double> weights;       // per action
  Eigen::MatrixXd base_utility;      // n_actions x n_rungs: the utility terms fixed within a run
  Eigen::MatrixXd step_at;           // n_actions x n_rungs: effective ladder step of each action
  Eigen::MatrixXd hostility;         // n_actors x n_actors
  std::vector<double> lambda, reciprocity;
  std::vector<double> last_step;     // per actor: rung steps its action made last tick
  std::vector<std::int32_t> chosen;  // per actor, this tick
  std::vector<double> score;         // per actor: cumulative escalation score
  std::vector<Rng> actor_streams, event_streams;
  Rng end_stream;

  explicit Workspace(const Model& m);
};

// Simulates run `run_index` of `model` under `master_seed` into `out`. Deterministic: the same
// arguments give the same bits on any thread. Allocates nothing when `trace` is null.
void simulate_run(const Model& model, std::uint64_t master_seed, std::uint64_t run_index,
                  Workspace& ws, RunResult& out, Trace* trace = nullptr);

}  // namespace geosim
