// Tests for `extends:` beyond plain merging: a child's choice of form replaces the base's (a
// `value:` over an inherited `dist:`, a trigger over an inherited trigger), a parameter a child
// adds must be used (else it is a misspelt override), and a missing base file is suggested from
// the files next to where it was looked for.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "geosim/error.h"
#include "geosim/model.h"
#include "geosim/scenario.h"
#include "load/test_support.h"

namespace {

namespace fs = std::filesystem;
using geosim::Diagnostic;
using geosim::DistKind;
using geosim::EndState;
using geosim::Event;
using geosim::RungMove;
using geosim::Scenario;
using geosim::testing_support::compile_errors;
using geosim::testing_support::dump;
using geosim::testing_support::find_diag;
using geosim::testing_support::load_errors;
using geosim::testing_support::source_dir;

// The one error of loading `text` as `file` in `dir`, as text; "" (and a failure) if there is not
// exactly one.
std::string one_error(const std::string& text, const std::string& file, const fs::path& dir) {
  const auto ds = load_errors(text, file, dir);
  if (ds.size() != 1) {
    ADD_FAILURE() << "expected one error, got " << ds.size() << ":\n" << dump(ds);
    return "";
  }
  return ds[0].to_string();
}

// The base every child below extends. Line numbers matter to the tests:
//    5: parameter odds (a uniform; `dist` value at 5:15)   6: parameter push_cost (a value)
//   14: end state crisis (a rung trigger)   18: blue's resolve (an inline normal)
//   21: blue's push (step: 1)   28: event incidents (poisson, rate and per)
constexpr const char* kBase = R"(geosim: 1
name: base
time: {horizon: 10}
parameters:
  odds: {dist: uniform, low: 0.05, high: 0.2, unit: probability, assumption: "5% to 20%"}
  push_cost: {value: 0.3, unit: utility}
ladder:
  start: calm
  rungs:
    - {name: calm}
    - {name: crisis, danger: 2}
end_states:
  talks: {all_chosen: [blue.talk, red.talk], probability: odds}
  crisis: {rung: crisis, probability: 0.5}
actors:
  blue:
    rationality: 2.0
    resolve: {dist: normal, mean: 0.5, sd: 0.1}
    actions:
      hold: {class: status_quo}
      push: {class: posturing, step: 1, cost: push_cost}
      talk: {class: de_escalation, step: -1, min_rung: crisis}
  red:
    rationality: 1.0
    actions:
      hold: {class: status_quo}
      talk: {class: de_escalation, step: -1, min_rung: crisis}
events:
  incidents: {kind: poisson, rate: 0.1, per: troops, effects: [{var: troops, add: 1}]}
state:
  troops: {initial: 0}
)";

// A fresh folder holding base.yaml (kBase, or `base`).
fs::path base_dir(const std::string& name, const std::string& base = kBase) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("geosim_extends_test_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "base.yaml") << base;
  return dir;
}

// Loads `child` (as child.yaml in `dir`), which must load.
Scenario load_child(const fs::path& dir, const std::string& child) {
  try {
    return geosim::load_scenario_text(child, "child.yaml", dir);
  } catch (const geosim::InputError& e) {
    ADD_FAILURE() << "expected the child to load, got:\n" << dump(e.diagnostics());
    throw;
  }
}

const geosim::Parameter& param(const Scenario& s, const std::string& name) {
  const geosim::Parameter* p = geosim::find_parameter(s, name);
  if (!p) throw std::runtime_error("no parameter " + name);
  return *p;
}

const EndState& end_state(const Scenario& s, const std::string& name) {
  for (const auto& e : s.end_states)
    if (e.name == name) return e;
  throw std::runtime_error("no end state " + name);
}

std::string normal(const fs::path& p) { return p.lexically_normal().string(); }

// ---------------------------------------------------------------------------------------------
// A child's choice of form wins

