// The Model: a Scenario compiled for the simulation loop. Flat arrays of indices and numbers, no
// strings and no maps on the hot path; names survive only in `names` for reporting.
//
// Every numeric field is an index into the parameter vector that is sampled once per run
// (`sample_parameters`). The loop reads `params[field]`.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "geosim/scenario.h"

namespace geosim {

using ParamIndex = std::int32_t;
inline constexpr std::int32_t kNone = -1;

struct CompiledDistribution {
  DistKind kind = DistKind::constant;
  std::array<double, 3> args{0, 0, 0};
  std::int32_t choice_begin = 0, choice_end = 0;  // into Model::choice_values / choice_cdf
};

struct CompiledCondition {
  std::int32_t var;
  CompareOp op;
  ParamIndex value;
};

struct CompiledEffect {
  std::int32_t var;
  EffectOp op;
  ParamIndex value;
  std::int32_t times_var;  // kNone if absent
};

struct CompiledMove {
  RungMove::Kind kind = RungMove::Kind::none;
  std::int32_t value = 0;  // step, or target rung index
};

struct CompiledAction {
  std::int32_t owner;
  std::int32_t min_rung, max_rung;
  EscalationClass escalation_class;
  ParamIndex cost, gain;
  CompiledMove move;
  std::int32_t cond_begin, cond_end;      // into Model::conditions
  std::int32_t effect_begin, effect_end;  // into Model::effects
  std::int32_t term_begin, term_end;      // into Model::utility_terms
};

struct CompiledUtilityTerm {
  std::int32_t var;
  ParamIndex weight;
};

struct CompiledActor {
  std::int32_t action_begin, action_end;  // into Model::actions
  ParamIndex rationality, resolve, risk_tolerance, capacity, reciprocity;
  std::uint64_t stream_key;
};

struct CompiledEvent {
  Event::Kind kind;
  ParamIndex rate;
  std::int32_t per_var;  // kNone if absent
  std::int32_t min_rung, max_rung;
  std::int32_t cond_begin, cond_end;
  std::int32_t effect_begin, effect_end;
  CompiledMove move;
  std::uint64_t stream_key;
};

struct CompiledEndState {
  EndState::Kind kind;
  std::int32_t action_begin, action_end;  // into Model::end_state_actions
  std::int32_t rung;
  std::int32_t cond_begin, cond_end;
  ParamIndex probability;
};

struct CompiledMatrixEntry {
  std::int32_t row, col;
  ParamIndex value;
};

struct CompiledWish {
  std::int32_t actor;   // who wishes
  std::int32_t action;  // for which action (of another actor)
  ParamIndex value;
};

struct CompiledStateVar {
  ParamIndex initial;
  double min, max;
};

// Names of everything, in index order, for output. Not used by the loop.
struct ModelNames {
  std::string scenario;
  std::vector<std::string> actors, actions /* owner.action */, rungs, end_states, vars, events,
      params, indicators;
  std::vector<std::string> indicator_units;
};

struct Model {
  std::int32_t horizon = 0;
  std::int32_t tick_days = 7;
  std::int32_t start_rung = 0;
  std::int32_t n_rungs = 0;

  std::vector<CompiledDistribution> params;
  std::vector<std::uint64_t> param_stream_keys;
  std::vector<double> choice_values, choice_cdf;

  std::vector<CompiledActor> actors;
  std::vector<CompiledAction> actions;
  std::vector<ParamIndex> rung_danger;
  std::vector<CompiledCondition> conditions;
  std::vector<CompiledEffect> effects;
  std::vector<CompiledUtilityTerm> utility_terms;
  std::vector<CompiledMatrixEntry> relations;  // hostility: row is hostile to col
  std::vector<CompiledMatrixEntry> leverage;   // row weighs col's wishes
  std::vector<CompiledWish> wishes;
  std::vector<CompiledEvent> events;
  std::vector<CompiledEndState> end_states;
  std::vector<std::int32_t> end_state_actions;
  std::vector<CompiledStateVar> vars;
  std::array<double, kEscalationClassCount> class_weights{};

  // Indicators: the reported state variables, then one cumulative escalation score per actor.
  std::vector<std::int32_t> indicator_vars;

  ModelNames names;
  // What compile() found worth saying that does not stop a run: a declared parameter that no
  // field uses (changing it changes nothing). `geosim validate` and `run` print them.
  std::vector<Diagnostic> warnings;

  [[nodiscard]] std::int32_t n_actors() const { return static_cast<std::int32_t>(actors.size()); }
  [[nodiscard]] std::int32_t n_actions() const { return static_cast<std::int32_t>(actions.size()); }
  [[nodiscard]] std::int32_t n_vars() const { return static_cast<std::int32_t>(vars.size()); }
  [[nodiscard]] std::int32_t n_end_states() const {
    return static_cast<std::int32_t>(end_states.size());
  }
  [[nodiscard]] std::int32_t n_indicators() const {
    return static_cast<std::int32_t>(indicator_vars.size()) + n_actors();
  }
  [[nodiscard]] std::int32_t max_actions_per_actor() const;
};

// Resolves every name, checks the scenario's meaning (ranges, references, reachability) and
// builds the Model. Throws InputError with every problem found.
Model compile(const Scenario& scenario);

// Draws one value for every parameter, from the run's own streams (one stream per parameter,
// keyed by its name). Writes model.params.size() values into `out`. Does not allocate.
void sample_parameters(const Model& model, std::uint64_t master_seed, std::uint64_t run_index,
                       double* out);

}  // namespace geosim
