// Tests for compile(): a valid scenario becomes a Model with the expected shape and names in
// declaration order; every semantic error is reported at the value that causes it, with its key
// path, and with a suggestion when the name looks like a typo.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ostream>
#include <string>
#include <vector>

#include "geosim/error.h"
#include "geosim/model.h"
#include "geosim/scenario.h"
#include "load/test_support.h"

namespace {

using geosim::Diagnostic;
using geosim::Model;
using geosim::Scenario;
using geosim::testing_support::compile_errors;
using geosim::testing_support::dump;
using geosim::testing_support::find_diag;
using geosim::testing_support::with;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A valid scenario that uses every kind of reference. Line numbers matter to the tests:
//    5: parameters (first declared: blue_resolve)   11: ladder.start   17: end state talks
//   18: end state war   21: blue.rationality  24-26: blue's actions (talk's min_rung at 26:56)
//   31: red.strike   34: relations   36: leverage   38: wishes   40: event incidents (per: on 43)
//   45: event accident (probability on 47, to_rung on 48)
constexpr const char* kBase = R"(geosim: 1
name: mini
time: {horizon: 10}
parameters:
  blue_resolve: {dist: uniform, low: 0.0, high: 1.0}
  talk_odds: {value: 0.3}
state:
  troops: {initial: 0, min: 0}
  morale: {initial: 1, report: false}
ladder:
  start: calm
  rungs:
    - {name: calm}
    - {name: crisis, danger: 2}
    - {name: war, danger: 6}
end_states:
  talks: {all_chosen: [blue.talk, red.talk], probability: talk_odds}
  war: {rung: war}
actors:
  blue:
    rationality: 2.0
    resolve: blue_resolve
    actions:
      hold: {class: status_quo}
      deploy: {class: posturing, step: 1, effects: [{var: troops, add: 1}]}
      talk: {class: de_escalation, step: -1, min_rung: crisis}
  red:
    rationality: 1.0
    actions:
      hold: {class: status_quo}
      strike: {class: violent_escalation, to_rung: war, requires: [{var: troops, ge: 1}]}
      talk: {class: de_escalation, step: -1, min_rung: crisis}
relations:
  red: {blue: 1.0}
leverage:
  blue: {red: 0.5}
wishes:
  blue: {red.talk: 1.0}
events:
  incidents:
    kind: poisson
    rate: 0.1
    per: troops
    effects: [{var: morale, add: -0.1}]
  accident:
    kind: bernoulli
    probability: 0.01
    to_rung: crisis
)";

// kBase with one more declared parameter, first in `parameters:` (its name at line 5, column 3).
std::string with_param(const std::string& body) {
  return with(kBase, "parameters:\n", "parameters:\n  bad: " + body + "\n");
}

// Compiles kBase with `from` replaced by `to`; expects exactly one error and returns it.
Diagnostic only_error(const std::string& text) {
  const auto ds = compile_errors(text);
  EXPECT_EQ(ds.size(), 1u) << dump(ds);
  return ds.empty() ? Diagnostic{} : ds[0];
}

void expect_at(const Diagnostic& d, int line, int column) {
  EXPECT_EQ(d.where.file, "t.yaml") << d.to_string();
  EXPECT_EQ(d.where.line, line) << d.to_string();
  EXPECT_EQ(d.where.column, column) << d.to_string();
}

// ---------------------------------------------------------------------------------------------
// A valid scenario

TEST(Compile, ValidScenarioHasTheExpectedCounts) {
  const Scenario s = geosim::load_scenario_text(kBase, "t.yaml");
  const Model m = geosim::compile(s);
  EXPECT_EQ(m.horizon, 10);
  EXPECT_EQ(m.tick_days, 7);
  EXPECT_EQ(m.n_actors(), 2);
  EXPECT_EQ(m.n_actions(), 6);
  EXPECT_EQ(m.max_actions_per_actor(), 3);
  EXPECT_EQ(m.n_rungs, 3);
  EXPECT_EQ(m.start_rung, 0);
  EXPECT_EQ(m.n_vars(), 2);
  EXPECT_EQ(m.n_end_states(), 2);
  EXPECT_EQ(m.events.size(), 2u);
  EXPECT_EQ(m.relations.size(), 1u);
  EXPECT_EQ(m.leverage.size(), 1u);
  EXPECT_EQ(m.wishes.size(), 1u);
  EXPECT_EQ(m.conditions.size(), 1u);
  EXPECT_EQ(m.effects.size(), 2u);
  // 2 declared + 35 anonymous (literals and engine defaults), one per numeric field.
  EXPECT_EQ(m.params.size(), 37u);
  EXPECT_EQ(m.params.size(), s.parameters.size());
  EXPECT_EQ(m.param_stream_keys.size(), m.params.size());
  // Indicators: reported state variables (troops; morale has report: false), then one
  // escalation score per actor.
  EXPECT_EQ(m.n_indicators(), 3);
  EXPECT_THAT(m.indicator_vars, ElementsAre(0));
  EXPECT_EQ(m.names.indicator_units.size(), 3u);
}

TEST(Compile, NamesAreInDeclarationOrder) {
  const Model m = geosim::compile(geosim::load_scenario_text(kBase, "t.yaml"));
  EXPECT_EQ(m.names.scenario, "mini");
  EXPECT_THAT(m.names.actors, ElementsAre("blue", "red"));
  EXPECT_THAT(m.names.actions, ElementsAre("blue.hold", "blue.deploy", "blue.talk", "red.hold",
                                           "red.strike", "red.talk"));
  EXPECT_THAT(m.names.rungs, ElementsAre("calm", "crisis", "war"));
  EXPECT_THAT(m.names.end_states, ElementsAre("talks", "war"));
  EXPECT_THAT(m.names.vars, ElementsAre("troops", "morale"));
  EXPECT_THAT(m.names.events, ElementsAre("incidents", "accident"));
  EXPECT_THAT(m.names.indicators,
              ElementsAre("troops", "escalation_score.blue", "escalation_score.red"));
  EXPECT_THAT(m.names.params,
              ElementsAre("blue_resolve", "talk_odds", "state.troops.initial",
                          "state.morale.initial", "ladder.rungs[0].danger",
                          "ladder.rungs[1].danger", "ladder.rungs[2].danger",
                          "end_states.war.probability", "actors.blue.rationality",
                          "actors.blue.risk_tolerance", "actors.blue.capacity",
                          "actors.blue.reciprocity", "actors.blue.actions.hold.cost",
                          "actors.blue.actions.hold.gain", "actors.blue.actions.deploy.cost",
                          "actors.blue.actions.deploy.gain",
                          "actors.blue.actions.deploy.effects[0].add",
                          "actors.blue.actions.talk.cost", "actors.blue.actions.talk.gain",
                          "actors.red.rationality", "actors.red.resolve",
                          "actors.red.risk_tolerance", "actors.red.capacity",
                          "actors.red.reciprocity", "actors.red.actions.hold.cost",
                          "actors.red.actions.hold.gain",
                          "actors.red.actions.strike.requires[0].ge",
                          "actors.red.actions.strike.cost", "actors.red.actions.strike.gain",
                          "actors.red.actions.talk.cost", "actors.red.actions.talk.gain",
                          "relations.red.blue", "leverage.blue.red", "wishes.blue.red.talk",
                          "events.incidents.rate", "events.incidents.effects[0].add",
                          "events.accident.probability"));
}