TEST(Extends, ChildValueReplacesAnInheritedDistribution) {
  const fs::path dir = base_dir("value_over_dist");
  const Scenario s = load_child(dir, "extends: base.yaml\nparameters:\n  odds: {value: 0.1}\n");
  const auto& p = param(s, "odds");
  EXPECT_EQ(p.dist.kind, DistKind::constant);
  EXPECT_THAT(p.dist.args, ::testing::ElementsAre(0.1));
  // The keys that are not about the form are inherited, but for the base's reason for its value
  // (ChildValueWithoutAReasonDropsTheBasesReason).
  EXPECT_EQ(p.unit, "probability");
  EXPECT_EQ(p.assumption, "");
  EXPECT_NO_THROW((void)geosim::compile(s));
}

TEST(Extends, ChildValueReplacesAnInheritedInlineDistribution) {
  const fs::path dir = base_dir("value_over_inline_dist");
  const Scenario s =
      load_child(dir, "extends: base.yaml\nactors:\n  blue:\n    resolve: {value: 0.7}\n");
  const auto& p = param(s, "actors.blue.resolve");
  EXPECT_EQ(p.dist.kind, DistKind::constant);
  EXPECT_THAT(p.dist.args, ::testing::ElementsAre(0.7));
}

TEST(Extends, ChildDistributionReplacesAnInheritedValue) {
  const fs::path dir = base_dir("dist_over_value");
  const Scenario s = load_child(
      dir, "extends: base.yaml\nparameters:\n  push_cost: {dist: beta, alpha: 2, beta: 5}\n");
  const auto& p = param(s, "push_cost");
  EXPECT_EQ(p.dist.kind, DistKind::beta);
  EXPECT_THAT(p.dist.args, ::testing::ElementsAre(2.0, 5.0));
  EXPECT_EQ(p.unit, "utility");
}

TEST(Extends, ChildDistributionDropsInheritedArgumentsItDoesNotTake) {
  // The base's normal has mean and sd; a uniform does not take them.
  const fs::path dir = base_dir("other_kind");
  const Scenario s = load_child(
      dir, "extends: base.yaml\nactors:\n  blue:\n    resolve: {dist: uniform, low: 0, high: 1}\n");
  const auto& p = param(s, "actors.blue.resolve");
  EXPECT_EQ(p.dist.kind, DistKind::uniform);
  EXPECT_THAT(p.dist.args, ::testing::ElementsAre(0.0, 1.0));
}

TEST(Extends, ChildDistributionInheritsArgumentsItTakes) {
  // uniform(low 0.05, high 0.2) -> triangular: low and high stay, the child gives the mode.
  const fs::path dir = base_dir("kind_keeps_args");
  const Scenario s = load_child(
      dir, "extends: base.yaml\nparameters:\n  odds: {dist: triangular, mode: 0.1}\n");
  const auto& p = param(s, "odds");
  EXPECT_EQ(p.dist.kind, DistKind::triangular);
  EXPECT_THAT(p.dist.args, ::testing::ElementsAre(0.05, 0.1, 0.2));
}

TEST(Extends, SameDistributionMergesArgumentByArgument) {
  const fs::path dir = base_dir("same_kind");
  for (const std::string over : {"{sd: 0.3}", "{dist: normal, sd: 0.3}"}) {
    SCOPED_TRACE(over);
    const Scenario s =
        load_child(dir, "extends: base.yaml\nactors:\n  blue:\n    resolve: " + over + "\n");
    const auto& p = param(s, "actors.blue.resolve");
    EXPECT_EQ(p.dist.kind, DistKind::normal);
    EXPECT_THAT(p.dist.args, ::testing::ElementsAre(0.5, 0.3));
  }
}

TEST(Extends, MissingArgumentOfTheChildsDistributionIsReportedInTheChild) {
  const fs::path dir = base_dir("missing_arg");
  const auto ds =
      load_errors("extends: base.yaml\nparameters:\n  odds: {dist: normal, mean: 0.1}\n",
                  "child.yaml", dir);
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_AT(&ds[0], "child.yaml", 3, 9);
  EXPECT_EQ(ds[0].to_string(),
            "child.yaml:3:9: error: parameters.odds.sd: missing required key (expected a number)");
}

TEST(Extends, ValueAndDistBothInTheChildAreTheChildsError) {
  const fs::path dir = base_dir("both_in_child");
  EXPECT_EQ(one_error(
                "extends: base.yaml\nparameters:\n  odds: {value: 0.1, dist: beta, alpha: 1, beta: 1}\n",
                "child.yaml", dir),
            "child.yaml:3:28: error: parameters.odds.dist: give either 'value' or 'dist', not "
            "both");
}

