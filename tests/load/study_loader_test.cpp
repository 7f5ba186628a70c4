// Tests for the study file reader (engine/load/study_loader.cpp): an unknown name in a study is
// reported at the value that names it, and a scenario file that is not there is suggested from
// its folder. The names themselves are checked against the scenario by scenario_evaluator.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "geosim/error.h"
#include "geosim/scenario.h"
#include "geosim/sweep.h"
#include "load/test_support.h"

namespace {

namespace fs = std::filesystem;
using geosim::Diagnostic;
using geosim::testing_support::dump;
using geosim::testing_support::find_diag;
using geosim::testing_support::source_dir;

fs::path toy() { return source_dir() / "scenarios" / "toy" / "standoff.yaml"; }

// Writes `text` as study.yaml in a fresh folder and returns its path.
fs::path write_study(const std::string& name, const std::string& text) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("geosim_study_loader_test_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "study.yaml") << text;
  return dir / "study.yaml";
}

// A study of the toy scenario with these factors and outputs (each a block of indented lines).
// Line numbers: factors start on line 5, outputs on the line after the last factor + 1.
std::string toy_study(const std::string& factors, const std::string& outputs) {
  return "study: 1\nname: s\nscenario: " + toy().string() +
         "\ndesign: {kind: lhs, points: 4}\nfactors:\n" + factors + "outputs:\n" + outputs;
}

// Everything load_study and scenario_evaluator report (the study must fail one of them).
std::vector<Diagnostic> study_errors(const fs::path& study) {
  try {
    geosim::study::scenario_evaluator(geosim::study::load_study(study));
  } catch (const geosim::InputError& e) {
    return e.diagnostics();
  }
  ADD_FAILURE() << "expected the study to be rejected";
  return {};
}

TEST(StudyLoader, UnknownRungIsReportedAtTheValueThatNamesIt) {
  const fs::path f = write_study(
      "rung", toy_study("  blue_resolve: {low: 0, high: 1}\n", "  p_war: {reached_rung: wr}\n"));
  const auto ds = study_errors(f);
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_EQ(ds[0].to_string(),
            f.string() +
                ":8:25: error: outputs.p_war: expected the name of a rung of toy_standoff, got "
                "'wr' (did you mean 'war'?)");
}

TEST(StudyLoader, UnknownEndStateAndIndicatorAreReportedAtTheirValues) {
  const fs::path f = write_study("end_state", toy_study("  blue_resolve: {low: 0, high: 1}\n",
                                                        "  p_talks: {end_state: tlaks}\n"
                                                        "  dead:\n    indicator: casualtie\n"));
  const auto ds = study_errors(f);
  ASSERT_EQ(ds.size(), 2u) << dump(ds);
  EXPECT_AT(find_diag(ds, "outputs.p_talks"), f.string(), 8, 24);
  EXPECT_AT(find_diag(ds, "outputs.dead"), f.string(), 10, 16);
}

TEST(StudyLoader, UnknownFactorParameterIsReportedAtTheParameterValue) {
  const fs::path f = write_study(
      "factor_value",
      toy_study("  x: {parameter: actors.red.resolv, low: 0, high: 1}\n",
                "  p: {reached_rung: war}\n"));
  const auto ds = study_errors(f);
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_AT(&ds[0], f.string(), 6, 18);
  EXPECT_EQ(ds[0].key_path, "factors.x");
}

TEST(StudyLoader, UnknownFactorNamedByItsKeyIsReportedAtTheKey) {
  // Without `parameter:`, the factor's key is the parameter's name.
  const fs::path f = write_study(
      "factor_key", toy_study("  blue_resolv: {low: 0, high: 1}\n", "  p: {reached_rung: war}\n"));
  const auto ds = study_errors(f);
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_AT(&ds[0], f.string(), 6, 3);
  EXPECT_EQ(ds[0].hint, "did you mean 'blue_resolve'?");
}

TEST(StudyLoader, MissingScenarioIsSuggestedFromItsFolderAndShownAtItsFullPath) {
  const fs::path dir = fs::path(::testing::TempDir()) / "geosim_study_loader_test_missing";
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy_file(toy(), dir / "standoff.yaml");
  std::ofstream(dir / "study.yaml")
      << "study: 1\nname: s\nscenario: standof.yaml\ndesign: {kind: lhs, points: 4}\n"
         "factors: {blue_resolve: {low: 0, high: 1}}\noutputs: {p: {reached_rung: war}}\n";
  const auto ds = study_errors(dir / "study.yaml");
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_EQ(ds[0].to_string(),
            (dir / "study.yaml").string() +
                ":3:11: error: scenario: expected an existing scenario file, got 'standof.yaml' "
                "(looked for '" +
                (fs::absolute(dir) / "standof.yaml").lexically_normal().string() +
                "') (did you mean 'standoff.yaml'?)");
}

// did_you_mean_parameter: what a study's factor may have meant.

TEST(StudyLoader, ParameterSuggestionPrefersADeclaredParameter) {
  const geosim::Scenario s = geosim::load_scenario(toy());
  EXPECT_EQ(geosim::did_you_mean_parameter(s, "blue_resolv"), "did you mean 'blue_resolve'?");
}

TEST(StudyLoader, ParameterSuggestionFallsBackToTheKeyPathsOfFields) {
  const geosim::Scenario s = geosim::load_scenario(toy());
  EXPECT_EQ(geosim::did_you_mean_parameter(s, "actors.red.resolv"),
            "did you mean 'actors.red.resolve'?");
  EXPECT_EQ(geosim::did_you_mean_parameter(s, "nothing_like_any_name_at_all"), "");
}

// A design too large for memory is refused at the key that sets its size (it was a std::bad_alloc
// with exit code 1 when the design was built), and one just inside the limit is accepted.
std::vector<Diagnostic> load_errors(const fs::path& study) {
  try {
    (void)geosim::study::load_study(study);
  } catch (const geosim::InputError& e) {
    return e.diagnostics();
  }
  return {};
}

std::string study_with_design(const std::string& design, int factors) {
  std::string text = "study: 1\nname: s\nscenario: " + toy().string() + "\ndesign: " + design +
                     "\nfactors:\n";
  for (int i = 0; i < factors; ++i)
    text += "  blue_resolve_" + std::to_string(i) + ": {parameter: actors.blue.resolve, low: 0, high: 1}\n";
  return text + "outputs:\n  p: {reached_rung: war}\n";
}

TEST(StudyLoader, ADesignTooLargeForMemoryIsRefusedAtTheKeyThatSetsItsSize) {
  // Sobol': 2^22 x (6 + 2) = 33.6 million points.
  const fs::path sobol = write_study("big_sobol", study_with_design("{kind: sobol, base_points: 4194304}", 6));
  auto ds = load_errors(sobol);
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_EQ(ds[0].key_path, "design.base_points");
  EXPECT_EQ(ds[0].where.line, 4);
  EXPECT_EQ(ds[0].where.column, 36);
  EXPECT_NE(ds[0].message.find("N x (factors + 2) = 4194304 x 8: 3.36e+07 points"), std::string::npos)
      << ds[0].message;
  // A grid: 10 levels over 8 factors = 10^8 points.
  const fs::path grid = write_study("big_grid", study_with_design("{kind: grid, levels: 10}", 8));
  ds = load_errors(grid);
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_EQ(ds[0].key_path, "design.levels");
  // Morris: 100,000 trajectories x (200 + 1) factors.
  const fs::path morris =
      write_study("big_morris", study_with_design("{kind: morris, trajectories: 100000}", 200));
  ds = load_errors(morris);
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_EQ(ds[0].key_path, "design.trajectories");
  // Just inside: 2^20 x 8 = 8.4 million points.
  EXPECT_TRUE(load_errors(write_study("ok_sobol", study_with_design("{kind: sobol, base_points: 1048576}", 6))).empty());
}

}  // namespace
