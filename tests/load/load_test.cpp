// Tests for load_scenario / load_scenario_text: what a scenario author sees when the file is
// wrong (file:line:column, key path, message, hint), what hostile input costs, and `extends:`.
#include <gmock/gmock.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
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
using geosim::InputError;
using geosim::Scenario;
using geosim::testing_support::dump;
using geosim::testing_support::find_diag;
using geosim::testing_support::fixtures_dir;
using geosim::testing_support::load_errors;
using geosim::testing_support::load_file_errors;
using geosim::testing_support::source_dir;
using geosim::testing_support::with;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// A small valid scenario. Line numbers matter to the tests below:
//   3: time   11: blue's rationality (value at column 18)   14: blue's action `push`
constexpr const char* kMini = R"(geosim: 1
name: mini
time: {horizon: 10}
ladder:
  start: calm
  rungs:
    - {name: calm}
    - {name: crisis, danger: 2}
actors:
  blue:
    rationality: 2.0
    actions:
      hold: {class: status_quo}
      push: {class: posturing, step: 1}
  red:
    rationality: 1.0
    actions:
      hold: {class: status_quo}
)";

// Generous bound for "finishes quickly": hostile input must be rejected in well under a second;
// this only catches runaway work, it is not a benchmark.
constexpr auto kSanityBound = std::chrono::seconds(20);

template <class F>
std::chrono::duration<double> time_of(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::steady_clock::now() - t0;
}

// A fresh directory for files a test writes.
fs::path scratch_dir(const std::string& name) {
  fs::path dir = fs::path(::testing::TempDir()) / ("geosim_load_test_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string normal(const fs::path& p) { return p.lexically_normal().string(); }

// ---------------------------------------------------------------------------------------------
// Valid input

TEST(Load, MiniScenarioLoads) {
  const Scenario s = geosim::load_scenario_text(kMini, "mini.yaml");
  EXPECT_EQ(s.name, "mini");
  EXPECT_EQ(s.horizon, 10);
  EXPECT_EQ(s.tick_days, 7);
  ASSERT_EQ(s.actors.size(), 2u);
  EXPECT_EQ(s.actors[0].name, "blue");
  EXPECT_EQ(s.actors[1].name, "red");
  ASSERT_EQ(s.actors[0].actions.size(), 2u);
  EXPECT_EQ(s.actors[0].actions[1].name, "push");
  EXPECT_EQ(s.actors[0].actions[1].move.kind, geosim::RungMove::Kind::step);
  EXPECT_EQ(s.actors[0].actions[1].move.step, 1);
  ASSERT_EQ(s.files.size(), 1u);
  EXPECT_EQ(s.files[0], "mini.yaml");
  // A literal becomes an anonymous constant named by its key path, located at the value.
  EXPECT_EQ(s.actors[0].rationality.param, "actors.blue.rationality");
  EXPECT_EQ(s.actors[0].rationality.where.line, 11);
  EXPECT_EQ(s.actors[0].rationality.where.column, 18);
  const geosim::Parameter* p = geosim::find_parameter(s, "actors.blue.rationality");
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(p->declared);
  EXPECT_EQ(p->dist.kind, geosim::DistKind::constant);
  ASSERT_EQ(p->dist.args.size(), 1u);
  EXPECT_EQ(p->dist.args[0], 2.0);
}

TEST(Load, ToyScenarioLoadsAndCompiles) {
  const fs::path file = source_dir() / "scenarios" / "toy" / "standoff.yaml";
  const Scenario s = geosim::load_scenario(file);
  EXPECT_EQ(s.name, "toy_standoff");
  EXPECT_EQ(s.title, "Two-actor standoff");
  EXPECT_EQ(s.start_date, "2024-10-07");
  EXPECT_EQ(s.tick_days, 7);
  EXPECT_EQ(s.horizon, 52);
  ASSERT_EQ(s.files.size(), 1u);
  EXPECT_EQ(s.files[0], normal(file));
  ASSERT_EQ(s.rungs.size(), 3u);
  EXPECT_EQ(s.rungs[0].name, "calm");
  EXPECT_EQ(s.rungs[2].name, "war");
  EXPECT_EQ(s.start_rung, "calm");
  ASSERT_EQ(s.actors.size(), 2u);
  EXPECT_EQ(s.actors[0].name, "blue");
  EXPECT_EQ(s.actors[0].actions.size(), 3u);
  EXPECT_EQ(s.actors[1].name, "red");
  EXPECT_EQ(s.actors[1].actions.size(), 4u);
  EXPECT_EQ(s.end_states.size(), 2u);
  EXPECT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.relations.size(), 2u);
  const geosim::Parameter* resolve = geosim::find_parameter(s, "blue_resolve");
  ASSERT_NE(resolve, nullptr);
  EXPECT_TRUE(resolve->declared);
  EXPECT_EQ(resolve->dist.kind, geosim::DistKind::uniform);

  const geosim::Model m = geosim::compile(s);
  EXPECT_EQ(m.n_actors(), 2);
  EXPECT_EQ(m.n_actions(), 7);
  EXPECT_EQ(m.n_rungs, 3);
  EXPECT_EQ(m.n_end_states(), 2);
  // casualties, then one escalation score per actor.
  EXPECT_EQ(m.n_indicators(), 3);
}

TEST(Load, Utf8ByteOrderMarkIsAccepted) {
  const Scenario s = geosim::load_scenario_text(std::string("\xEF\xBB\xBF") + kMini, "bom.yaml");
  EXPECT_EQ(s.name, "mini");
}

TEST(Load, AliasesBelowTheLimitAreExpanded) {
  std::string text = with(kMini, "    rationality: 2.0\n", "    rationality: &lam 2.5\n");
  text = with(text, "    rationality: 1.0\n", "    rationality: *lam\n");
  const Scenario s = geosim::load_scenario_text(text, "t.yaml");
  const geosim::Parameter* p = geosim::find_parameter(s, "actors.red.rationality");
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->dist.args.size(), 1u);
  EXPECT_EQ(p->dist.args[0], 2.5);
}

// ---------------------------------------------------------------------------------------------
// Files

TEST(Load, MissingFileGivesOneDiagnosticNamingTheFile) {
  const fs::path file = fixtures_dir() / "no_such_dir" / "no_such_scenario.yaml";
  const auto ds = load_file_errors(file);
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_EQ(ds[0].where.file, file.string());
  EXPECT_EQ(ds[0].where.line, 0);
  EXPECT_EQ(ds[0].key_path, "");
  EXPECT_EQ(ds[0].message, "no such file");
  EXPECT_EQ(ds[0].to_string(), file.string() + ": error: no such file");
}

TEST(Load, DirectoryInsteadOfFileIsRejected) {
  const fs::path dir = fixtures_dir();
  const auto ds = load_file_errors(dir);
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_EQ(ds[0].where.file, dir.string());
  EXPECT_EQ(ds[0].message, "expected a scenario file, got a directory");
}

// A file that exists but cannot be opened says why. Tests often run as root, for whom chmod 000
// changes nothing; a write-only sysctl file refuses reading even to root.
TEST(Load, UnreadableFileSaysWhy) {
  fs::path file;
  std::vector<fs::path> candidates;
  const fs::path locked = scratch_dir("unreadable") / "locked.yaml";
  {
    std::ofstream(locked) << "name: x\n";
    fs::permissions(locked, fs::perms::none);
  }
  candidates.push_back(locked);
  candidates.emplace_back("/proc/sys/vm/compact_memory");
  for (const fs::path& c : candidates) {
    std::ifstream probe(c);
    if (fs::exists(c) && !probe) {
      file = c;
      break;
    }
  }
  if (file.empty()) {
    fs::remove(locked);
    GTEST_SKIP() << "no unreadable file on this machine";
  }
  const auto ds = load_file_errors(file);
  fs::permissions(locked, fs::perms::owner_all);
  fs::remove(locked);
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_EQ(ds[0].where.file, file.lexically_normal().string());
  EXPECT_EQ(ds[0].message, "cannot open the file for reading: Permission denied");
}

