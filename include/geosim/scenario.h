// The Scenario: a crisis as people wrote it - names, labels, units and sources. It is what
// `load_scenario` makes of a YAML file (after resolving `extends:`), and what `compile` turns into
// the Model the simulation loop runs. Nothing here is on the hot path.
//
// Every number in a scenario is a Parameter. A numeric field holds either a literal (which becomes
// an anonymous constant parameter named by its key path), the name of a declared parameter, or an
// inline parameter mapping (`{value: 3, unit: ..., source: {...}}` or `{dist: uniform, ...}`).
// Parameters are sampled once per run, so one Monte Carlo covers chance events and uncertain
// beliefs together.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "geosim/error.h"

namespace geosim {

// Where a number comes from: an article (a file in the seeds folder and a verbatim quote).
struct Source {
  std::string file;
  std::string quote;
  Location where;
};

enum class DistKind { constant, uniform, normal, lognormal, beta, triangular, choice };

// A distribution's parameters, by kind:
//   constant: value                uniform: low, high          normal: mean, sd
//   lognormal: mu, sigma (of log)  beta: alpha, beta           triangular: low, mode, high
//   choice: values[i] with weights[i]
struct Distribution {
  DistKind kind = DistKind::constant;
  std::vector<double> args;     // in the order listed above
  std::vector<double> values;   // choice only
  std::vector<double> weights;  // choice only
};

const char* to_string(DistKind k);

struct Parameter {
  std::string name;  // declared name, or the key path of an inline value
  Distribution dist;
  std::string unit;
  std::string description;
  std::optional<Source> source;
  std::string assumption;  // why this value, when no article gives it
  bool declared = false;   // true if it sits in `parameters:` (false: inline in a field)
  // Declared by a file that `extends:` another and by none of the files it extends. It overrides
  // nothing, so compile() requires some field to use it: otherwise it is a misspelt override.
  bool new_in_child = false;
  Location where;
  std::string key_path;
};

// A numeric field: the parameter it reads (after loading, always a name in Scenario::parameters).
struct ValueRef {
  std::string param;
  Location where;
  std::string key_path;
  [[nodiscard]] bool empty() const { return param.empty(); }
};

enum class CompareOp { lt, le, gt, ge, eq, ne };

// `{var: name, ge: value}`: a test on a state variable.
struct Condition {
  std::string var;
  CompareOp op = CompareOp::ge;
  ValueRef value;
  Location where;
  std::string key_path;
  Location var_where;  // the value of `var:`
};

enum class EffectOp { add, set, mul };

// `{var: name, add: value [, times: other_var]}`: a change to a state variable.
struct Effect {
  std::string var;
  EffectOp op = EffectOp::add;
  ValueRef value;
  std::string times_var;  // optional: the value is multiplied by this variable's current value
  Location where;
  std::string key_path;
  Location var_where, times_where;  // the values of `var:` and `times:`
};

// How an action or event moves the escalation ladder.
struct RungMove {
  enum class Kind { none, step, to } kind = Kind::none;
  int step = 0;         // Kind::step: rungs up (+) or down (-)
  std::string to_rung;  // Kind::to: raise the ladder to at least this rung
  Location where;
  std::string key_path;
};

// The escalation classes of the LLM wargame literature (Rivera et al. 2024), plus the status quo.
enum class EscalationClass {
  status_quo,
  de_escalation,
  posturing,
  nonviolent_escalation,
  violent_escalation,
  nuclear
};
inline constexpr int kEscalationClassCount = 6;
const char* to_string(EscalationClass c);

// A term of an action's utility that depends on the world: weight * value of a state variable.
struct UtilityTerm {
  std::string var;
  ValueRef weight;
  std::string label;  // what this term means, for stories
  Location where;
  std::string key_path;
  Location var_where;  // the value of `var:`
};

struct Action {
  std::string name;
  std::string label;
  std::string description;
  EscalationClass escalation_class = EscalationClass::status_quo;
  std::string min_rung, max_rung;  // availability on the ladder (inclusive); empty: no bound
  Location min_rung_where, max_rung_where;
  std::vector<Condition> requires_;
  ValueRef cost;  // utility units, divided by the actor's capacity
  ValueRef gain;  // intrinsic utility of doing it
  RungMove move;
  std::vector<Effect> effects;
  std::vector<UtilityTerm> utility;
  std::vector<Source> sources;  // where the articles discuss this action
  Location where;
  std::string key_path;
};

struct Actor {
  std::string name;
  std::string label;
  std::string description;
  ValueRef rationality;     // lambda of the logit choice (1/utility)
  ValueRef resolve;         // utility per rung of escalation
  ValueRef risk_tolerance;  // in [0, 1]; (1 - it) weighs the danger of the rung an action leads to
  ValueRef capacity;        // divides action costs
  ValueRef reciprocity;     // utility per rung of escalation, per rung a hostile actor escalated
  std::vector<Action> actions;
  Location where;
  std::string key_path;
};

struct Rung {
  std::string name;
  std::string label;
  std::string description;
  ValueRef danger;  // utility units; weighs on actions that lead to this rung
  Location where;
  std::string key_path;
  Location name_where;  // the value of `name:`
};

// One entry of an actor-by-actor matrix: relations (hostility) or leverage.
struct MatrixEntry {
  std::string row, col;
  ValueRef value;
  Location where;  // the column key
  std::string key_path;
  Location row_where;    // the row key
  std::string row_path;  // e.g. `relations.red`
};

// How much `actor` wants `target_action` (written `owner.action`) to be chosen.
struct Wish {
  std::string actor;
  std::string target_action;
  ValueRef value;
  Location where;  // the `owner.action` key
  std::string key_path;
  Location actor_where;    // the actor key the wish sits under
  std::string actor_path;  // e.g. `wishes.blue`
};

struct Event {
  enum class Kind { poisson, bernoulli, flow };
  std::string name;
  std::string label;
  Kind kind = Kind::bernoulli;
  ValueRef rate;        // poisson: mean count per tick; bernoulli: probability per tick; flow: unused
  std::string per_var;  // poisson: the rate is multiplied by this variable (e.g. troops deployed)
  Location per_where;
  std::string min_rung, max_rung;
  Location min_rung_where, max_rung_where;
  std::vector<Condition> requires_;
  std::vector<Effect> effects;  // poisson: `add` values are multiplied by the count drawn
  RungMove move;
  Location where;
  std::string key_path;
};

struct EndState {
  enum class Kind { all_chosen, any_chosen, rung, state };
  std::string name;
  std::string label;
  std::string description;
  Kind kind = Kind::any_chosen;
  std::vector<std::string> actions;  // `owner.action` names, for all_chosen / any_chosen
  std::vector<Location> action_where;
  std::string rung;                  // for Kind::rung: reaching it ends the run
  Location rung_where;
  std::vector<Condition> conditions;  // for Kind::state: all must hold
  ValueRef probability;              // chance the end state takes hold when its trigger fires
  Location where;
  std::string key_path;
};

struct StateVar {
  std::string name;
  std::string label;
  std::string unit;
  std::string description;
  ValueRef initial;
  std::optional<double> min, max;  // clamps applied after every change
  bool report = true;              // reported as an indicator
  Location where;
  std::string key_path;
};

struct Scenario {
  std::string name;
  std::string title;
  std::string question;
  std::string description;
  std::string start_date;  // ISO date of tick 0
  int tick_days = 7;
  int horizon = 0;  // ticks
  Location horizon_where;  // the value of `time.horizon:`
  std::vector<Parameter> parameters;
  std::vector<StateVar> state;
  std::vector<Rung> rungs;  // lowest first
  Location rungs_where;     // the value of `ladder.rungs:`
  std::string start_rung;
  Location start_rung_where;
  std::vector<EndState> end_states;
  std::vector<Actor> actors;
  Location actors_where;  // the value of `actors:`
  std::vector<MatrixEntry> relations;
  std::vector<MatrixEntry> leverage;
  std::vector<Wish> wishes;
  std::vector<Event> events;
  std::array<double, kEscalationClassCount> class_weights{0, -2, 4, 12, 28, 60};
  std::vector<std::string> files;  // the file given first, then each file it extends
};

// Reads a scenario file (and the chain of files it `extends:`), checks its structure and returns
// it. Throws InputError with every problem found. Names are resolved and checked by `compile`.
Scenario load_scenario(const std::filesystem::path& file);

// As load_scenario, from text (used by tests and the fuzzer). `display_name` appears in errors.
// `extends:` is resolved relative to `base_dir`.
Scenario load_scenario_text(const std::string& text, const std::string& display_name,
                            const std::filesystem::path& base_dir = ".");

const Parameter* find_parameter(const Scenario& s, const std::string& name);

// "did you mean 'x'?" for a name that is not a parameter of `s`: the closest declared parameter,
// else the closest other parameter (the key path of a field holding a number, such as
// `actors.red.resolve`), else "". For names that refer to a scenario's parameters from outside it,
// such as a study's factors.
std::string did_you_mean_parameter(const Scenario& s, std::string_view name);

}  // namespace geosim