TEST(Compile, ReferencesResolveToTheRightIndices) {
  const Model m = geosim::compile(geosim::load_scenario_text(kBase, "t.yaml"));
  // Actor ranges.
  EXPECT_EQ(m.actors[0].action_begin, 0);
  EXPECT_EQ(m.actors[0].action_end, 3);
  EXPECT_EQ(m.actors[1].action_begin, 3);
  EXPECT_EQ(m.actors[1].action_end, 6);
  EXPECT_EQ(m.actors[0].resolve, 0);  // the declared parameter blue_resolve
  // blue.talk is available from `crisis` (1) to the top of the ladder (2).
  EXPECT_EQ(m.actions[2].min_rung, 1);
  EXPECT_EQ(m.actions[2].max_rung, 2);
  EXPECT_EQ(m.actions[2].owner, 0);
  // red.strike raises the ladder to `war` and requires troops (variable 0).
  EXPECT_EQ(m.actions[4].move.kind, geosim::RungMove::Kind::to);
  EXPECT_EQ(m.actions[4].move.value, 2);
  ASSERT_EQ(m.actions[4].cond_end - m.actions[4].cond_begin, 1);
  EXPECT_EQ(m.conditions[static_cast<std::size_t>(m.actions[4].cond_begin)].var, 0);
  // The talks end state needs blue.talk (2) and red.talk (5), with probability talk_odds (1).
  const auto& talks = m.end_states[0];
  EXPECT_EQ(talks.kind, geosim::EndState::Kind::all_chosen);
  ASSERT_EQ(talks.action_end - talks.action_begin, 2);
  EXPECT_EQ(m.end_state_actions[static_cast<std::size_t>(talks.action_begin)], 2);
  EXPECT_EQ(m.end_state_actions[static_cast<std::size_t>(talks.action_begin) + 1], 5);
  EXPECT_EQ(talks.probability, 1);
  EXPECT_EQ(m.end_states[1].rung, 2);
  // Matrices and wishes.
  EXPECT_EQ(m.relations[0].row, 1);
  EXPECT_EQ(m.relations[0].col, 0);
  EXPECT_EQ(m.wishes[0].actor, 0);
  EXPECT_EQ(m.wishes[0].action, 5);
  // Events: incidents scale with troops (0); the accident moves the ladder to crisis (1).
  EXPECT_EQ(m.events[0].per_var, 0);
  EXPECT_EQ(m.events[1].move.value, 1);
}

TEST(Compile, UnqualifiedActionNameResolvesWhenUnique) {
  const std::string text = with(kBase, "all_chosen: [blue.talk, red.talk]", "all_chosen: [deploy]");
  const Model m = geosim::compile(geosim::load_scenario_text(text, "t.yaml"));
  ASSERT_EQ(m.end_state_actions.size(), 1u);
  EXPECT_EQ(m.end_state_actions[0], 1);  // blue.deploy
}

// ---------------------------------------------------------------------------------------------
// Names that do not resolve

TEST(Compile, UnknownParameterSuggestsDeclaredParameter) {
  const Diagnostic d = only_error(with(kBase, "resolve: blue_resolve", "resolve: blue_resolv"));
  expect_at(d, 22, 14);
  EXPECT_EQ(d.key_path, "actors.blue.resolve");
  EXPECT_EQ(d.message,
            "expected a number or the name of a declared parameter, got 'blue_resolv' (no such "
            "parameter)");
  EXPECT_EQ(d.hint, "did you mean 'blue_resolve'?");
  EXPECT_EQ(d.to_string(),
            "t.yaml:22:14: error: actors.blue.resolve: expected a number or the name of a declared "
            "parameter, got 'blue_resolv' (no such parameter) (did you mean 'blue_resolve'?)");
}

TEST(Compile, UnknownParameterIsNotMatchedToAnInlineValue) {
  // Only declared parameters are suggested; anonymous key-path names are not.
  const Diagnostic d =
      only_error(with(kBase, "probability: talk_odds", "probability: talk_oddz"));
  expect_at(d, 17, 59);
  EXPECT_EQ(d.key_path, "end_states.talks.probability");
  EXPECT_EQ(d.hint, "did you mean 'talk_odds'?");
  const Diagnostic far = only_error(with(kBase, "resolve: blue_resolve", "resolve: zebra"));
  EXPECT_EQ(far.hint, "");
}

TEST(Compile, UnknownStateVariableInAnEffect) {
  const Diagnostic d = only_error(with(kBase, "[{var: troops, add: 1}]", "[{var: trops, add: 1}]"));
  expect_at(d, 25, 59);  // the value of `var:`
  EXPECT_EQ(d.key_path, "actors.blue.actions.deploy.effects[0].var");
  EXPECT_EQ(d.message, "expected the name of a state variable, got 'trops' (no such state variable)");
  EXPECT_EQ(d.hint, "did you mean 'troops'?");
}

TEST(Compile, UnknownStateVariableInACondition) {
  const Diagnostic d = only_error(with(kBase, "[{var: troops, ge: 1}]", "[{var: troop, ge: 1}]"));
  expect_at(d, 31, 74);  // the value of `var:`
  EXPECT_EQ(d.key_path, "actors.red.actions.strike.requires[0].var");
  EXPECT_EQ(d.message, "expected the name of a state variable, got 'troop' (no such state variable)");
  EXPECT_EQ(d.hint, "did you mean 'troops'?");
}