TEST(Load, EmptyFileIsRejected) {
  const auto ds = load_errors("", "empty.yaml");
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_EQ(ds[0].where.file, "empty.yaml");
  EXPECT_EQ(ds[0].message, "expected a scenario mapping at the top of the file, got nothing");
}

TEST(Load, TopLevelListIsRejected) {
  const auto ds = load_errors("- a\n- b\n");
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_EQ(ds[0].where.file, "t.yaml");
  EXPECT_EQ(ds[0].where.line, 1);
  EXPECT_EQ(ds[0].message, "expected a scenario mapping at the top of the file, got a list");
}

// ---------------------------------------------------------------------------------------------
// Syntax and structure

TEST(Load, InvalidYamlSyntaxGivesFileLineColumn) {
  // yaml-cpp reads line 3 as more of `name`'s text, and stops at the ':' after `title` (column 8)
  // with "illegal map value"; the cause is the indentation, at column 3.
  const auto ds = load_errors("geosim: 1\nname: mini\n  title: oops\n", "syntax.yaml");
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_AT(&ds[0], "syntax.yaml", 3, 3);
  EXPECT_EQ(ds[0].message, "not valid YAML: this line is indented more than the lines of its mapping");
  EXPECT_EQ(ds[0].to_string(),
            "syntax.yaml:3:3: error: not valid YAML: this line is indented more than the lines of its "
            "mapping (the line above is not indented)");
  // Where the text shows no cause, yaml-cpp's own words at its position.
  const auto other = load_errors("geosim: 1\nname: [a, b]]\n", "syntax.yaml");
  ASSERT_EQ(other.size(), 1u) << dump(other);
  EXPECT_EQ(other[0].where.line, 2);
  EXPECT_THAT(other[0].message, StartsWith("not valid YAML: "));
}

TEST(Load, UnclosedFlowMappingIsASyntaxError) {
  // yaml-cpp notices only on line 3 ("end of sequence flow not found"); the error is the '['.
  const auto ds = load_errors("name: mini\ntime: [horizon: 10\nladder: x\n");
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_AT(&ds[0], "t.yaml", 2, 7);
  EXPECT_EQ(ds[0].message, "not valid YAML: the '[' here is never closed");
  EXPECT_EQ(ds[0].hint, "close it with ']'");
}

TEST(Load, UnknownKeySuggestsClosestKey) {
  const std::string text = with(kMini, "    rationality: 2.0\n", "    rationalty: 2.0\n");
  const auto ds = load_errors(text);
  ASSERT_EQ(ds.size(), 2u) << dump(ds);
  // At the misspelt key's own line and column.
  EXPECT_AT(&ds[0], "t.yaml", 11, 5);
  EXPECT_EQ(ds[0].key_path, "actors.blue.rationalty");
  EXPECT_EQ(ds[0].message, "unknown key");
  EXPECT_EQ(ds[0].hint, "did you mean 'rationality'?");
  EXPECT_EQ(ds[0].to_string(),
            "t.yaml:11:5: error: actors.blue.rationalty: unknown key (did you mean 'rationality'?)");
  // And the required key it was meant to be is reported missing, at blue's mapping.
  EXPECT_AT(&ds[1], "t.yaml", 11, 5);
  EXPECT_EQ(ds[1].key_path, "actors.blue.rationality");
  EXPECT_THAT(ds[1].message, StartsWith("missing required key"));
}

TEST(Load, UnknownTopLevelKeySuggestsClosestKey) {
  const auto ds = load_errors(std::string(kMini) + "relatoins: {}\n");
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_AT(&ds[0], "t.yaml", 19, 1);
  EXPECT_EQ(ds[0].key_path, "relatoins");
  EXPECT_EQ(ds[0].hint, "did you mean 'relations'?");
}

TEST(Load, UnknownKeyWithNoCloseMatchListsTheKnownKeys) {
  const auto ds = load_errors(with(kMini, "time: {horizon: 10}", "time: {horizon: 10, zzzz: 1}"));
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_AT(&ds[0], "t.yaml", 3, 21);
  EXPECT_EQ(ds[0].key_path, "time.zzzz");
  EXPECT_EQ(ds[0].hint, "known keys: start, tick_days, horizon");
}

TEST(Load, WrongTypeNamesTheKeyPath) {
  const auto ds = load_errors(with(kMini, "rationality: 2.0", "rationality: [1, 2]"));
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_AT(&ds[0], "t.yaml", 11, 18);
  EXPECT_EQ(ds[0].key_path, "actors.blue.rationality");
  EXPECT_EQ(ds[0].message, "expected a number, a parameter name or a parameter mapping, got a list");
}

TEST(Load, WrongTypeInAPlainNumberFieldNamesTheKeyPath) {
  const std::string text = std::string(kMini) + "state:\n  troops: {min: [0]}\n";
  const auto ds = load_errors(text);
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_AT(&ds[0], "t.yaml", 20, 17);
  EXPECT_EQ(ds[0].key_path, "state.troops.min");
  EXPECT_EQ(ds[0].message, "expected a number, got a list");
}

TEST(Load, MappingWhereAListIsExpectedIsRejected) {
  const auto ds = load_errors(with(
      kMini, "  rungs:\n    - {name: calm}\n    - {name: crisis, danger: 2}\n", "  rungs: {calm: 1}\n"));
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  const Diagnostic* d = find_diag(ds, "ladder.rungs");
  EXPECT_AT(d, "t.yaml", 6, 10);
  EXPECT_EQ(d->message, "expected a list of rungs, lowest first, got a mapping");
}

// YAML 1.2 spellings of NaN and infinity that the loader recognises by name.
TEST(Load, NanAndInfinityAreRejected) {
  for (const std::string v : {".nan", ".NaN", ".inf", ".Inf", "-.inf", "nan", "NaN", "inf"}) {
    SCOPED_TRACE(v);
    const auto ds = load_errors(with(kMini, "rationality: 2.0", "rationality: " + v));
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_AT(&ds[0], "t.yaml", 11, 18);
    EXPECT_EQ(ds[0].key_path, "actors.blue.rationality");
    EXPECT_EQ(ds[0].message, "expected a finite number, got '" + v + "'");
  }
}

// Every YAML 1.2 spelling of NaN / infinity, and a literal too large for a double, is rejected
// (the messages are checked by NanAndInfinityVariantsSayFinite and OverflowingFloatLiteral...).
TEST(Load, AllNanAndInfinitySpellingsAndOverflowingLiteralsAreRejected) {
  for (const std::string v :
       {".NAN", ".INF", "+.inf", "+.Inf", "+.INF", "-.Inf", "-.INF", "1e999", "-1e999"}) {
    SCOPED_TRACE(v);
    const auto ds = load_errors(with(kMini, "rationality: 2.0", "rationality: " + v));
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_AT(&ds[0], "t.yaml", 11, 18);
    EXPECT_EQ(ds[0].key_path, "actors.blue.rationality");
  }
}