TEST(Extends, ValueAndDistBothInTheBaseAreStillTheBasesError) {
  // The child overrides another parameter: the base's own mistake is reported in the base.
  const std::string bad_base = geosim::testing_support::with(
      kBase, "push_cost: {value: 0.3, unit: utility}",
      "push_cost: {value: 0.3, dist: beta, unit: utility}");
  const fs::path dir = base_dir("both_in_base", bad_base);
  EXPECT_EQ(one_error("extends: base.yaml\nparameters:\n  odds: {value: 0.1}\n", "child.yaml", dir),
            normal(dir / "base.yaml") +
                ":6:33: error: parameters.push_cost.dist: give either 'value' or 'dist', not both");
}

TEST(Extends, UncertainBeliefOfTheShippedBaselineCanBeFixedToOneValue) {
  // The case from the format documentation: `ceasefire_success` is a uniform in the baseline.
  const fs::path baseline = source_dir() / "scenarios" / "dprk_russia_2024" / "baseline.yaml";
  const Scenario s = geosim::load_scenario_text(
      "extends: " + baseline.string() +
          "\nname: fixed_talks\nparameters:\n  ceasefire_success: {value: 0.1}\n",
      "fixed_talks.yaml");
  const auto& p = param(s, "ceasefire_success");
  EXPECT_EQ(p.dist.kind, DistKind::constant);
  EXPECT_THAT(p.dist.args, ::testing::ElementsAre(0.1));
  EXPECT_NO_THROW((void)geosim::compile(s));
}

// A child is not its base: one that sets no name is named after its file, and one that sets no title
// says in the base's title which file changed it (the report and the story print the title).
TEST(Extends, ChildWithoutANameOrTitleIsNamedAfterItsFile) {
  const fs::path dir = base_dir("child_name");
  EXPECT_EQ(load_child(dir, "extends: base.yaml\n").name, "base_child");
  EXPECT_EQ(load_child(dir, "extends: base.yaml\nname: mine\n").name, "mine");
  const fs::path baseline = source_dir() / "scenarios" / "dprk_russia_2024" / "baseline.yaml";
  const Scenario s = geosim::load_scenario_text(
      "extends: " + baseline.string() + "\nparameters:\n  russia_pull: {value: 0.2}\n",
      "weak-pull.yaml");
  EXPECT_EQ(s.name, "dprk_russia_2024_weak_pull");
  EXPECT_THAT(s.title, ::testing::EndsWith("(changed by weak-pull.yaml)"));
  EXPECT_THAT(s.title, ::testing::StartsWith("North Korean troops"));
}

// The base's source or assumption was for the base's value: a child that sets another value and
// says nothing of why leaves the parameter with no reason (geosim sources then lists it as a bare
// number, at the child's line), rather than citing the base's reason for the child's number.
TEST(Extends, ChildValueWithoutAReasonDropsTheBasesReason) {
  const fs::path dir = base_dir("child_reason");
  const Scenario bare = load_child(dir, "extends: base.yaml\nparameters:\n  odds: {value: 0.1}\n");
  EXPECT_TRUE(param(bare, "odds").assumption.empty());
  EXPECT_FALSE(param(bare, "odds").source.has_value());
  const Scenario said = load_child(
      dir, "extends: base.yaml\nparameters:\n  odds: {value: 0.1, assumption: \"one in ten\"}\n");
  EXPECT_EQ(param(said, "odds").assumption, "one in ten");
  const Scenario arg = load_child(dir, "extends: base.yaml\nparameters:\n  odds: {high: 0.3}\n");
  EXPECT_TRUE(param(arg, "odds").assumption.empty());  // a new range is a new value too
  const Scenario unit = load_child(dir, "extends: base.yaml\nparameters:\n  odds: {unit: chance}\n");
  EXPECT_EQ(param(unit, "odds").assumption, "5% to 20%");  // the value is the base's: so is its reason
}

