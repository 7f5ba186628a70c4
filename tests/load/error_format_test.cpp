// Tests for include/geosim/error.h: the one diagnostic format, the sink that collects and caps
// diagnostics, and the edit distance behind "did you mean".
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "geosim/error.h"

namespace {

using geosim::closest_match;
using geosim::Diagnostic;
using geosim::DiagnosticSink;
using geosim::did_you_mean;
using geosim::edit_distance;
using geosim::InputError;
using geosim::Location;

// ---------------------------------------------------------------------------------------------
// Diagnostic::to_string

TEST(ErrorFormat, ToStringWithEverything) {
  const Diagnostic d{Location{"s.yaml", 3, 7}, "actors.blue.rationality", "unknown key",
                     "did you mean 'rationality'?"};
  EXPECT_EQ(d.to_string(),
            "s.yaml:3:7: error: actors.blue.rationality: unknown key (did you mean 'rationality'?)");
}

TEST(ErrorFormat, ToStringWithoutHint) {
  const Diagnostic d{Location{"s.yaml", 12, 1}, "time.horizon", "expected a whole number, got 'x'", ""};
  EXPECT_EQ(d.to_string(), "s.yaml:12:1: error: time.horizon: expected a whole number, got 'x'");
}

TEST(ErrorFormat, ToStringWithoutKeyPath) {
  const Diagnostic d{Location{"s.yaml", 2, 5}, "", "not valid YAML: illegal map value", ""};
  EXPECT_EQ(d.to_string(), "s.yaml:2:5: error: not valid YAML: illegal map value");
}

TEST(ErrorFormat, ToStringWithoutLineNamesOnlyTheFile) {
  const Diagnostic d{Location{"dir/s.yaml", 0, 0}, "", "no such file", ""};
  EXPECT_EQ(d.to_string(), "dir/s.yaml: error: no such file");
}

TEST(ErrorFormat, ToStringWithoutFile) {
  const Diagnostic d{Location{}, "actors", "expected at least one actor, got none", "a hint"};
  EXPECT_EQ(d.to_string(), "error: actors: expected at least one actor, got none (a hint)");
}

TEST(ErrorFormat, ToStringWithHintButNoKeyPath) {
  const Diagnostic d{Location{"s.yaml", 1, 1}, "", "message", "hint"};
  EXPECT_EQ(d.to_string(), "s.yaml:1:1: error: message (hint)");
}

// ---------------------------------------------------------------------------------------------
// InputError and DiagnosticSink

TEST(ErrorFormat, InputErrorWhatJoinsDiagnosticsByNewline) {
  const std::vector<Diagnostic> ds = {
      {Location{"a.yaml", 1, 2}, "x", "first", ""},
      {Location{"a.yaml", 3, 4}, "", "second", "h"},
  };
  const InputError e(ds);
  EXPECT_EQ(std::string(e.what()), "a.yaml:1:2: error: x: first\na.yaml:3:4: error: second (h)");
  ASSERT_EQ(e.diagnostics().size(), 2u);
  EXPECT_EQ(e.diagnostics()[1].message, "second");
}

TEST(ErrorFormat, InputErrorFromOneDiagnostic) {
  const InputError e(Diagnostic{Location{"a.yaml", 0, 0}, "", "no such file", ""});
  EXPECT_EQ(std::string(e.what()), "a.yaml: error: no such file");
  EXPECT_EQ(e.diagnostics().size(), 1u);
}

TEST(ErrorFormat, EmptySinkDoesNotThrow) {
  const DiagnosticSink sink;
  EXPECT_TRUE(sink.empty());
  EXPECT_EQ(sink.count(), 0u);
  EXPECT_NO_THROW(sink.throw_if_any());
}

TEST(ErrorFormat, SinkThrowsEverythingInOrder) {
  DiagnosticSink sink;
  sink.error(Location{"f.yaml", 1, 1}, "a", "one");
  sink.error(Location{"f.yaml", 2, 1}, "b", "two", "hint");
  EXPECT_FALSE(sink.empty());
  EXPECT_EQ(sink.count(), 2u);
  try {
    sink.throw_if_any();
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    ASSERT_EQ(e.diagnostics().size(), 2u);
    EXPECT_EQ(e.diagnostics()[0].to_string(), "f.yaml:1:1: error: a: one");
    EXPECT_EQ(e.diagnostics()[1].to_string(), "f.yaml:2:1: error: b: two (hint)");
  }
}

TEST(ErrorFormat, SinkCapsAndAddsAMoreProblemsLine) {
  DiagnosticSink sink(3);
  for (int i = 0; i < 10; ++i) sink.error(Location{"f.yaml", i + 1, 1}, "", "problem");
  EXPECT_EQ(sink.count(), 10u);
  EXPECT_EQ(sink.diagnostics().size(), 3u);
  try {
    sink.throw_if_any();
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    ASSERT_EQ(e.diagnostics().size(), 4u);
    EXPECT_EQ(e.diagnostics()[2].where.line, 3);
    EXPECT_EQ(e.diagnostics()[3].to_string(),
              "f.yaml: error: 7 more problems not shown (stopped after the first 3)");
  }
}

TEST(ErrorFormat, SinkAtExactlyTheCapHasNoMoreProblemsLine) {
  DiagnosticSink sink(3);
  for (int i = 0; i < 3; ++i) sink.error(Location{"f.yaml", i + 1, 1}, "", "problem");
  try {
    sink.throw_if_any();
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.diagnostics().size(), 3u);
  }
}