TEST(Compile, UnknownStateVariableInPer) {
  const Diagnostic d = only_error(with(kBase, "per: troops", "per: troopz"));
  expect_at(d, 43, 10);  // the value of `per:`
  EXPECT_EQ(d.key_path, "events.incidents.per");
  EXPECT_EQ(d.message, "expected the name of a state variable, got 'troopz' (no such state variable)");
  EXPECT_EQ(d.hint, "did you mean 'troops'?");
}

TEST(Compile, UnknownStateVariableInTimesAndUtility) {
  {
    const Diagnostic d = only_error(with(kBase, "[{var: troops, add: 1}]",
                                         "[{var: troops, add: 1, times: moral}]"));
    EXPECT_EQ(d.key_path, "actors.blue.actions.deploy.effects[0].times");
    EXPECT_EQ(d.hint, "did you mean 'morale'?");
  }
  {
    const Diagnostic d = only_error(with(kBase, "{class: status_quo}\n      deploy",
                                         "{class: status_quo, utility: [{var: casualties, weight: 1}]}\n"
                                         "      deploy"));
    EXPECT_EQ(d.key_path, "actors.blue.actions.hold.utility[0].var");
    EXPECT_EQ(d.message,
              "expected the name of a state variable, got 'casualties' (no such state variable)");
    EXPECT_EQ(d.hint, "known state variables: troops, morale");
  }
}

TEST(Compile, StateVariableNamesAreLocatedAtTheirValue) {
  {  // `times:` (line 25: `deploy: {..., effects: [{var: troops, add: 1, times: moral}]}`)
    const Diagnostic d = only_error(with(kBase, "[{var: troops, add: 1}]",
                                         "[{var: troops, add: 1, times: moral}]"));
    expect_at(d, 25, 82);
    EXPECT_EQ(d.key_path, "actors.blue.actions.deploy.effects[0].times");
  }
  {  // A utility term's `var:`.
    const Diagnostic d = only_error(with(kBase, "hold: {class: status_quo}\n      deploy",
                                         "hold: {class: status_quo, utility: [{var: moral, weight: 1}]}\n"
                                         "      deploy"));
    expect_at(d, 24, 49);
    EXPECT_EQ(d.key_path, "actors.blue.actions.hold.utility[0].var");
  }
  {  // An end state's `state:` condition.
    const Diagnostic d = only_error(with(kBase, "war: {rung: war}", "war: {state: [{var: moral, ge: 1}]}"));
    expect_at(d, 18, 23);
    EXPECT_EQ(d.key_path, "end_states.war.state[0].var");
    EXPECT_EQ(d.hint, "did you mean 'morale'?");
  }
}

TEST(Compile, StateVariableUsedAsAParameterSaysSo) {
  const Diagnostic d = only_error(with(kBase, "resolve: blue_resolve", "resolve: troops"));
  expect_at(d, 22, 14);
  EXPECT_EQ(d.message,
            "expected a number or the name of a declared parameter, got 'troops' (no such parameter)");
  EXPECT_EQ(d.hint, "'troops' is a state variable; numeric fields take parameters");
}

TEST(Compile, UnknownRungInMinRung) {
  const Diagnostic d = only_error(
      with(kBase, "talk: {class: de_escalation, step: -1, min_rung: crisis}\n  red:",
           "talk: {class: de_escalation, step: -1, min_rung: crsis}\n  red:"));
  expect_at(d, 26, 56);  // the value of `min_rung:`
  EXPECT_EQ(d.key_path, "actors.blue.actions.talk.min_rung");
  EXPECT_EQ(d.message, "expected the name of a rung, got 'crsis' (no such rung)");
  EXPECT_EQ(d.hint, "did you mean 'crisis'?");
}

TEST(Compile, UnknownRungInAnEventMaxRung) {
  const Diagnostic d =
      only_error(with(kBase, "    to_rung: crisis\n", "    to_rung: crisis\n    max_rung: crsis\n"));
  expect_at(d, 49, 15);  // the value of `max_rung:`
  EXPECT_EQ(d.key_path, "events.accident.max_rung");
  EXPECT_EQ(d.message, "expected the name of a rung, got 'crsis' (no such rung)");
  EXPECT_EQ(d.hint, "did you mean 'crisis'?");
}

TEST(Compile, UnknownRungInToRung) {
  const Diagnostic d = only_error(with(kBase, "to_rung: war,", "to_rung: wr,"));
  expect_at(d, 31, 52);
  EXPECT_EQ(d.key_path, "actors.red.actions.strike.to_rung");
  EXPECT_EQ(d.message, "expected the name of a rung, got 'wr' (no such rung)");
  EXPECT_EQ(d.hint, "did you mean 'war'?");
}

TEST(Compile, UnknownRungInAnEventToRung) {
  const Diagnostic d = only_error(with(kBase, "    to_rung: crisis\n", "    to_rung: crises\n"));
  expect_at(d, 48, 14);
  EXPECT_EQ(d.key_path, "events.accident.to_rung");
  EXPECT_EQ(d.hint, "did you mean 'crisis'?");
}

TEST(Compile, UnknownRungInAnEndState) {
  const Diagnostic d = only_error(with(kBase, "war: {rung: war}", "war: {rung: warr}"));
  expect_at(d, 18, 15);  // the value of `rung:`
  EXPECT_EQ(d.key_path, "end_states.war.rung");
  EXPECT_EQ(d.message, "expected the name of a rung, got 'warr' (no such rung)");
  EXPECT_EQ(d.hint, "did you mean 'war'?");
}

TEST(Compile, UnknownStartRung) {
  const Diagnostic d = only_error(with(kBase, "start: calm", "start: clam"));
  expect_at(d, 11, 10);  // the value of `start:`
  EXPECT_EQ(d.key_path, "ladder.start");
  EXPECT_EQ(d.message, "expected the name of a rung, got 'clam' (no such rung)");
  EXPECT_EQ(d.hint, "did you mean 'calm'?");
  EXPECT_EQ(d.to_string(),
            "t.yaml:11:10: error: ladder.start: expected the name of a rung, got 'clam' (no such "
            "rung) (did you mean 'calm'?)");
}