TEST(Extends, ChildTriggerReplacesTheInheritedTrigger) {
  const fs::path dir = base_dir("trigger");
  const Scenario s = load_child(
      dir, "extends: base.yaml\nend_states:\n  crisis: {any_chosen: [blue.push]}\n");
  const EndState& e = end_state(s, "crisis");
  EXPECT_EQ(e.kind, EndState::Kind::any_chosen);
  EXPECT_THAT(e.actions, ::testing::ElementsAre("blue.push"));
  EXPECT_TRUE(e.rung.empty());
  // Not part of the trigger: inherited.
  EXPECT_EQ(param(s, "end_states.crisis.probability").dist.args.at(0), 0.5);
  EXPECT_NO_THROW((void)geosim::compile(s));
}

TEST(Extends, TwoTriggersInTheChildAreReportedInTheChild) {
  const fs::path dir = base_dir("two_triggers");
  EXPECT_EQ(one_error(
                "extends: base.yaml\nend_states:\n  crisis:\n    any_chosen: [blue.push]\n    rung: crisis\n",
                "child.yaml", dir),
            "child.yaml:4:5: error: end_states.crisis: expected exactly one trigger (all_chosen, "
            "any_chosen, rung or state), got 2");
}

TEST(Extends, ChildToRungReplacesAnInheritedStep) {
  const fs::path dir = base_dir("move");
  const Scenario s = load_child(
      dir, "extends: base.yaml\nactors:\n  blue:\n    actions:\n      push: {to_rung: crisis}\n");
  const auto& push = s.actors.at(0).actions.at(1);
  ASSERT_EQ(push.name, "push");
  EXPECT_EQ(push.move.kind, RungMove::Kind::to);
  EXPECT_EQ(push.move.to_rung, "crisis");
  EXPECT_EQ(push.cost.param, "push_cost") << "the rest of the action is inherited";
}

TEST(Extends, ChildEventKindDropsTheKeysOnlyTheBasesKindTakes) {
  // poisson (rate, per) -> bernoulli (probability): the base's rate and per go.
  const fs::path dir = base_dir("event_kind");
  const Scenario s = load_child(
      dir, "extends: base.yaml\nevents:\n  incidents: {kind: bernoulli, probability: 0.2}\n");
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].kind, Event::Kind::bernoulli);
  EXPECT_TRUE(s.events[0].per_var.empty());
  EXPECT_EQ(param(s, s.events[0].rate.param).dist.args.at(0), 0.2);
  EXPECT_EQ(s.events[0].effects.size(), 1u) << "effects kept";
  EXPECT_NO_THROW((void)geosim::compile(s));
}

TEST(Extends, ChildEventKindMissingItsKeyIsReportedInTheChild) {
  const fs::path dir = base_dir("event_kind_missing");
  EXPECT_EQ(one_error(
                "extends: base.yaml\nevents:\n  incidents: {kind: bernoulli}\n",
                "child.yaml", dir),
            "child.yaml:3:14: error: events.incidents.probability: missing required key (expected "
            "a number or a parameter name)");
}

// ---------------------------------------------------------------------------------------------
// Parameters a child adds

TEST(Extends, MisspeltParameterOverrideIsAnErrorWithTheBaseParameterMeant) {
  const fs::path baseline = source_dir() / "scenarios" / "dprk_russia_2024" / "baseline.yaml";
  const Scenario s = geosim::load_scenario_text(
      "extends: " + baseline.string() +
          "\nname: strong_china\nparameters:\n  china_pul: {value: 0.4}\n",
      "strong_china.yaml");
  const auto ds = compile_errors(s);
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_EQ(ds[0].to_string(),
            "strong_china.yaml:4:3: error: parameters.china_pul: expected the name of a parameter "
            "of the base scenario (or a new parameter that some field uses), got 'china_pul', "
            "which the base does not declare and no field uses (did you mean 'china_pull'?)");
}

TEST(Extends, UnusedNewParameterWithNoCloseBaseNameSaysHowToOverride) {
  const fs::path dir = base_dir("unused_new");
  const auto ds =
      compile_errors(load_child(dir, "extends: base.yaml\nparameters:\n  zzz: {value: 1}\n"));
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_AT(&ds[0], "child.yaml", 3, 3);
  EXPECT_EQ(ds[0].key_path, "parameters.zzz");
  EXPECT_EQ(ds[0].hint,
            "to change a parameter of the base, give its name; a new parameter must be used by "
            "some field");
}