TEST(Load, NanAndInfinityVariantsSayFinite) {
  for (const std::string v : {".nan", ".NaN", ".NAN", "nan", "NaN", ".inf", ".Inf", ".INF", "+.inf",
                              "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "inf", "Inf", "-inf",
                              "infinity", "Infinity", "-Infinity"}) {
    SCOPED_TRACE(v);
    {  // A value field (number, parameter name or parameter mapping).
      const auto ds = load_errors(with(kMini, "rationality: 2.0", "rationality: " + v));
      ASSERT_EQ(ds.size(), 1u) << dump(ds);
      EXPECT_AT(&ds[0], "t.yaml", 11, 18);
      EXPECT_EQ(ds[0].key_path, "actors.blue.rationality");
      EXPECT_EQ(ds[0].message, "expected a finite number, got '" + v + "'");
      EXPECT_EQ(ds[0].hint, "");
    }
    {  // A plain number field.
      const auto ds = load_errors(std::string(kMini) + "state:\n  troops: {min: " + v + "}\n");
      ASSERT_EQ(ds.size(), 1u) << dump(ds);
      EXPECT_AT(&ds[0], "t.yaml", 20, 17);
      EXPECT_EQ(ds[0].key_path, "state.troops.min");
      EXPECT_EQ(ds[0].message, "expected a finite number, got '" + v + "'");
    }
  }
}

TEST(Load, OverflowingFloatLiteralSaysOutOfRange) {
  for (const std::string v : {"1e999", "-1e999", "+1e999"}) {
    SCOPED_TRACE(v);
    {
      const auto ds = load_errors(with(kMini, "rationality: 2.0", "rationality: " + v));
      ASSERT_EQ(ds.size(), 1u) << dump(ds);
      EXPECT_AT(&ds[0], "t.yaml", 11, 18);
      EXPECT_EQ(ds[0].key_path, "actors.blue.rationality");
      EXPECT_EQ(ds[0].message,
                "expected a number within the range of a double (about 1e308), got '" + v + "'");
    }
    {
      const auto ds = load_errors(std::string(kMini) + "state:\n  troops: {min: " + v + "}\n");
      ASSERT_EQ(ds.size(), 1u) << dump(ds);
      EXPECT_EQ(ds[0].key_path, "state.troops.min");
      EXPECT_EQ(ds[0].message,
                "expected a number within the range of a double (about 1e308), got '" + v + "'");
    }
  }
}

TEST(Load, NanInADistributionArgumentIsRejected) {
  const std::string text =
      with(kMini, "rationality: 2.0", "rationality: {dist: uniform, low: 0, high: .inf}");
  const auto ds = load_errors(text);
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_EQ(ds[0].key_path, "actors.blue.rationality.high");
  EXPECT_EQ(ds[0].message, "expected a finite number, got '.inf'");
}

TEST(Load, IntegerOverflowInHorizonIsRejected) {
  {
    const auto ds = load_errors(with(kMini, "horizon: 10", "horizon: 99999999999999999999"));
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_AT(&ds[0], "t.yaml", 3, 17);
    EXPECT_EQ(ds[0].key_path, "time.horizon");
    EXPECT_EQ(ds[0].message,
              "expected a whole number in [1, 10000], got '99999999999999999999' (out of range)");
  }
  {  // Fits in 64 bits but not in int: must not wrap to 1.
    const auto ds = load_errors(with(kMini, "horizon: 10", "horizon: 4294967297"));
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_AT(&ds[0], "t.yaml", 3, 17);
    EXPECT_EQ(ds[0].message, "expected a whole number in [1, 10000], got 4294967297");
  }
  {
    const auto ds = load_errors(with(kMini, "horizon: 10", "horizon: -99999999999999999999"));
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_AT(&ds[0], "t.yaml", 3, 17);
    EXPECT_EQ(ds[0].key_path, "time.horizon");
    EXPECT_EQ(ds[0].message,
              "expected a whole number in [1, 10000], got '-99999999999999999999' (out of range)");
  }
  for (const std::string v : {"0", "10001", "10.5", "\"10\""}) {
    SCOPED_TRACE(v);
    const auto ds = load_errors(with(kMini, "horizon: 10", "horizon: " + v));
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_EQ(ds[0].key_path, "time.horizon");
    EXPECT_THAT(ds[0].message, StartsWith("expected a whole number"));
  }
}

TEST(Load, DuplicateKeysAreRejectedAtTheSecondOne) {
  {  // Block mapping: the second `hold` is on line 15.
    const std::string text = with(kMini, "      push: {class: posturing, step: 1}\n",
                                  "      push: {class: posturing, step: 1}\n"
                                  "      hold: {class: posturing}\n");
    const auto ds = load_errors(text);
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_AT(&ds[0], "t.yaml", 15, 7);
    EXPECT_EQ(ds[0].message, "duplicate key: this key appears earlier in the same mapping");
  }
  {  // Flow mapping: the second `class` at column 41.
    const std::string text = with(kMini, "push: {class: posturing, step: 1}",
                                  "push: {class: posturing, step: 1, class: status_quo}");
    const auto ds = load_errors(text);
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_AT(&ds[0], "t.yaml", 14, 41);
  }
  {  // Top level.
    const auto ds = load_errors(std::string(kMini) + "name: again\n");
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_AT(&ds[0], "t.yaml", 19, 1);
    EXPECT_EQ(ds[0].key_path, "name");
  }
}

TEST(Load, DuplicateKeyNamesItsFullKeyPath) {
  const std::string text = with(kMini, "      push: {class: posturing, step: 1}\n",
                                "      push: {class: posturing, step: 1}\n"
                                "      hold: {class: posturing}\n");
  {
    const auto ds = load_errors(text);
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_EQ(ds[0].key_path, "actors.blue.actions.hold");
    EXPECT_EQ(ds[0].to_string(),
              "t.yaml:15:7: error: actors.blue.actions.hold: duplicate key: this key appears "
              "earlier in the same mapping (first given at line 13)");
  }
  {  // In a flow mapping.
    const auto ds = load_errors(with(kMini, "push: {class: posturing, step: 1}",
                                     "push: {class: posturing, step: 1, class: status_quo}"));
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_EQ(ds[0].key_path, "actors.blue.actions.push.class");
  }
  {  // In a list item: the index is part of the path.
    const auto ds = load_errors(with(kMini, "{name: crisis, danger: 2}", "{name: crisis, danger: 2, name: war}"));
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_AT(&ds[0], "t.yaml", 8, 33);
    EXPECT_EQ(ds[0].key_path, "ladder.rungs[1].name");
  }
}

// A quoted number is text, not a number: the engine does not silently read "2.0" as 2.0. It says
// so at load time and tells the author to remove the quotes. A quoted text that is a valid name
// is still a parameter reference.
TEST(Load, QuotedNumberIsRejectedButAQuotedNameIsAReference) {
  {
    const auto ds = load_errors(with(kMini, "rationality: 2.0", "rationality: \"2.0\""));
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_AT(&ds[0], "t.yaml", 11, 18);
    EXPECT_EQ(ds[0].key_path, "actors.blue.rationality");
    EXPECT_EQ(ds[0].message, "expected a number, got the text \"2.0\" (in quotes)");
    EXPECT_EQ(ds[0].hint, "remove the quotes");
  }
  {  // A quoted text that is a valid name loads as a reference and fails to resolve at compile.
    const Scenario s = geosim::load_scenario_text(
        with(kMini, "rationality: 2.0", "rationality: \"blue_lambda\""), "t.yaml");
    EXPECT_EQ(s.actors[0].rationality.param, "blue_lambda");
    const auto ds = geosim::testing_support::compile_errors(s);
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_AT(&ds[0], "t.yaml", 11, 18);
    EXPECT_EQ(ds[0].key_path, "actors.blue.rationality");
    EXPECT_THAT(ds[0].message, HasSubstr("got 'blue_lambda' (no such parameter)"));
  }
}

TEST(Load, QuotedNumberMessageSaysItIsQuoted) {
  struct Case {
    std::string from, to, key_path, text;
  };
  const std::vector<Case> cases = {
      // Single quotes too; in a value field, a plain number field and a distribution argument.
      {"rationality: 2.0", "rationality: '2.0'", "actors.blue.rationality", "2.0"},
      {"rationality: 2.0", "rationality: \"-1\"", "actors.blue.rationality", "-1"},
      {"rationality: 2.0", "rationality: {dist: uniform, low: 0, high: \"3\"}",
       "actors.blue.rationality.high", "3"},
      {"horizon: 10}\n", "horizon: 10}\nstate:\n  troops: {min: \"0\"}\n", "state.troops.min", "0"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.to);
    const auto ds = load_errors(with(kMini, c.from, c.to));
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_EQ(ds[0].key_path, c.key_path);
    EXPECT_EQ(ds[0].message, "expected a number, got the text \"" + c.text + "\" (in quotes)");
    EXPECT_EQ(ds[0].hint, "remove the quotes");
  }
}

