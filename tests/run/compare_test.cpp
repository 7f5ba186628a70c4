// Paired comparison: Newcombe's intervals against published values, and common random numbers.
#include <filesystem>

#include <stdexcept>

#include <gtest/gtest.h>

#include "geosim/compare.h"
#include "geosim/scenario.h"

namespace {

// Cavo et al. (2012) data as used in Fagerland, Lydersen and Laake, "Statistical Analysis of
// Contingency Tables" (2017), chapter 8; the R package contingencytables' test expects
// Newcombe square-and-add: estimate -0.0621, 95% CI -0.1186 to -0.0046 for p1 - p2 with
// n = [[59, 6], [16, 80]] (rows: first test, columns: second). Our difference is p_B - p_A with
// A the rows, so the interval is mirrored.
TEST(Newcombe, PairedIntervalMatchesPublishedCavoExample) {
  geosim::PairedCounts c{59, 6, 16, 80};
  const auto ci = geosim::newcombe_paired_interval(c);
  EXPECT_NEAR(ci.lo, 0.0046, 5e-5);
  EXPECT_NEAR(ci.hi, 0.1186, 5e-5);
}

// Newcombe (1998), Statistics in Medicine 17:873-890, Table II example (a): 56/70 versus 48/80,
// method 10 (hybrid score): difference 0.2000, 95% CI 0.0524 to 0.3339.
TEST(Newcombe, UnpairedIntervalMatchesPublishedExample) {
  const auto ci = geosim::newcombe_unpaired_interval(48, 80, 56, 70);
  EXPECT_NEAR(ci.lo, 0.0524, 5e-5);
  EXPECT_NEAR(ci.hi, 0.3339, 5e-5);
}

TEST(Newcombe, IdenticalPairsGiveAnIntervalAroundZero) {
  geosim::PairedCounts c{300, 0, 0, 700};
  const auto ci = geosim::newcombe_paired_interval(c);
  EXPECT_LE(ci.lo, 0.0);
  EXPECT_GE(ci.hi, 0.0);
  EXPECT_LT(ci.hi - ci.lo, 0.01);
}

const std::filesystem::path kToy = std::filesystem::path(GEOSIM_SOURCE_DIR) / "scenarios/toy/standoff.yaml";

TEST(Compare, AScenarioAgainstItselfMovesNothingAndPairsExactly) {
  const auto m = geosim::compile(geosim::load_scenario(kToy));
  geosim::MonteCarloOptions opt;
  opt.master_seed = 11;
  opt.runs = 4000;
  opt.threads = 2;
  const auto c = geosim::compare_scenarios(m, m, opt);
  for (const auto& o : c.outcomes) {
    EXPECT_EQ(o.counts.n10, 0u) << o.name;  // common random numbers: run i is the same run
    EXPECT_EQ(o.counts.n01, 0u) << o.name;
    EXPECT_EQ(o.diff, 0.0) << o.name;
  }
  for (const auto& d : c.indicators) EXPECT_EQ(d.diff, 0.0) << d.name;
}

// Two unrelated scenarios have no outcome in common: refused, not reported as 100-point moves.
TEST(Compare, ScenariosWithNoOutcomeInCommonAreRefused) {
  const auto toy = geosim::compile(geosim::load_scenario(kToy));
  const auto baseline = geosim::compile(geosim::load_scenario(
      std::string(GEOSIM_SOURCE_DIR) + "/scenarios/dprk_russia_2024/baseline.yaml"));
  geosim::MonteCarloOptions opt;
  opt.runs = 10;
  try {
    (void)geosim::compare_scenarios(toy, baseline, opt);
    ADD_FAILURE() << "compared a toy with the baseline";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'toy_standoff' and 'dprk_russia_2024' share no end state "
                                         "and no rung"),
              std::string::npos)
        << e.what();
  }
}

TEST(Compare, ThreadCountDoesNotChangeTheComparison) {
  const auto a = geosim::compile(geosim::load_scenario(kToy));
  auto s = geosim::load_scenario(kToy);
  for (auto& p : s.parameters)
    if (p.name == "talks_succeed") p.dist.args = {0.5};
  const auto b = geosim::compile(s);
  geosim::MonteCarloOptions opt;
  opt.master_seed = 5;
  opt.runs = 3000;
  opt.threads = 1;
  const auto one = geosim::comparison_to_json(geosim::compare_scenarios(a, b, opt));
  opt.threads = 3;
  EXPECT_EQ(geosim::comparison_to_json(geosim::compare_scenarios(a, b, opt)), one);
}

TEST(Compare, PairingNarrowsTheIntervalOfARealChange) {
  const auto a = geosim::compile(geosim::load_scenario(kToy));
  auto s = geosim::load_scenario(kToy);
  for (auto& p : s.parameters)
    if (p.name == "talks_succeed") p.dist.args = {0.5};
  const auto b = geosim::compile(s);
  geosim::MonteCarloOptions opt;
  opt.master_seed = 5;
  opt.runs = 5000;
  const auto c = geosim::compare_scenarios(a, b, opt);
  bool checked = false;
  for (const auto& o : c.outcomes) {
    if (o.name != "talks") continue;
    checked = true;
    EXPECT_GT(o.diff, 0.0);  // talks that succeed more often end more runs in talks
    EXPECT_GT(o.paired_ci.lo, 0.0);
    EXPECT_LT(o.paired_ci.hi - o.paired_ci.lo, o.unpaired_ci.hi - o.unpaired_ci.lo);
  }
  EXPECT_TRUE(checked);
}

}  // namespace