TEST(Extends, NewParameterThatAFieldUsesIsAccepted) {
  const fs::path dir = base_dir("used_new");
  const Scenario s = load_child(dir,
                                "extends: base.yaml\nparameters:\n  blue_lambda: {value: 3}\n"
                                "actors:\n  blue:\n    rationality: blue_lambda\n");
  EXPECT_TRUE(param(s, "blue_lambda").new_in_child);
  EXPECT_FALSE(param(s, "odds").new_in_child);
  EXPECT_NO_THROW((void)geosim::compile(s));
}

TEST(Extends, OverridingABaseParameterIsNotANewParameter) {
  const fs::path dir = base_dir("override");
  const Scenario s = load_child(dir, "extends: base.yaml\nparameters:\n  push_cost: {value: 1}\n");
  EXPECT_FALSE(param(s, "push_cost").new_in_child);
  EXPECT_NO_THROW((void)geosim::compile(s));
}

TEST(Extends, ParameterAddedHalfWayUpTheChainIsNewForTheFilesAboveToo) {
  // base <- middle (adds `extra`, unused) <- child (overrides it): still used by nothing.
  const fs::path dir = base_dir("chain_new");
  std::ofstream(dir / "middle.yaml") << "extends: base.yaml\nparameters:\n  extra: {value: 1}\n";
  const auto ds = compile_errors(
      load_child(dir, "extends: middle.yaml\nparameters:\n  extra: {value: 2}\n"));
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_EQ(ds[0].key_path, "parameters.extra");
  EXPECT_AT(&ds[0], "child.yaml", 3, 3);
}

TEST(Extends, UnusedParameterOfAFileThatExtendsNothingIsAccepted) {
  const std::string with_unused =
      geosim::testing_support::with(kBase, "parameters:\n", "parameters:\n  spare: {value: 1}\n");
  const Scenario s = geosim::load_scenario_text(with_unused, "base.yaml");
  EXPECT_FALSE(param(s, "spare").new_in_child);
  EXPECT_NO_THROW((void)geosim::compile(s));
}

// ---------------------------------------------------------------------------------------------
// A base file that is not there

TEST(Extends, MissingBaseSuggestsTheClosestScenarioFileInTheFolder) {
  const fs::path dir = base_dir("missing_suggest");
  std::ofstream(dir / "notes.txt") << "base";
  EXPECT_EQ(one_error("extends: basse.yaml\nname: x\n", "child.yaml", dir),
            "child.yaml:1:10: error: extends: expected an existing scenario file, got 'basse.yaml' "
            "(looked for '" +
                normal(fs::absolute(dir) / "basse.yaml") + "') (did you mean 'base.yaml'?)");
}

TEST(Extends, MissingBaseSuggestionKeepsTheFolderAsWritten) {
  const fs::path dir = base_dir("missing_suggest_folder");
  fs::create_directories(dir / "sub");
  std::ofstream(dir / "sub" / "baseline.yaml") << kBase;
  const auto ds = load_errors("extends: sub/basline.yaml\nname: x\n", "child.yaml", dir);
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_EQ(ds[0].hint, "did you mean 'sub/baseline.yaml'?");
}

TEST(Extends, MissingBaseIsLookedForAtItsFullPath) {
  // A relative base folder is shown as the absolute path that was looked at.
  const fs::path dir = base_dir("missing_full_path");
  const fs::path relative = fs::relative(dir);
  const auto ds = load_errors("extends: nothing_like_it.yaml\nname: x\n", "child.yaml", relative);
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_EQ(ds[0].message, "expected an existing scenario file, got 'nothing_like_it.yaml' (looked "
                           "for '" + normal(fs::absolute(dir) / "nothing_like_it.yaml") + "')");
  EXPECT_EQ(ds[0].hint, "");
}

TEST(Extends, OnlyYamlFilesAreSuggested) {
  const fs::path dir = base_dir("missing_only_yaml");
  fs::remove(dir / "base.yaml");
  std::ofstream(dir / "baseline.txt") << "not a scenario";
  fs::create_directories(dir / "baseline.yml");  // a folder, not a file
  const auto ds = load_errors("extends: baseline.yaml\nname: x\n", "child.yaml", dir);
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_EQ(ds[0].hint, "");
}

}  // namespace