TEST(Load, QuotedWholeNumberSaysItIsQuoted) {
  const auto ds = load_errors(with(kMini, "horizon: 10", "horizon: \"10\""));
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_AT(&ds[0], "t.yaml", 3, 17);
  EXPECT_EQ(ds[0].message, "expected a whole number, got the text \"10\" (in quotes)");
  EXPECT_EQ(ds[0].hint, "remove the quotes");
}

// A text that starts like a number but is not one is called a malformed number (with a way to
// write it when one is clear), not a badly spelt name.
TEST(Load, MalformedNumbersSayHowToWriteThem) {
  struct Case {
    std::string text, message, hint;
  };
  const std::vector<Case> cases = {
      {"1,5", "expected a number, got '1,5'", "write decimals with a point: 1.5"},
      {"30%", "expected a number, got '30%'", "write a fraction: 0.3"},
      {"0x10", "expected a number, got '0x10'", "write numbers in decimal: 16"},
      {"1_000", "expected a number, got '1_000'", "write the digits without separators: 1000"},
      {"2 utils", "expected a number, got '2 utils'", "write only the number: 2"},
      {"1,000", "expected a number, got '1,000'",
       "write decimals with a point (1.000) and thousands without a separator (1000)"},
      {"2.0.1", "expected a number or a parameter name, got '2.0.1'",
       "it is not a number, and a name cannot start with a digit"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    {  // A value field: a number or a parameter name.
      const auto ds = load_errors(with(kMini, "rationality: 2.0", "rationality: " + c.text));
      ASSERT_EQ(ds.size(), 1u) << dump(ds);
      EXPECT_AT(&ds[0], "t.yaml", 11, 18);
      EXPECT_EQ(ds[0].key_path, "actors.blue.rationality");
      EXPECT_EQ(ds[0].message, c.message);
      EXPECT_EQ(ds[0].hint, c.hint);
    }
    {  // A plain number field (in block style: in a flow mapping a comma ends the value).
      const auto ds = load_errors(std::string(kMini) + "state:\n  troops:\n    min: " + c.text + "\n");
      ASSERT_EQ(ds.size(), 1u) << dump(ds);
      EXPECT_EQ(ds[0].key_path, "state.troops.min");
      EXPECT_THAT(ds[0].message, StartsWith("expected a number, got '" + c.text + "'"));
    }
  }
  {  // A whole-number field keeps its own words.
    const auto ds = load_errors(with(kMini, "horizon: 10", "horizon: 1_000"));
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_EQ(ds[0].message, "expected a whole number, got '1_000'");
    EXPECT_EQ(ds[0].hint, "write the digits without separators: 1000");
  }
}

TEST(Load, UnderflowingLiteralSaysTooSmallNotTooLarge) {
  for (const std::string v : {"1e-999", "-1e-999"}) {
    SCOPED_TRACE(v);
    const auto ds = load_errors(with(kMini, "rationality: 2.0", "rationality: " + v));
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_AT(&ds[0], "t.yaml", 11, 18);
    EXPECT_THAT(ds[0].message, HasSubstr("too small to represent"));
    EXPECT_THAT(ds[0].message, Not(HasSubstr("1e308")));
    EXPECT_EQ(ds[0].hint, "write 0 if you mean zero");
  }
}

TEST(Load, EmptyValuesAreLocatedAtTheirKey) {
  {  // A value field: just after the key's ':'.
    const auto ds = load_errors(with(kMini, "    rationality: 2.0\n", "    rationality:\n"));
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_AT(&ds[0], "t.yaml", 11, 17);
    EXPECT_EQ(ds[0].message, "expected a number, a parameter name or a parameter mapping, got nothing");
  }
  {  // A required text: at the key.
    const auto ds = load_errors(with(kMini, "name: mini\n", "name:\n"));
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_AT(&ds[0], "t.yaml", 2, 1);
    EXPECT_EQ(ds[0].key_path, "name");
    EXPECT_EQ(ds[0].message, "expected a text value, got nothing");
  }
  {  // An explicit null is where it is written.
    const auto ds = load_errors(with(kMini, "    rationality: 2.0\n", "    rationality: ~\n"));
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_AT(&ds[0], "t.yaml", 11, 18);
  }
}

TEST(Load, FormatVersionOtherThanOneIsNamed) {
  const auto ds = load_errors(with(kMini, "geosim: 1", "geosim: 2"));
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_AT(&ds[0], "t.yaml", 1, 9);
  EXPECT_EQ(ds[0].key_path, "geosim");
  EXPECT_EQ(ds[0].message, "expected format version 1, got 2");
}

TEST(Load, StartDateMustBeARealDate) {
  for (const std::string d : {"2024-13-45", "2023-02-29", "2024-04-31", "24-01-01", "2024/01/01", "soon"}) {
    SCOPED_TRACE(d);
    const auto ds = load_errors(with(kMini, "time: {horizon: 10}", "time: {start: " + d + ", horizon: 10}"));
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_AT(&ds[0], "t.yaml", 3, 15);
    EXPECT_EQ(ds[0].key_path, "time.start");
    EXPECT_EQ(ds[0].message, "expected a date written YYYY-MM-DD, got '" + d + "'");
  }
  const Scenario s = geosim::load_scenario_text(
      with(kMini, "time: {horizon: 10}", "time: {start: 2024-02-29, horizon: 10}"), "t.yaml");
  EXPECT_EQ(s.start_date, "2024-02-29");
}

TEST(Load, DistributionArgumentsOfAnotherKindAreRejected) {
  {
    const auto ds = load_errors(
        with(kMini, "rationality: 2.0", "rationality: {dist: uniform, low: 0, high: 1, sd: 0.1}"));
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_AT(&ds[0], "t.yaml", 11, 51);  // the key `sd`
    EXPECT_EQ(ds[0].key_path, "actors.blue.rationality.sd");
    EXPECT_EQ(ds[0].message, "unknown key for a uniform distribution");
    EXPECT_EQ(ds[0].hint, "it takes low, high");
  }
  {
    const auto ds = load_errors(
        with(kMini, "rationality: 2.0", "rationality: {dist: choice, values: [1], weights: [1], low: 0}"));
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_EQ(ds[0].to_string(),
              "t.yaml:11:60: error: actors.blue.rationality.low: unknown key for a choice distribution "
              "(it takes values, weights)");
  }
  {  // low/high next to a fixed value.
    const auto ds = load_errors(
        with(kMini, "rationality: 2.0", "rationality: {value: 2, low: 1, high: 3}"));
    ASSERT_EQ(ds.size(), 2u) << dump(ds);
    EXPECT_EQ(ds[0].key_path, "actors.blue.rationality.low");
    EXPECT_EQ(ds[0].message, "unknown key for a fixed value");
    EXPECT_EQ(ds[0].hint, "distribution arguments need 'dist: <kind>' instead of 'value'");
    EXPECT_EQ(ds[1].key_path, "actors.blue.rationality.high");
  }
}

TEST(Load, MissingClassAndKindListTheChoices) {
  {
    const auto ds = load_errors(with(kMini, "push: {class: posturing, step: 1}", "push: {step: 1}"));
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_AT(&ds[0], "t.yaml", 14, 13);
    EXPECT_EQ(ds[0].key_path, "actors.blue.actions.push.class");
    EXPECT_EQ(ds[0].message,
              "missing required key (expected an escalation class: one of status_quo, de_escalation, "
              "posturing, nonviolent_escalation, violent_escalation, nuclear)");
  }
  {  // A missing kind is the only error: `rate` is not called wrong for a kind nobody named.
    const auto ds = load_errors(std::string(kMini) + "events:\n  e: {rate: 1}\n");
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_EQ(ds[0].key_path, "events.e.kind");
    EXPECT_EQ(ds[0].message,
              "missing required key (expected an event kind: one of poisson, bernoulli, flow)");
  }
  {  // Likewise a misspelt kind.
    const auto ds = load_errors(std::string(kMini) + "events:\n  e: {kind: poison, rate: 1}\n");
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_EQ(ds[0].key_path, "events.e.kind");
    EXPECT_EQ(ds[0].hint, "did you mean 'poisson'?");
  }
}

TEST(Load, KeysOfOtherEventKindsAreRejected) {
  struct Case {
    std::string event, key_path, message;
  };
  const std::vector<Case> cases = {
      {"{kind: flow, rate: 1}", "events.e.rate",
       "'rate' is for poisson events; a flow event applies its effects every tick"},
      {"{kind: flow, probability: 0.5}", "events.e.probability",
       "'probability' is for bernoulli events; a flow event applies its effects every tick"},
      {"{kind: flow, per: troops}", "events.e.per",
       "'per' is for poisson events; a flow event applies its effects every tick"},
      {"{kind: bernoulli, probability: 0.5, per: troops}", "events.e.per",
       "'per' is for poisson events; a bernoulli event has one probability per tick"},
      {"{kind: bernoulli, probability: 0.5, rate: 1}", "events.e.rate",
       "'rate' is for poisson events; a bernoulli event has 'probability'"},
      {"{kind: poisson, rate: 1, probability: 0.5}", "events.e.probability",
       "'probability' is for bernoulli events; a poisson event has 'rate'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.event);
    const auto ds = load_errors(std::string(kMini) + "events:\n  e: " + c.event + "\n");
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_EQ(ds[0].where.line, 20);
    EXPECT_EQ(ds[0].key_path, c.key_path);
    EXPECT_EQ(ds[0].message, c.message);
  }
}

TEST(Load, EmptyAllChosenSaysEmpty) {
  const auto ds = load_errors(std::string(kMini) + "end_states:\n  e: {all_chosen: []}\n");
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_AT(&ds[0], "t.yaml", 20, 19);
  EXPECT_EQ(ds[0].message, "expected a non-empty list of actions 'actor.action', got an empty list");
}

TEST(Load, EndStateNamedOngoingIsReserved) {
  const auto ds = load_errors(std::string(kMini) + "end_states:\n  ongoing: {rung: crisis}\n");
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_AT(&ds[0], "t.yaml", 20, 3);
  EXPECT_EQ(ds[0].key_path, "end_states.ongoing");
  EXPECT_THAT(ds[0].message, StartsWith("'ongoing' is reserved"));
}

TEST(Load, DuplicateKeySaysWhereTheFirstOneIs) {
  const auto ds = load_errors(with(kMini, "    rationality: 1.0\n", "    rationality: 1.0\n    rationality: 3\n"));
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_AT(&ds[0], "t.yaml", 17, 5);
  EXPECT_EQ(ds[0].hint, "first given at line 16");
}

// ---------------------------------------------------------------------------------------------
// YAML syntax errors, explained where the text shows the cause

TEST(Load, TabIndentationIsNamed) {
  for (const std::string indent : {"\t", "  \t"}) {
    const auto ds = load_errors(with(kMini, "    rationality: 1.0\n", indent + "rationality: 1.0\n"));
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_AT(&ds[0], "t.yaml", 16, 1);
    EXPECT_EQ(ds[0].message, "not valid YAML: a tab indents this line; YAML indentation must use spaces");
  }
}

TEST(Load, WrongIndentationIsNamed) {
  {
    const auto ds = load_errors(with(kMini, "    rationality: 1.0\n    actions:\n",
                                     "    rationality: 1.0\n   actions:\n"));
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_AT(&ds[0], "t.yaml", 17, 4);
    EXPECT_EQ(ds[0].message, "not valid YAML: this line is indented less than the lines of its mapping");
    EXPECT_EQ(ds[0].hint, "the mapping above is indented by 4 spaces");
  }
  {
    const auto ds = load_errors(with(kMini, "    rationality: 1.0\n    actions:\n",
                                     "    rationality: 1.0\n     actions:\n"));
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_AT(&ds[0], "t.yaml", 17, 6);
    EXPECT_EQ(ds[0].message, "not valid YAML: this line is indented more than the lines of its mapping");
    EXPECT_EQ(ds[0].hint, "the line above is indented by 4 spaces");
  }
}

TEST(Load, UnclosedQuotesAreFoundWhereTheyOpen) {
  const std::string last_line_open = [] {  // red's `hold` on the last line, its quote left open
    const std::string t = kMini;
    return t.substr(0, t.rfind("status_quo}")) + "\"status_quo}\n";
  }();
  struct Case {
    std::string text;
    int line, column;
  };
  const std::vector<Case> cases = {
      // Closed by the next line's opening quote; yaml-cpp then fails on line 4.
      {with(kMini, "name: mini\n", "name: mini\ntitle: \"Mini\nquestion: \"Why?\"\n"), 3, 8},
      // Runs to the end of the text, which yaml-cpp accepts as one long text.
      {with(kMini, "name: mini\n", "name: mini\ntitle: 'Mini\n"), 3, 8},
      // On the last line, inside a flow mapping.
      {last_line_open, 18, 21},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto ds = load_errors(c.text);
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_AT(&ds[0], "t.yaml", c.line, c.column);
    EXPECT_EQ(ds[0].message, "not valid YAML: the quoted text starting here is never closed");
  }
}

TEST(Load, QuotesAndBlockTextThatAreValidStayValid) {
  // A quoted text over two lines, a block text holding stray quotes, apostrophes in plain text.
  const std::string text = with(kMini, "name: mini\n",
                                "name: mini\ntitle: \"A long\n  title\"\nquestion: |\n  Blue's \"move\n"
                                "  and 'red\ndescription: it's [not a list\n");
  const Scenario s = geosim::load_scenario_text(text, "t.yaml");
  EXPECT_EQ(s.title, "A long title");
  EXPECT_EQ(s.question, "Blue's \"move\nand 'red\n");
  EXPECT_EQ(s.description, "it's [not a list");
}

TEST(Load, UnclosedBracketIsFoundWhereItOpens) {
  const auto ds = load_errors(with(kMini, "    - {name: calm}\n", "    - {name: calm\n"));
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_AT(&ds[0], "t.yaml", 7, 7);
  EXPECT_EQ(ds[0].message, "not valid YAML: the '{' here is never closed");
  EXPECT_EQ(ds[0].hint, "close it with '}'");
}

TEST(Load, SecondDocumentIsRejected) {
  const auto ds = load_errors(std::string(kMini) + "---\nname: other\n");
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_AT(&ds[0], "t.yaml", 19, 1);
  EXPECT_EQ(ds[0].message, "expected one YAML document, got a second one");
  // A document start marker before the one document is fine.
  EXPECT_EQ(geosim::load_scenario_text("---\n" + std::string(kMini), "t.yaml").name, "mini");
}

TEST(Load, ColumnsCountCharactersNotBytes) {
  // "Café" is five bytes but four characters: the unknown key is at column 24, not 25.
  const auto ds = load_errors(with(kMini, "time: {horizon: 10}", "time: {horizon: 10, x: Caf\xc3\xa9, zz: 1}"));
  ASSERT_EQ(ds.size(), 2u) << dump(ds);
  EXPECT_AT(&ds[1], "t.yaml", 3, 30);
  EXPECT_EQ(ds[1].key_path, "time.zz");
  // After a byte order mark, the first line's columns start at 1 all the same.
  const auto bom = load_errors("\xEF\xBB\xBFzz: 1\n" + std::string(kMini).substr(0, 0) + "name: x\n");
  const Diagnostic* d = find_diag(bom, "zz");
  EXPECT_AT(d, "t.yaml", 1, 1);
}

TEST(Load, ExtendsADirectoryIsReportedAtTheExtendsValue) {
  const auto ds = load_errors("extends: extends\nname: x\n", "t.yaml", fixtures_dir());
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_AT(&ds[0], "t.yaml", 1, 10);
  EXPECT_EQ(ds[0].key_path, "extends");
  EXPECT_EQ(ds[0].message, "expected a scenario file, got a directory");
}

// ---------------------------------------------------------------------------------------------
// Hostile input: each gives one clear error, quickly, without crashing.

TEST(Load, BinaryGarbageWithNulBytesIsRejected) {
  std::vector<Diagnostic> ds;
  const auto t = time_of([&] {
    ds = load_errors(std::string("name: mini\n\x01\x02\x00\xff garbage\x00", 25));
  });
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_AT(&ds[0], "t.yaml", 2, 3);
  EXPECT_EQ(ds[0].message, "expected YAML text, got binary data (a NUL byte)");
  EXPECT_LT(t, kSanityBound);
}

TEST(Load, Utf16TextIsRejectedAsBinary) {
  // "na" in UTF-16LE with a byte order mark.
  const auto ds = load_errors(std::string("\xff\xfen\x00" "a\x00", 6));
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_AT(&ds[0], "t.yaml", 1, 4);
  EXPECT_EQ(ds[0].message, "expected YAML text, got binary data (a NUL byte)");
}

TEST(Load, InvalidUtf8IsRejected) {
  struct Case {
    std::string text;
    int line, column;
  };
  const std::vector<Case> cases = {
      {"name: mini\ntitle: caf\xe9\n", 2, 11},          // Latin-1, not UTF-8
      {"name: mini\ntitle: \xc0\xaf\n", 2, 8},          // overlong encoding of '/'
      {"name: mini\ntitle: \xed\xa0\x80\n", 2, 8},      // UTF-16 surrogate
      {"name: \xf4\x90\x80\x80\n", 1, 7},               // above U+10FFFF
      {"name: mini\ntitle: ok \xe2\x82", 2, 11},        // truncated at the end of the text
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto ds = load_errors(c.text);
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_AT(&ds[0], "t.yaml", c.line, c.column);
    EXPECT_EQ(ds[0].message, "expected UTF-8 text, got an invalid byte sequence");
  }
}

TEST(Load, ValidUtf8IsAccepted) {
  const Scenario s = geosim::load_scenario_text(
      with(kMini, "name: mini\n", "name: mini\ntitle: \"Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8c\x8d\"\n"),
      "t.yaml");
  EXPECT_EQ(s.title, "Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8c\x8d");
}

TEST(Load, DeepFlowNestingIsRejected) {
  for (const char open : {'[', '{'}) {
    SCOPED_TRACE(open);
    std::vector<Diagnostic> ds;
    const auto t = time_of([&] { ds = load_errors(std::string(100000, open)); });
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    // The 65th bracket is one level too many.
    EXPECT_AT(&ds[0], "t.yaml", 1, 65);
    EXPECT_EQ(ds[0].message, "nesting deeper than 64 levels");
    EXPECT_LT(t, kSanityBound);
  }
}

TEST(Load, NestingAtTheLimitIsNotRejectedForDepth) {
  // 60 levels of flow lists under a key: deep but allowed; the error is about the type only.
  const std::string text =
      with(kMini, "rationality: 2.0", "rationality: " + std::string(60, '[') + std::string(60, ']'));
  const auto ds = load_errors(text);
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_EQ(ds[0].key_path, "actors.blue.rationality");
  EXPECT_EQ(ds[0].message, "expected a number, a parameter name or a parameter mapping, got a list");
}

// An apostrophe in a plain scalar (`it's`) must not switch off the nesting pre-check, and deep
// block nesting (`- - - - ...` on one line) is not bounded by indentation. Neither may crash.
TEST(Load, DeepNestingAfterAnApostropheOrInBlockStyleDoesNotCrash) {
  const std::vector<std::string> texts = {
      "title: it's\nname: " + std::string(100000, '['),
      [] {
        std::string s;
        for (int i = 0; i < 50000; ++i) s += "- ";
        return s + "x\n";
      }(),
  };
  for (const auto& text : texts) {
    SCOPED_TRACE(text.substr(0, 20));
    std::vector<Diagnostic> ds;
    const auto t = time_of([&] { ds = load_errors(text); });
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_EQ(ds[0].where.file, "t.yaml");
    EXPECT_GT(ds[0].where.line, 0);
    EXPECT_LT(t, kSanityBound);
  }
}

TEST(Load, DeepNestingAfterAnApostropheOrInBlockStyleSaysNesting) {
  {  // `it's` is plain text, not an opening quote: the 65th bracket (column 71) is found.
    const auto ds = load_errors("title: it's\nname: " + std::string(100000, '['));
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_AT(&ds[0], "t.yaml", 2, 71);
    EXPECT_EQ(ds[0].key_path, "");
    EXPECT_EQ(ds[0].message, "nesting deeper than 64 levels");
  }
  {  // Block nesting on one line: caught by yaml-cpp's own depth guard, reported the same way.
    std::string text;
    for (int i = 0; i < 50000; ++i) text += "- ";
    const auto ds = load_errors(text + "x\n");
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_EQ(ds[0].where.file, "t.yaml");
    EXPECT_EQ(ds[0].where.line, 1);
    EXPECT_EQ(ds[0].key_path, "");
    EXPECT_EQ(ds[0].message, "nesting deeper than 64 levels");
  }
  {  // Block nesting one level a line: caught while the tree is read, at the first node too deep.
    std::string text = "x:\n";
    for (int i = 1; i <= 70; ++i) text += std::string(2 * static_cast<std::size_t>(i), ' ') + "-\n";
    const auto ds = load_errors(text);
    ASSERT_EQ(ds.size(), 1u) << dump(ds);
    EXPECT_AT(&ds[0], "t.yaml", 66, 131);
    EXPECT_EQ(ds[0].message, "nesting deeper than 64 levels");
  }
}

TEST(Load, AliasBombIsRejected) {
  // Billion laughs: 9 levels of 9 aliases each would expand to 9^9 (387 million) strings.
  std::string text = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  std::string prev = "a";
  for (const std::string n : {"b", "c", "d", "e", "f", "g", "h", "i"}) {
    text += n + ": &" + n + " [";
    for (int k = 0; k < 9; ++k) text += (k ? ", *" : "*") + prev;
    text += "]\n";
    prev = n;
  }
  std::vector<Diagnostic> ds;
  const auto t = time_of([&] { ds = load_errors(text, "bomb.yaml"); });
  // Only the limit: the keys a..i are not also reported as unknown, nor `name` etc. as missing.
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_EQ(ds[0].where.file, "bomb.yaml");
  EXPECT_GT(ds[0].where.line, 0);
  EXPECT_EQ(ds[0].message,
            "document too large: more than 250000 values after expanding aliases (an alias bomb?)");
  EXPECT_LT(t, kSanityBound);
}

TEST(Load, TextOver16MiBIsRejected) {
  std::string text = kMini;
  text.resize((16u << 20) + 1, '#');  // the comment runs to the end; one byte over the limit
  std::vector<Diagnostic> ds;
  const auto t = time_of([&] { ds = load_errors(text, "big.yaml"); });
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_EQ(ds[0].where.file, "big.yaml");
  EXPECT_EQ(ds[0].where.line, 0);
  EXPECT_EQ(ds[0].message, "file too large: 16777217 bytes, the limit is 16777216 bytes");
  EXPECT_LT(t, kSanityBound);
}

TEST(Load, FileOver16MiBIsRejected) {
  const fs::path dir = scratch_dir("big");
  const fs::path file = dir / "big.yaml";
  {
    std::ofstream out(file, std::ios::binary);
    std::string text = kMini;
    text.resize((16u << 20) + 1, '#');
    out << text;
  }
  ASSERT_EQ(fs::file_size(file), (16u << 20) + 1);
  const auto ds = load_file_errors(file);
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_EQ(ds[0].where.file, file.string());
  EXPECT_EQ(ds[0].message, "file too large: over 16777216 bytes");
  fs::remove_all(dir);
}

TEST(Load, FileOfExactly16MiBIsNotRejectedForSize) {
  const fs::path dir = scratch_dir("limit");
  const fs::path file = dir / "limit.yaml";
  {
    std::ofstream out(file, std::ios::binary);
    std::string text = std::string(kMini) + "#";
    text.resize(16u << 20, '#');
    out << text;
  }
  ASSERT_EQ(fs::file_size(file), 16u << 20);
  const Scenario s = geosim::load_scenario(file);
  EXPECT_EQ(s.name, "mini");
  fs::remove_all(dir);
}

// ---------------------------------------------------------------------------------------------
// Many errors

TEST(Load, ManyErrorsInOneFileAreAllReported) {
  std::string text = with(kMini, "horizon: 10", "horizon: 0");
  text = with(text, "rationality: 2.0", "rationality: [2]");
  text = with(text, "hold: {class: status_quo}\n      push",
              "hold: {class: status_qou}\n      push");
  text += "escalation_weights: {nuclear: lots}\n";
  const auto ds = load_errors(text);
  ASSERT_EQ(ds.size(), 4u) << dump(ds);
  EXPECT_EQ(ds[0].key_path, "time.horizon");
  EXPECT_EQ(ds[0].where.line, 3);
  EXPECT_EQ(ds[1].key_path, "actors.blue.rationality");
  EXPECT_EQ(ds[1].where.line, 11);
  EXPECT_EQ(ds[2].key_path, "actors.blue.actions.hold.class");
  EXPECT_EQ(ds[2].where.line, 13);
  EXPECT_EQ(ds[2].hint, "did you mean 'status_quo'?");
  EXPECT_EQ(ds[3].key_path, "escalation_weights.nuclear");
  EXPECT_EQ(ds[3].where.line, 19);
  EXPECT_EQ(ds[3].message, "expected a number, got 'lots'");
}

TEST(Load, TooManyErrorsAreCappedWithAMoreProblemsLine) {
  std::string extra;
  for (int i = 0; i < 60; ++i) extra += "    zz" + std::to_string(i) + ": 1\n";
  const std::string text = with(kMini, "    rationality: 1.0\n", "    rationality: 1.0\n" + extra);
  const auto ds = load_errors(text, "many.yaml");
  ASSERT_EQ(ds.size(), 51u) << dump(ds);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(ds[static_cast<std::size_t>(i)].key_path, "actors.red.zz" + std::to_string(i));
    EXPECT_EQ(ds[static_cast<std::size_t>(i)].where.line, 17 + i);
  }
  const Diagnostic& more = ds.back();
  EXPECT_EQ(more.where.file, "many.yaml");
  EXPECT_EQ(more.where.line, 0);
  EXPECT_EQ(more.key_path, "");
  EXPECT_EQ(more.message, "10 more problems not shown (stopped after the first 50)");
  EXPECT_EQ(more.to_string(),
            "many.yaml: error: 10 more problems not shown (stopped after the first 50)");
}

TEST(Load, InputErrorWhatListsEveryDiagnosticOnItsOwnLine) {
  try {
    (void)geosim::load_scenario_text(with(kMini, "horizon: 10", "horizon: 0") + "bogus: 1\n",
                                     "t.yaml");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    ASSERT_EQ(e.diagnostics().size(), 2u);
    EXPECT_EQ(std::string(e.what()),
              e.diagnostics()[0].to_string() + "\n" + e.diagnostics()[1].to_string());
  }
}

// ---------------------------------------------------------------------------------------------
// extends:

TEST(Load, ExtendsMergesChildKeysOverBase) {
  const fs::path child = fixtures_dir() / "extends" / "sub" / "child.yaml";
  const fs::path base = fixtures_dir() / "extends" / "base.yaml";
  const Scenario s = geosim::load_scenario(child);
  // Child values win; keys the child does not give come from the base.
  EXPECT_EQ(s.name, "extends_child");
  EXPECT_EQ(s.title, "Base (changed by child.yaml)");  // a child that sets no title says so
  EXPECT_EQ(s.horizon, 20);
  ASSERT_EQ(s.rungs.size(), 2u);
  ASSERT_EQ(s.actors.size(), 2u);
  EXPECT_EQ(s.actors[0].name, "blue");
  EXPECT_EQ(s.actors[1].name, "red");
  // blue: rationality overridden, resolve and risk_tolerance kept, an action added at the end.
  const geosim::Parameter* lam = geosim::find_parameter(s, "actors.blue.rationality");
  ASSERT_NE(lam, nullptr);
  ASSERT_EQ(lam->dist.args.size(), 1u);
  EXPECT_EQ(lam->dist.args[0], 3.0);
  const geosim::Parameter* resolve = geosim::find_parameter(s, "actors.blue.resolve");
  ASSERT_NE(resolve, nullptr);
  EXPECT_EQ(resolve->dist.args.at(0), 0.2);
  const geosim::Parameter* risk = geosim::find_parameter(s, "actors.blue.risk_tolerance");
  ASSERT_NE(risk, nullptr);
  EXPECT_EQ(risk->dist.args.at(0), 0.4);
  ASSERT_EQ(s.actors[0].actions.size(), 3u);
  EXPECT_EQ(s.actors[0].actions[0].name, "hold");
  EXPECT_EQ(s.actors[0].actions[1].name, "push");
  EXPECT_EQ(s.actors[0].actions[2].name, "talk");
  EXPECT_EQ(s.actors[0].actions[2].min_rung, "crisis");
  EXPECT_EQ(s.actors[1].actions.size(), 2u);
  EXPECT_EQ(s.relations.size(), 1u);
  // The chain, child first; each value remembers its own file.
  ASSERT_EQ(s.files.size(), 2u);
  EXPECT_EQ(s.files[0], normal(child));
  EXPECT_TRUE(fs::equivalent(s.files[1], base)) << s.files[1];
  EXPECT_TRUE(fs::equivalent(s.actors[0].rationality.where.file, child));
  EXPECT_EQ(s.actors[0].rationality.where.line, 7);
  EXPECT_TRUE(fs::equivalent(s.actors[0].resolve.where.file, base));
  EXPECT_EQ(s.actors[0].resolve.where.line, 14);

  const geosim::Model m = geosim::compile(s);
  EXPECT_EQ(m.n_actors(), 2);
  EXPECT_EQ(m.n_actions(), 5);
  EXPECT_EQ(m.names.actions[2], "blue.talk");
}

TEST(Load, ExtendsResolvesRelativePathsFromTheChildsDirectory) {
  // From text: `extends:` is relative to base_dir; the child's own `extends: ../base.yaml` is
  // relative to the child's directory (sub/), not to base_dir nor to the working directory.
  const fs::path dir = fixtures_dir() / "extends";
  const Scenario s = geosim::load_scenario_text("extends: sub/child.yaml\nname: from_text\n",
                                                "inline.yaml", dir);
  EXPECT_EQ(s.name, "from_text");
  EXPECT_EQ(s.title, "Base (changed by inline.yaml)");  // the file given, not the chain's middle
  ASSERT_EQ(s.files.size(), 3u);
  EXPECT_EQ(s.files[0], "inline.yaml");
  EXPECT_TRUE(fs::equivalent(s.files[1], dir / "sub" / "child.yaml")) << s.files[1];
  EXPECT_TRUE(fs::equivalent(s.files[2], dir / "base.yaml")) << s.files[2];
  EXPECT_EQ(s.actors.at(0).actions.size(), 3u);
}

TEST(Load, ExtendsCycleIsReportedWithTheChain) {
  const fs::path a = fixtures_dir() / "cycle" / "a.yaml";
  const fs::path b = fixtures_dir() / "cycle" / "b.yaml";
  std::vector<Diagnostic> ds;
  const auto t = time_of([&] { ds = load_file_errors(a); });
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  // At b.yaml's `extends: a.yaml` (line 2, column 10), which closes the cycle.
  EXPECT_TRUE(fs::equivalent(ds[0].where.file, b)) << ds[0].to_string();
  EXPECT_EQ(ds[0].where.line, 2);
  EXPECT_EQ(ds[0].where.column, 10);
  EXPECT_EQ(ds[0].key_path, "extends");
  EXPECT_EQ(ds[0].message,
            "'extends:' makes a cycle: '" + normal(a) + "' is already in the chain");
  EXPECT_EQ(ds[0].hint,
            "the chain is: " + normal(a) + " -> " + normal(b) + " -> " + normal(a));
  EXPECT_LT(t, kSanityBound);
}

TEST(Load, ExtendsOfItselfIsACycle) {
  const fs::path self = fixtures_dir() / "cycle" / "self.yaml";
  const auto ds = load_file_errors(self);
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_EQ(ds[0].key_path, "extends");
  EXPECT_EQ(ds[0].message,
            "'extends:' makes a cycle: '" + normal(self) + "' is already in the chain");
  EXPECT_EQ(ds[0].hint, "the chain is: " + normal(self) + " -> " + normal(self));
}

TEST(Load, ExtendsMissingBaseIsReported) {
  const fs::path child = fixtures_dir() / "extends" / "missing_base.yaml";
  const auto ds = load_file_errors(child);
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_EQ(ds[0].where.file, normal(child));
  EXPECT_EQ(ds[0].where.line, 2);
  EXPECT_EQ(ds[0].where.column, 10);
  EXPECT_EQ(ds[0].key_path, "extends");
  EXPECT_EQ(ds[0].message,
            "expected an existing scenario file, got 'no_such_base.yaml' (looked for '" +
                normal(fixtures_dir() / "extends" / "no_such_base.yaml") + "')");
}

TEST(Load, ExtendsChainIsLimitedTo16Files) {
  // f0 extends f1 extends ... ; the last file is a full scenario.
  const fs::path dir = scratch_dir("chain");
  auto file = [&](int i) { return dir / fmt::format("f{}.yaml", i); };
  auto write_chain = [&](int n) {
    for (int i = 0; i + 1 < n; ++i)
      std::ofstream(file(i)) << fmt::format("extends: f{}.yaml\nname: f{}\n", i + 1, i);
    std::ofstream(file(n - 1)) << kMini;
  };
  write_chain(16);
  const Scenario s = geosim::load_scenario(file(0));
  EXPECT_EQ(s.name, "f0");
  EXPECT_EQ(s.files.size(), 16u);

  fs::remove_all(dir);
  fs::create_directories(dir);
  write_chain(17);
  const auto ds = load_file_errors(file(0));
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_EQ(ds[0].where.file, file(15).string());
  EXPECT_EQ(ds[0].where.line, 1);
  EXPECT_EQ(ds[0].key_path, "extends");
  EXPECT_EQ(ds[0].message, "'extends:' chain longer than 16 files");
  fs::remove_all(dir);
}

TEST(Load, ExtendsWithANonTextValueIsRejected) {
  const auto ds = load_errors("extends: [a.yaml]\nname: x\n");
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_AT(&ds[0], "t.yaml", 1, 10);
  EXPECT_EQ(ds[0].key_path, "extends");
  EXPECT_EQ(ds[0].message, "expected the path of the scenario this one extends, got a list");
}

TEST(Load, ExtendsErrorsNameTheFileTheValueCameFrom) {
  const fs::path child = fixtures_dir() / "extends" / "sub" / "child_bad.yaml";
  const fs::path base = fixtures_dir() / "extends" / "base_bad.yaml";
  const auto ds = load_file_errors(child);
  ASSERT_EQ(ds.size(), 2u) << dump(ds);
  // The overriding value is the child's.
  const Diagnostic* over = find_diag(ds, "actors.blue.rationality");
  ASSERT_NE(over, nullptr) << dump(ds);
  EXPECT_TRUE(fs::equivalent(over->where.file, child)) << over->to_string();
  EXPECT_EQ(over->where.line, 6);
  EXPECT_EQ(over->where.column, 18);
  // A value only the base gives is the base's.
  const Diagnostic* inherited = find_diag(ds, "actors.red.risk_tolerance");
  ASSERT_NE(inherited, nullptr) << dump(ds);
  EXPECT_TRUE(fs::equivalent(inherited->where.file, base)) << inherited->to_string();
  EXPECT_EQ(inherited->where.line, 15);
  EXPECT_EQ(inherited->where.column, 21);
}

TEST(Load, ExtendsCompileErrorsNameTheFileTheValueCameFrom) {
  const fs::path child = fixtures_dir() / "extends" / "sub" / "child_semantic.yaml";
  const fs::path base = fixtures_dir() / "extends" / "base_semantic.yaml";
  const Scenario s = geosim::load_scenario(child);
  const auto ds = geosim::testing_support::compile_errors(s);
  ASSERT_EQ(ds.size(), 2u) << dump(ds);
  const Diagnostic* over = find_diag(ds, "actors.blue.capacity");
  ASSERT_NE(over, nullptr) << dump(ds);
  EXPECT_TRUE(fs::equivalent(over->where.file, child)) << over->to_string();
  EXPECT_EQ(over->where.line, 6);
  EXPECT_EQ(over->where.column, 15);
  EXPECT_EQ(over->message, "expected a value > 0, got 0");
  const Diagnostic* inherited = find_diag(ds, "actors.red.risk_tolerance");
  ASSERT_NE(inherited, nullptr) << dump(ds);
  EXPECT_TRUE(fs::equivalent(inherited->where.file, base)) << inherited->to_string();
  EXPECT_EQ(inherited->where.line, 15);
  EXPECT_EQ(inherited->where.column, 21);
  EXPECT_EQ(inherited->message, "expected a value in [0, 1], got 1.5");
}

TEST(Load, ExtendsBaseFileIsNamedByItsNormalPath) {
  const fs::path child = fixtures_dir() / "extends" / "sub" / "child_bad.yaml";
  const fs::path base = fixtures_dir() / "extends" / "base_bad.yaml";
  const auto ds = load_file_errors(child);
  const Diagnostic* inherited = find_diag(ds, "actors.red.risk_tolerance");
  ASSERT_NE(inherited, nullptr) << dump(ds);
  EXPECT_EQ(inherited->where.file, normal(base));  // not .../extends/sub/../base_bad.yaml
  const Diagnostic* over = find_diag(ds, "actors.blue.rationality");
  ASSERT_NE(over, nullptr) << dump(ds);
  EXPECT_EQ(over->where.file, normal(child));
  // The same names as Scenario::files, so a diagnostic can be matched to the chain.
  const Scenario s = geosim::load_scenario(fixtures_dir() / "extends" / "sub" / "child.yaml");
  ASSERT_EQ(s.files.size(), 2u);
  EXPECT_EQ(s.files[1], normal(fixtures_dir() / "extends" / "base.yaml"));
  EXPECT_EQ(s.actors.at(0).resolve.where.file, s.files[1]);
}

}  // namespace