TEST(Compile, UnknownStartRungIsLocated) {
  {  // Block style.
    const Diagnostic d = only_error(with(kBase, "  start: calm\n", "  start: peace\n"));
    expect_at(d, 11, 10);
    EXPECT_EQ(d.hint, "known rungs: calm, crisis, war");
  }
  {  // Flow style, start after rungs.
    const Diagnostic d = only_error(
        with(kBase,
             "ladder:\n  start: calm\n  rungs:\n    - {name: calm}\n    - {name: crisis, danger: 2}\n"
             "    - {name: war, danger: 6}\n",
             "ladder: {rungs: [{name: calm}, {name: crisis, danger: 2}, {name: war, danger: 6}], "
             "start: clam}\n"));
    expect_at(d, 10, 91);
    EXPECT_EQ(d.key_path, "ladder.start");
  }
}

TEST(Compile, UnknownActorInRelations) {
  const Diagnostic d = only_error(with(kBase, "red: {blue: 1.0}", "red: {blu: 1.0}"));
  expect_at(d, 34, 9);
  EXPECT_EQ(d.key_path, "relations.red.blu");
  EXPECT_THAT(d.message, HasSubstr("got 'blu' (no such actor)"));
  EXPECT_EQ(d.hint, "did you mean 'blue'?");
}

TEST(Compile, UnknownActorInRelationsRow) {
  // Reported once, at the row's key, not at each entry of the row.
  const Diagnostic d = only_error(with(kBase, "  red: {blue: 1.0}", "  rde: {blue: 1.0, red: 0.5}"));
  expect_at(d, 34, 3);
  EXPECT_EQ(d.key_path, "relations.rde");
  EXPECT_THAT(d.message, HasSubstr("got 'rde' (no such actor)"));
  EXPECT_EQ(d.hint, "did you mean 'red'?");
}

TEST(Compile, UnknownActorInLeverage) {
  const Diagnostic d = only_error(with(kBase, "blue: {red: 0.5}", "blue: {rd: 0.5}"));
  expect_at(d, 36, 10);
  EXPECT_EQ(d.key_path, "leverage.blue.rd");
  EXPECT_THAT(d.message, HasSubstr("got 'rd' (no such actor)"));
  EXPECT_EQ(d.hint, "did you mean 'red'?");
}

TEST(Compile, UnknownActorInWishes) {
  const Diagnostic d = only_error(with(kBase, "  blue: {red.talk: 1.0}", "  bleu: {red.talk: 1.0}"));
  expect_at(d, 38, 3);  // the actor's key
  EXPECT_EQ(d.key_path, "wishes.bleu");
  EXPECT_THAT(d.message, HasSubstr("got 'bleu' (no such actor)"));
  EXPECT_EQ(d.hint, "did you mean 'blue'?");
}

TEST(Compile, UnknownActionInWishes) {
  const Diagnostic d = only_error(with(kBase, "blue: {red.talk: 1.0}", "blue: {red.tlak: 1.0}"));
  expect_at(d, 38, 10);
  EXPECT_EQ(d.key_path, "wishes.blue.red.tlak");
  EXPECT_THAT(d.message, HasSubstr("got 'red.tlak'"));
  EXPECT_EQ(d.hint, "did you mean 'red.talk'?");
}

TEST(Compile, UnknownActorMessagesAreGrammatical) {
  {
    const Diagnostic d = only_error(with(kBase, "red: {blue: 1.0}", "red: {blu: 1.0}"));
    EXPECT_EQ(d.message, "expected the name of an actor, got 'blu' (no such actor)");
    EXPECT_EQ(d.hint, "did you mean 'blue'?");
  }
  {  // No close match: the known actors are listed.
    const Diagnostic d = only_error(with(kBase, "red: {blue: 1.0}", "red: {green: 1.0}"));
    EXPECT_EQ(d.message, "expected the name of an actor, got 'green' (no such actor)");
    EXPECT_EQ(d.hint, "known actors: blue, red");
  }
  {
    const Diagnostic d = only_error(
        with(kBase, "all_chosen: [blue.talk, red.talk]", "all_chosen: [blue.talk, zz.qq]"));
    EXPECT_EQ(d.message,
              "expected the name of an action (written actor.action), got 'zz.qq' (no such action)");
    EXPECT_EQ(d.hint,
              "known actions: blue.hold, blue.deploy, blue.talk, red.hold, red.strike, red.talk");
  }
  {
    const Diagnostic d = only_error(with(kBase, "war: {rung: war}", "war: {rung: peace}"));
    EXPECT_EQ(d.message, "expected the name of a rung, got 'peace' (no such rung)");
    EXPECT_EQ(d.hint, "known rungs: calm, crisis, war");
  }
}

TEST(Compile, UnknownActionInAnEndStateSuggestsTheClosest) {
  const Diagnostic d =
      only_error(with(kBase, "all_chosen: [blue.talk, red.talk]", "all_chosen: [blue.talk, red.tlak]"));
  expect_at(d, 17, 35);  // the list item itself
  EXPECT_EQ(d.key_path, "end_states.talks.all_chosen[1]");
  EXPECT_EQ(d.message,
            "expected the name of an action (written actor.action), got 'red.tlak' (no such action)");
  EXPECT_EQ(d.hint, "did you mean 'red.talk'?");
}

TEST(Compile, MisspeltUnqualifiedActionSuggestsTheFullName) {
  {
    const Diagnostic d = only_error(
        with(kBase, "all_chosen: [blue.talk, red.talk]", "all_chosen: [blue.talk, strik]"));
    expect_at(d, 17, 35);
    EXPECT_EQ(d.key_path, "end_states.talks.all_chosen[1]");
    EXPECT_EQ(d.message,
              "expected the name of an action (written actor.action), got 'strik' (no such action)");
    EXPECT_EQ(d.hint, "did you mean 'red.strike'?");
  }
  {  // Both actors have a `talk`.
    const Diagnostic d = only_error(with(kBase, "blue: {red.talk: 1.0}", "blue: {tlak: 1.0}"));
    EXPECT_EQ(d.key_path, "wishes.blue.tlak");
    EXPECT_EQ(d.hint, "did you mean 'blue.talk' or 'red.talk'?");
  }
}