TEST(ErrorFormat, SinkIsFullAtItsCap) {
  DiagnosticSink sink(2);
  EXPECT_FALSE(sink.full());
  sink.error(Location{"f.yaml", 1, 1}, "", "one");
  EXPECT_FALSE(sink.full());
  sink.error(Location{"f.yaml", 2, 1}, "", "two");
  EXPECT_TRUE(sink.full());
  sink.error(Location{"f.yaml", 3, 1}, "", "three");
  EXPECT_TRUE(sink.full());
  EXPECT_EQ(sink.count(), 3u);
}

TEST(ErrorFormat, DefaultSinkCapIsFifty) {
  DiagnosticSink sink;
  for (int i = 0; i < 51; ++i) sink.error(Location{"f.yaml", i + 1, 1}, "", "problem");
  EXPECT_EQ(sink.diagnostics().size(), 50u);
  EXPECT_EQ(sink.count(), 51u);
}

// ---------------------------------------------------------------------------------------------
// edit_distance, closest_match, did_you_mean

TEST(ErrorFormat, EditDistanceExactValues) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("sitting", "kitten"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("flaw", "lawn"), 2u);
  EXPECT_EQ(edit_distance("rationalty", "rationality"), 1u);
  EXPECT_EQ(edit_distance("same", "same"), 0u);
  EXPECT_EQ(edit_distance("abc", "acb"), 2u);  // a transposition is two edits in Levenshtein
  EXPECT_EQ(edit_distance("abc", "xyz"), 3u);
}

TEST(ErrorFormat, ClosestMatchFindsOneAndTwoLetterTypos) {
  const std::vector<std::string> keys = {"label",    "description",    "rationality", "resolve",
                                         "capacity", "risk_tolerance", "reciprocity", "actions"};
  EXPECT_EQ(closest_match("rationalty", keys), "rationality");      // one letter dropped
  EXPECT_EQ(closest_match("resolv", keys), "resolve");              // one letter dropped
  EXPECT_EQ(closest_match("capasity", keys), "capacity");           // one letter wrong
  EXPECT_EQ(closest_match("actionss", keys), "actions");            // one letter added
  EXPECT_EQ(closest_match("risk_tolerence", keys), "risk_tolerance");  // one letter wrong
  EXPECT_EQ(closest_match("rsk_tolerence", keys), "risk_tolerance");   // two letters
  EXPECT_EQ(closest_match("reciprosity", keys), "reciprocity");
  EXPECT_EQ(closest_match("lable", keys), "label");                 // transposition
}

TEST(ErrorFormat, ClosestMatchIsEmptyForUnrelatedWords) {
  const std::vector<std::string> keys = {"rationality", "resolve", "capacity", "actions"};
  EXPECT_EQ(closest_match("banana", keys), "");
  EXPECT_EQ(closest_match("zzzzzzzz", keys), "");
  EXPECT_EQ(closest_match("population", keys), "");
  EXPECT_EQ(closest_match("anything", {}), "");
}

TEST(ErrorFormat, ClosestMatchIsEmptyForAnExactMatch) {
  // Callers ask only about names that were not found; an exact match is not a typo.
  EXPECT_EQ(closest_match("resolve", {"resolve", "resolved"}), "");
}

TEST(ErrorFormat, ClosestMatchPrefersTheNearestThenTheFirst) {
  EXPECT_EQ(closest_match("holt", {"hold", "halt", "holts"}), "hold");
  EXPECT_EQ(closest_match("crisiss", {"calm", "crisis", "war"}), "crisis");
}

TEST(ErrorFormat, ClosestMatchIsEmptyForUnrelatedShortWords) {
  // A name no closer than it is long shares nothing with the candidate: no suggestion.
  EXPECT_EQ(closest_match("ab", {"cd"}), "");
  EXPECT_EQ(closest_match("id", {"lt", "le", "gt", "ge", "eq", "ne"}), "");
  EXPECT_EQ(closest_match("x", {"y"}), "");
  EXPECT_EQ(closest_match("", {"ab"}), "");
}

TEST(ErrorFormat, ClosestMatchStillFindsTyposInShortNames) {
  // The guard against unrelated short names must not lose real typos of short names.
  EXPECT_EQ(closest_match("wr", {"calm", "crisis", "war"}), "war");
  EXPECT_EQ(closest_match("rd", {"blue", "red"}), "red");
  EXPECT_EQ(closest_match("gte", {"lt", "le", "gt", "ge"}), "gt");
}

TEST(ErrorFormat, ClosestMatchAmongManyCandidates) {
  // Thousands of candidates: most are ruled out by length alone; the near one is still found.
  std::vector<std::string> many;
  for (int i = 0; i < 5000; ++i) many.push_back("parameter_number_" + std::to_string(i));
  many.push_back("blue_resolve");
  EXPECT_EQ(closest_match("blue_reslove", many), "blue_resolve");
  EXPECT_EQ(closest_match("parameter_number_4999x", many), "parameter_number_4999");
  EXPECT_EQ(closest_match("zebra", many), "");
}

TEST(ErrorFormat, DidYouMeanWordsTheHint) {
  EXPECT_EQ(did_you_mean("rationalty", {"resolve", "rationality"}), "did you mean 'rationality'?");
  EXPECT_EQ(did_you_mean("banana", {"resolve", "rationality"}), "");
}

}  // namespace
