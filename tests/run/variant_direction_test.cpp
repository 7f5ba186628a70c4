// Each variant of the North Korea family moves the outcomes in the direction its article argues,
// shown by the paired comparison (common random numbers) with a 95% interval that excludes zero.
// Fixed seed 7; 4000 paired runs per variant. The expectations come from the articles (see
// docs/scenarios.md), not from the model's output.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "geosim/compare.h"
#include "geosim/scenario.h"

namespace {

namespace fs = std::filesystem;
const fs::path kDir = fs::path(GEOSIM_SOURCE_DIR) / "scenarios/dprk_russia_2024";

struct Expectation {
  std::string variant;
  std::string kind;  // "end_state", "reached_rung" or "indicator" (mean at the horizon)
  std::string name;
  int sign;          // +1: the variant raises it; -1: lowers it
  std::string why;   // the article's argument
};

void PrintTo(const Expectation& e, std::ostream* os) { *os << e.variant << ": " << e.name; }

class VariantDirection : public ::testing::TestWithParam<Expectation> {};

TEST_P(VariantDirection, MovesAsItsArticleArgues) {
  const Expectation& e = GetParam();
  const auto base = geosim::compile(geosim::load_scenario(kDir / "baseline.yaml"));
  const auto variant = geosim::compile(geosim::load_scenario(kDir / (e.variant + ".yaml")));
  geosim::MonteCarloOptions opt;
  opt.master_seed = 7;
  opt.runs = 4000;
  const auto c = geosim::compare_scenarios(base, variant, opt);
  geosim::Interval ci{0, 0};
  double diff = 0;
  bool found = false;
  if (e.kind == "indicator") {
    for (const auto& d : c.indicators)
      if (d.name == e.name) {
        ci = d.paired_ci;
        diff = d.diff;
        found = true;
      }
  } else {
    for (const auto& o : c.outcomes)
      if (o.kind == e.kind && o.name == e.name) {
        ci = o.paired_ci;
        diff = o.diff;
        found = true;
      }
  }
  ASSERT_TRUE(found) << "no " << e.kind << " '" << e.name << "' in the comparison";
  if (e.sign > 0) {
    EXPECT_GT(ci.lo, 0.0) << e.why << ": difference " << diff << ", 95% CI [" << ci.lo << ", " << ci.hi << "]";
  } else {
    EXPECT_LT(ci.hi, 0.0) << e.why << ": difference " << diff << ", 95% CI [" << ci.lo << ", " << ci.hi << "]";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Family, VariantDirection,
    ::testing::Values(
        Expectation{"china_pressuring", "indicator", "dprk_expanded", -1,
                    "China pressuring Pyongyang lowers the chance the DPRK expands its deployment (000)"},
        Expectation{"china_complicit", "indicator", "china_complicit", +1,
                    "a complicit China becomes an adjacent belligerent more often (002)"},
        Expectation{"china_complicit", "reached_rung", "regional_spillover", +1,
                    "complicity widens the war towards a regional one (002)"},
        Expectation{"nato_costly_response", "reached_rung", "western_counter_escalation", +1,
                    "a costly NATO response raises the chance of Western counter-escalation (002)"},
        Expectation{"nato_costly_response", "indicator", "dprk_expanded", -1,
                    "imposing costs deters more North Korean troops (Zelensky in 002)"},
        Expectation{"nato_restraint", "indicator", "dprk_expanded", +1,
                    "'the reaction ... has been zero' so troop numbers will increase (002)"},
        Expectation{"dprk_aggressive", "reached_rung", "regional_spillover", +1,
                    "an aggressive DPRK makes a peninsula crisis more likely (003)"},
        Expectation{"dprk_defensive", "reached_rung", "regional_spillover", -1,
                    "a defensive DPRK makes a peninsula crisis less likely (003)"},
        Expectation{"rok_lethal_aid", "indicator", "rok_lethal_aid", +1,
                    "Seoul sends arms to Ukraine (002, 004)"},
        Expectation{"rok_lethal_aid", "reached_rung", "western_counter_escalation", +1,
                    "ROK lethal aid is Western counter-escalation (002)"},
        Expectation{"rok_restraint", "indicator", "rok_lethal_aid", -1,
                    "a restrained Seoul sends no arms (002)"},
        Expectation{"negotiated_peace", "end_state", "ceasefire", +1,
                    "a negotiated peace ends the war in a ceasefire more often (002)"},
        Expectation{"long_war", "end_state", "ceasefire", -1,
                    "wars are easy to start but difficult to end (002)"}),
    [](const ::testing::TestParamInfo<Expectation>& p) {
      return p.param.variant + "_" + p.param.name;
    });

}  // namespace