TEST(Compile, AllChosenOfOneActorsActionsCanNeverHappen) {
  const Diagnostic d = only_error(
      with(kBase, "all_chosen: [blue.talk, red.talk]", "all_chosen: [blue.talk, blue.hold]"));
  expect_at(d, 17, 35);
  EXPECT_EQ(d.key_path, "end_states.talks.all_chosen[1]");
  EXPECT_EQ(d.message,
            "expected actions of different actors, got 'blue.talk' and 'blue.hold', both blue's "
            "(this end state can never happen)");
  EXPECT_EQ(d.hint, "an actor chooses one action a tick; list one action per actor, or use any_chosen");
  // any_chosen of one actor's actions is fine.
  const Scenario s = geosim::load_scenario_text(
      with(kBase, "all_chosen: [blue.talk, red.talk]", "any_chosen: [blue.talk, blue.hold]"), "t.yaml");
  EXPECT_NO_THROW((void)geosim::compile(s));
}

TEST(Compile, AmbiguousUnqualifiedActionIsRejected) {
  // `talk` is both blue.talk and red.talk.
  const Diagnostic d =
      only_error(with(kBase, "all_chosen: [blue.talk, red.talk]", "all_chosen: [talk]"));
  expect_at(d, 17, 24);
  EXPECT_EQ(d.key_path, "end_states.talks.all_chosen[0]");
  EXPECT_EQ(d.message, "expected an action written actor.action, got 'talk', which several actors have");
  EXPECT_EQ(d.hint, "write 'blue.talk' or 'red.talk'");
}

TEST(Compile, MinRungAboveMaxRungIsRejected) {
  const Diagnostic d = only_error(
      with(kBase, "talk: {class: de_escalation, step: -1, min_rung: crisis}\n  red:",
           "talk: {class: de_escalation, step: -1, min_rung: war, max_rung: crisis}\n  red:"));
  expect_at(d, 26, 56);  // the value of `min_rung:`
  EXPECT_EQ(d.key_path, "actors.blue.actions.talk.min_rung");
  EXPECT_EQ(d.message,
            "expected min_rung at or below max_rung on the ladder, got min_rung 'war' above "
            "max_rung 'crisis'");
  EXPECT_EQ(d.hint, "the ladder's rungs are listed lowest first");
}

TEST(Compile, MinRungAboveMaxRungInAnEvent) {
  const Diagnostic d = only_error(
      with(kBase, "    to_rung: crisis\n", "    to_rung: crisis\n    min_rung: war\n    max_rung: calm\n"));
  expect_at(d, 49, 15);  // the value of `min_rung:`
  EXPECT_EQ(d.key_path, "events.accident.min_rung");
  EXPECT_EQ(d.message,
            "expected min_rung at or below max_rung on the ladder, got min_rung 'war' above "
            "max_rung 'calm'");
  EXPECT_EQ(d.hint, "the ladder's rungs are listed lowest first");
}

TEST(Compile, DuplicateRungNameIsRejected) {
  const Diagnostic d = only_error(with(kBase, "    - {name: war, danger: 6}\n",
                                       "    - {name: war, danger: 6}\n    - {name: crisis, danger: 9}\n"));
  expect_at(d, 16, 14);  // the value of `name:`
  EXPECT_EQ(d.key_path, "ladder.rungs[3].name");
  EXPECT_EQ(d.message, "duplicate rung name 'crisis'");
}

// ---------------------------------------------------------------------------------------------
// Distributions

struct DistCase {
  const char* body;
  const char* message;
};
void PrintTo(const DistCase& c, std::ostream* os) { *os << c.body; }

class CompileDistribution : public ::testing::TestWithParam<DistCase> {};

TEST_P(CompileDistribution, IsRejectedAtTheParameter) {
  const Diagnostic d = only_error(with_param(GetParam().body));
  expect_at(d, 5, 3);
  EXPECT_EQ(d.key_path, "parameters.bad");
  EXPECT_EQ(d.message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Compile, CompileDistribution,
    ::testing::Values(
        DistCase{"{dist: uniform, low: 1, high: 1}",
                 "uniform: expected low < high, got low = 1 and high = 1"},
        DistCase{"{dist: uniform, low: 2, high: 1}",
                 "uniform: expected low < high, got low = 2 and high = 1"},
        DistCase{"{dist: normal, mean: 0, sd: 0}", "normal: expected sd > 0, got sd = 0"},
        DistCase{"{dist: normal, mean: 0, sd: -1.5}", "normal: expected sd > 0, got sd = -1.5"},
        DistCase{"{dist: lognormal, mu: 0, sigma: 0}",
                 "lognormal: expected sigma > 0, got sigma = 0"},
        DistCase{"{dist: beta, alpha: 0, beta: 2}",
                 "beta: expected alpha > 0 and beta > 0, got alpha = 0 and beta = 2"},
        DistCase{"{dist: beta, alpha: 2, beta: -1}",
                 "beta: expected alpha > 0 and beta > 0, got alpha = 2 and beta = -1"},
        DistCase{"{dist: triangular, low: 0, mode: 5, high: 1}",
                 "triangular: expected low <= mode <= high, got mode = 5 outside [0, 1]"},
        DistCase{"{dist: triangular, low: 0, mode: -0.5, high: 1}",
                 "triangular: expected low <= mode <= high, got mode = -0.5 outside [0, 1]"},
        DistCase{"{dist: triangular, low: 1, mode: 1, high: 1}",
                 "triangular: expected low < high, got low = 1 and high = 1"},
        DistCase{"{dist: choice, values: [1, 2], weights: [1, -1]}",
                 "choice: expected weights >= 0, got -1"},
        DistCase{"{dist: choice, values: [1, 2], weights: [0, 0]}",
                 "choice: expected weights that are not all zero"},
        DistCase{"{dist: choice, values: [1, 2, 3], weights: [1, 1]}",
                 "choice: expected as many weights as values, got 3 values and 2 weights"},
        DistCase{"{dist: choice, values: [], weights: []}",
                 "choice: expected at least one value in 'values'"}));

TEST(Compile, ValidDistributionsCompile) {
  for (const std::string body :
       {"{dist: uniform, low: -1, high: 1}", "{dist: normal, mean: 0, sd: 0.1}",
        "{dist: lognormal, mu: 0, sigma: 0.5}", "{dist: beta, alpha: 2, beta: 5}",
        "{dist: triangular, low: 0, mode: 0, high: 1}", "{dist: triangular, low: 0, mode: 1, high: 1}",
        "{dist: choice, values: [1, 2], weights: [0, 1]}", "{value: -3}"}) {
    SCOPED_TRACE(body);
    EXPECT_NO_THROW((void)geosim::compile(geosim::load_scenario_text(with_param(body), "t.yaml")));
  }
}

// Weights are relative: huge finite weights whose sum overflows to inf must still share the draws
// as their ratios say (summed as they were, the first value's cumulative share was 1e308 / inf = 0
// and it was never drawn).
TEST(Compile, ChoiceWeightsWhoseSumOverflowsKeepTheirRatios) {
  const Model m = geosim::compile(geosim::load_scenario_text(
      with_param("{dist: choice, values: [1, 2, 3], weights: [1e308, 1e308, 0]}"), "t.yaml"));
  const auto it = std::find(m.names.params.begin(), m.names.params.end(), "bad");
  ASSERT_NE(it, m.names.params.end());
  const auto& d = m.params[static_cast<std::size_t>(it - m.names.params.begin())];
  ASSERT_EQ(d.choice_end - d.choice_begin, 3);
  const auto b = static_cast<std::size_t>(d.choice_begin);
  EXPECT_EQ(m.choice_cdf[b], 0.5);
  EXPECT_EQ(m.choice_cdf[b + 1], 1.0);
  EXPECT_EQ(m.choice_cdf[b + 2], 1.0);
  std::vector<double> row(m.params.size());
  int ones = 0;
  const int n = 4000;
  for (int i = 0; i < n; ++i) {
    geosim::sample_parameters(m, 7, static_cast<std::uint64_t>(i), row.data());
    ones += row[static_cast<std::size_t>(it - m.names.params.begin())] == 1.0 ? 1 : 0;
  }
  EXPECT_NEAR(ones, n / 2, 4 * std::sqrt(n * 0.25));  // 4 standard errors
}

// A scenario within the loader's limits whose run tables would not fit in memory (a ladder of
// thousands of rungs times thousands of actions; thousands of rungs times ten thousand ticks) is
// refused by compile with the sizes, at the ladder or the horizon: it used to compile, and `geosim
// run` then took every gigabyte of the machine (and overflowed the 32-bit table indices).
std::string sized_scenario(int rungs, int actions, int horizon) {
  std::string s = fmt::format("geosim: 1\nname: big\ntime: {{horizon: {}}}\nladder:\n  rungs:\n", horizon);
  for (int i = 0; i < rungs; ++i) s += fmt::format("    - {{name: r{}}}\n", i);
  s += "actors:\n  a:\n    rationality: 1\n    actions:\n";
  for (int i = 0; i < actions; ++i) s += fmt::format("      x{}: {{class: status_quo}}\n", i);
  return s;
}

TEST(Compile, AScenarioTooLargeToRunIsRefusedWithItsSizes) {
  const auto ladder = compile_errors(sized_scenario(3000, 3000, 10));
  ASSERT_EQ(ladder.size(), 1u) << dump(ladder);
  EXPECT_EQ(ladder[0].key_path, "ladder.rungs");
  EXPECT_EQ(ladder[0].where.line, 6);  // the list of rungs
  EXPECT_EQ(ladder[0].where.column, 5);
  EXPECT_EQ(ladder[0].message,
            "expected a scenario whose ladder tables fit in memory, got 3000 rungs x (3000 actions "
            "+ 0 events) = 9000000 entries (the limit is 8388608)");

  const auto ticks = compile_errors(sized_scenario(500, 1, 10000));
  ASSERT_EQ(ticks.size(), 1u) << dump(ticks);
  EXPECT_EQ(ticks[0].key_path, "time.horizon");
  EXPECT_EQ(ticks[0].where.line, 3);
  EXPECT_EQ(ticks[0].where.column, 17);
  EXPECT_EQ(ticks[0].message,
            "expected a scenario whose per-tick results fit in memory, got 10001 ticks x 502 "
            "rungs, end states and indicators = 5020502 entries (the limit is 4194304)");

  // Large but sensible: 50 rungs, 2,000 actions, 10,000 ticks.
  EXPECT_NO_THROW((void)geosim::compile(geosim::load_scenario_text(sized_scenario(50, 2000, 10000), "t.yaml")));
}

TEST(Compile, InlineDistributionErrorIsAtTheField) {
  const auto ds = compile_errors(
      with(kBase, "rationality: 2.0", "rationality: {dist: uniform, low: 3, high: 2}"));
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  expect_at(ds[0], 21, 18);
  EXPECT_EQ(ds[0].key_path, "actors.blue.rationality");
  EXPECT_EQ(ds[0].message, "uniform: expected low < high, got low = 3 and high = 2");
}

// ---------------------------------------------------------------------------------------------
// Domains

TEST(Compile, BernoulliProbabilityAboveOneIsRejected) {
  const Diagnostic d = only_error(with(kBase, "probability: 0.01", "probability: 1.2"));
  expect_at(d, 47, 18);
  EXPECT_EQ(d.key_path, "events.accident.probability");
  EXPECT_EQ(d.message, "expected a probability in [0, 1], got 1.2");
}

TEST(Compile, ProbabilityGivenByANormalDistributionIsRejected) {
  {  // A declared parameter: the message names it.
    std::string text = with_param("{dist: normal, mean: 0.5, sd: 0.1}");
    text = with(text, "probability: 0.01", "probability: bad");
    const Diagnostic d = only_error(text);
    expect_at(d, 48, 18);
    EXPECT_EQ(d.key_path, "events.accident.probability");
    EXPECT_EQ(d.message,
              "expected a probability in [0, 1], got a normal distribution (unbounded) (parameter "
              "'bad')");
  }
  {  // Inline.
    const Diagnostic d = only_error(
        with(kBase, "probability: 0.01", "probability: {dist: normal, mean: 0.5, sd: 0.1}"));
    expect_at(d, 47, 18);
    EXPECT_EQ(d.message, "expected a probability in [0, 1], got a normal distribution (unbounded)");
  }
  {  // A uniform distribution reaching above 1.
    const Diagnostic d = only_error(
        with(kBase, "probability: 0.01", "probability: {dist: uniform, low: 0.5, high: 1.5}"));
    EXPECT_EQ(d.message, "expected a probability in [0, 1], got a uniform distribution");
  }
}

TEST(Compile, ProbabilityWithinZeroOneIsAccepted) {
  for (const std::string v : {"0", "1", "{dist: beta, alpha: 2, beta: 3}",
                              "{dist: uniform, low: 0, high: 1}",
                              "{dist: choice, values: [0, 0.5], weights: [1, 1]}"}) {
    SCOPED_TRACE(v);
    EXPECT_NO_THROW((void)geosim::compile(
        geosim::load_scenario_text(with(kBase, "probability: 0.01", "probability: " + v), "t.yaml")));
  }
}

TEST(Compile, EndStateProbabilityAboveOneIsRejectedAtTheUse) {
  const Diagnostic d = only_error(with(kBase, "talk_odds: {value: 0.3}", "talk_odds: {value: 1.5}"));
  expect_at(d, 17, 59);
  EXPECT_EQ(d.key_path, "end_states.talks.probability");
  EXPECT_EQ(d.message, "expected a probability in [0, 1], got 1.5 (parameter 'talk_odds')");
}

TEST(Compile, RiskToleranceOutsideZeroOneIsRejected) {
  for (const std::string v : {"1.5", "-0.1"}) {
    SCOPED_TRACE(v);
    const Diagnostic d = only_error(
        with(kBase, "    rationality: 2.0\n", "    rationality: 2.0\n    risk_tolerance: " + v + "\n"));
    expect_at(d, 22, 21);
    EXPECT_EQ(d.key_path, "actors.blue.risk_tolerance");
    EXPECT_EQ(d.message, "expected a value in [0, 1], got " + v);
  }
}

TEST(Compile, CapacityNotPositiveIsRejected) {
  for (const std::string v : {"0", "-1"}) {
    SCOPED_TRACE(v);
    const Diagnostic d = only_error(
        with(kBase, "    rationality: 2.0\n", "    rationality: 2.0\n    capacity: " + v + "\n"));
    expect_at(d, 22, 15);
    EXPECT_EQ(d.key_path, "actors.blue.capacity");
    EXPECT_EQ(d.message, "expected a value > 0, got " + v);
  }
  {  // A distribution that can reach 0.
    const Diagnostic d = only_error(with(
        kBase, "    rationality: 2.0\n", "    rationality: 2.0\n    capacity: {dist: uniform, low: 0, high: 1}\n"));
    EXPECT_EQ(d.key_path, "actors.blue.capacity");
    EXPECT_EQ(d.message, "expected a value > 0, got a uniform distribution");
  }
}

TEST(Compile, NormalCapacityHintGivesALognormalWithTheSameMeanAndSd) {
  const Diagnostic d = only_error(with(kBase, "    rationality: 2.0\n",
                                       "    rationality: 2.0\n    capacity: {dist: normal, mean: 1, "
                                       "sd: 0.2}\n"));
  expect_at(d, 22, 15);
  EXPECT_EQ(d.key_path, "actors.blue.capacity");
  EXPECT_EQ(d.message, "expected a value > 0, got a normal distribution (unbounded)");
  // sigma^2 = log(1 + (0.2/1)^2) = 0.03922, mu = log(1) - sigma^2/2 = -0.01961.
  EXPECT_EQ(d.hint,
            "for an uncertain positive value use a lognormal distribution: {dist: lognormal, mu: "
            "-0.0196, sigma: 0.198} has this mean and sd");
}

TEST(Compile, NormalCapacityWithoutAPositiveMeanHintsAtTheLognormalsArguments) {
  const Diagnostic d = only_error(with(kBase, "    rationality: 2.0\n",
                                       "    rationality: 2.0\n    capacity: {dist: normal, mean: 0, "
                                       "sd: 0.2}\n"));
  EXPECT_EQ(d.hint,
            "for an uncertain positive value use a lognormal distribution: {dist: lognormal, mu: "
            "..., sigma: ...} (the mean and sd of the value's logarithm)");
}

TEST(Compile, LognormalCapacityIsAccepted) {
  // What the hint above suggests must compile: a lognormal draw is always > 0.
  for (const std::string v : {"{dist: lognormal, mu: -0.0196, sigma: 0.198}",
                              "{dist: lognormal, mu: 0, sigma: 3}"}) {
    SCOPED_TRACE(v);
    EXPECT_NO_THROW((void)geosim::compile(geosim::load_scenario_text(
        with(kBase, "    rationality: 2.0\n", "    rationality: 2.0\n    capacity: " + v + "\n"),
        "t.yaml")));
  }
}

TEST(Compile, BetaCapacityIsRejected) {
  // A beta's support includes 0.
  const Diagnostic d = only_error(with(kBase, "    rationality: 2.0\n",
                                       "    rationality: 2.0\n    capacity: {dist: beta, alpha: 2, "
                                       "beta: 2}\n"));
  EXPECT_EQ(d.message, "expected a value > 0, got a beta distribution");
}

TEST(Compile, OtherDomainsAreChecked) {
  {
    const Diagnostic d = only_error(with(kBase, "rationality: 2.0", "rationality: -1"));
    EXPECT_EQ(d.key_path, "actors.blue.rationality");
    EXPECT_EQ(d.message, "expected a value >= 0, got -1");
  }
  {
    const Diagnostic d = only_error(with(kBase, "rate: 0.1", "rate: -0.1"));
    EXPECT_EQ(d.key_path, "events.incidents.rate");
    EXPECT_EQ(d.message, "expected a value >= 0, got -0.1");
  }
  {
    const Diagnostic d = only_error(with(kBase, "red: {blue: 1.0}", "red: {blue: 1.5}"));
    EXPECT_EQ(d.key_path, "relations.red.blue");
    EXPECT_EQ(d.message, "expected a value in [-1, 1], got 1.5");
  }
  {
    const Diagnostic d = only_error(with(kBase, "troops: {initial: 0, min: 0}",
                                         "troops: {initial: 0, min: 5, max: 1}"));
    expect_at(d, 8, 3);
    EXPECT_EQ(d.key_path, "state.troops");
    EXPECT_EQ(d.message, "expected min <= max, got min = 5 and max = 1");
  }
}

// ---------------------------------------------------------------------------------------------
// Structure that only makes sense with names resolved

TEST(Compile, WishAboutOwnActionIsRejected) {
  const Diagnostic d = only_error(with(kBase, "blue: {red.talk: 1.0}", "blue: {blue.talk: 1.0}"));
  expect_at(d, 38, 10);
  EXPECT_EQ(d.key_path, "wishes.blue.blue.talk");
  EXPECT_EQ(d.message,
            "expected a wish about another actor's action (an actor's own preferences are its "
            "action's gain)");
}

TEST(Compile, RelationBetweenAnActorAndItselfIsRejected) {
  const Diagnostic d = only_error(with(kBase, "red: {blue: 1.0}", "red: {red: 1.0}"));
  expect_at(d, 34, 9);
  EXPECT_EQ(d.key_path, "relations.red.red");
  EXPECT_EQ(d.message, "expected two different actors, got the same actor twice");
}

TEST(Compile, LeverageOverItselfIsRejected) {
  const Diagnostic d = only_error(with(kBase, "blue: {red: 0.5}", "blue: {blue: 0.5}"));
  EXPECT_EQ(d.key_path, "leverage.blue.blue");
  EXPECT_EQ(d.message, "expected two different actors, got the same actor twice");
}

TEST(Compile, ActorWithoutActionsIsRejected) {
  for (const std::string actions : {"    actions: {}\n", "    actions:\n"}) {
    SCOPED_TRACE(actions);
    const Diagnostic d = only_error(
        with(kBase, "relations:\n", "  green:\n    rationality: 1.0\n" + actions + "relations:\n"));
    expect_at(d, 33, 3);
    EXPECT_EQ(d.key_path, "actors.green.actions");
    EXPECT_EQ(d.message, "expected at least one action, got none");
  }
}

TEST(Compile, ActorWithoutActionsKeyIsRejectedAtLoad) {
  const auto ds = geosim::testing_support::load_errors(
      with(kBase, "relations:\n", "  green:\n    rationality: 1.0\nrelations:\n"));
  const Diagnostic* d = find_diag(ds, "actors.green.actions");
  ASSERT_NE(d, nullptr) << dump(ds);
  EXPECT_EQ(d->message, "missing required key (expected the actor's actions)");
}

TEST(Compile, EmptyLadderAndNoActorsAreRejected) {
  const std::string text = "geosim: 1\nname: bare\ntime: {horizon: 3}\nladder: {rungs: []}\nactors: {}\n";
  const auto ds = compile_errors(text, "bare.yaml");
  ASSERT_EQ(ds.size(), 2u) << dump(ds);
  const Diagnostic* rungs = find_diag(ds, "ladder.rungs");
  EXPECT_AT(rungs, "bare.yaml", 4, 17);  // the empty list
  EXPECT_EQ(rungs->message, "expected at least one rung, got none");
  const Diagnostic* actors = find_diag(ds, "actors");
  EXPECT_AT(actors, "bare.yaml", 5, 9);
  EXPECT_EQ(actors->message, "expected at least one actor, got none");
}

TEST(Compile, EmptyLadderIsReportedOnceWithoutFollowOnErrors) {
  // Every rung name in kBase (start, min_rung, to_rung, an end state's rung) would be unknown.
  const Diagnostic d = only_error(with(
      kBase, "  rungs:\n    - {name: calm}\n    - {name: crisis, danger: 2}\n    - {name: war, danger: 6}\n",
      "  rungs: []\n"));
  expect_at(d, 12, 10);
  EXPECT_EQ(d.key_path, "ladder.rungs");
}

// The "did you mean" search is skipped once the error list is full: thousands of unknown names
// among thousands of declared ones must not take minutes.
TEST(Compile, ThousandsOfUnknownReferencesAreRejectedQuickly) {
  constexpr int kN = 4000;
  std::string text = "geosim: 1\nname: big\ntime: {horizon: 10}\nparameters:\n";
  for (int i = 0; i < kN; ++i) text += fmt::format("  declared_parameter_{:04d}: {{value: 1}}\n", i);
  text += "state:\n";
  for (int i = 0; i < kN; ++i) text += fmt::format("  v{}: {{initial: declared_parameter_{:04d}x}}\n", i, i);
  text += "ladder: {rungs: [{name: calm}]}\nactors:\n  blue:\n    rationality: 1\n"
          "    actions: {hold: {class: status_quo}}\n";
  std::vector<Diagnostic> ds;
  const auto t0 = std::chrono::steady_clock::now();
  ds = compile_errors(text, "big.yaml");
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - t0;
  ASSERT_EQ(ds.size(), 51u);  // 50 shown and a line counting the rest
  EXPECT_EQ(ds[0].hint, "did you mean 'declared_parameter_0000'?");
  EXPECT_EQ(ds.back().message, "3950 more problems not shown (stopped after the first 50)");
  EXPECT_LT(took, std::chrono::seconds(10)) << "a generous bound: this takes well under a second";
}

TEST(Compile, AllSemanticErrorsAreReportedTogether) {
  std::string text = with(kBase, "resolve: blue_resolve", "resolve: blue_resolv");
  text = with(text, "war: {rung: war}", "war: {rung: warr}");
  text = with(text, "red: {blue: 1.0}", "red: {red: 1.0}");
  text = with(text, "probability: 0.01", "probability: 1.2");
  const auto ds = compile_errors(text);
  ASSERT_EQ(ds.size(), 4u) << dump(ds);
  EXPECT_NE(find_diag(ds, "actors.blue.resolve"), nullptr);
  EXPECT_NE(find_diag(ds, "end_states.war.rung"), nullptr);
  EXPECT_NE(find_diag(ds, "relations.red.red"), nullptr);
  EXPECT_NE(find_diag(ds, "events.accident.probability"), nullptr);
}

}  // namespace

// A declared parameter that no field uses is compiled (it may be kept for later use) but said as a
// warning at its declaration: changing it would change nothing. (The scenarios this project
// ships have none: tests/run/shipped_scenarios_test.cpp.)
TEST(Compile, ADeclaredParameterNoFieldUsesIsAWarningNotAnError) {
  EXPECT_TRUE(geosim::testing_support::compile_text(kBase, "mini.yaml").warnings.empty());
  std::string yaml = kBase;
  const std::string at = "  talk_odds: {value: 0.3}\n";
  yaml.replace(yaml.find(at), at.size(), at + "  spare_belief: {value: 2}\n");
  const Model m = geosim::testing_support::compile_text(yaml, "mini.yaml");
  ASSERT_EQ(m.warnings.size(), 1U);
  const Diagnostic& d = m.warnings[0];
  EXPECT_TRUE(d.warning);
  EXPECT_EQ(d.key_path, "parameters.spare_belief");
  EXPECT_EQ(d.where.line, 7);
  EXPECT_EQ(d.to_string(), "mini.yaml:7:3: warning: parameters.spare_belief: declared but no field "
                           "uses it: changing it changes nothing (use it in a field, or remove it)");
}
