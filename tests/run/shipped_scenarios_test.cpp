// Every shipped scenario loads, compiles, passes the sources check against the articles and runs;
// the baseline's outcome distribution is not degenerate.
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "geosim/scenario.h"
#include "geosim/sources.h"
#include "geosim/summary.h"

namespace {

namespace fs = std::filesystem;
const fs::path kRoot = fs::path(GEOSIM_SOURCE_DIR);
const fs::path kSeeds = kRoot / ".." / "shared" / "seeds";

std::vector<std::string> shipped() {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(kRoot / "scenarios"))
    if (e.path().extension() == ".yaml" && e.path().filename().string().find("study") == std::string::npos)
      out.push_back(fs::relative(e.path(), kRoot).string());
  std::sort(out.begin(), out.end());
  return out;
}

class Shipped : public ::testing::TestWithParam<std::string> {};

TEST_P(Shipped, LoadsPassesTheSourcesCheckAndRuns) {
  const auto scenario = geosim::load_scenario(kRoot / GetParam());
  const auto model = geosim::compile(scenario);
  if (fs::exists(kSeeds)) {
    const auto report = geosim::check_sources(scenario, kSeeds);
    EXPECT_EQ(report.missing_quotes(), 0u) << geosim::source_report_to_text(scenario, report);
    if (GetParam().find("dprk_russia_2024") != std::string::npos) {
      // The family promises no bare numbers: each is sourced or a stated assumption.
      EXPECT_TRUE(report.bare.empty()) << geosim::source_report_to_text(scenario, report);
      EXPECT_GT(report.quotes.size(), 10u);
    }
  } else {
    ADD_FAILURE() << "the source articles are not at " << kSeeds << "; cannot check quotes";
  }
  geosim::MonteCarloOptions opt;
  opt.runs = 300;
  opt.master_seed = 1;
  const auto acc = geosim::run_monte_carlo(model, opt);
  EXPECT_EQ(acc.runs, 300u);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, Shipped, ::testing::ValuesIn(shipped()),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           std::string n = p.param;
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

// No outcome of the baseline sits at exactly 0 or 1 unless the structure forces it: the start
// rung is reached by definition, and everything else must be possible but not certain.
TEST(Baseline, OutcomeDistributionIsNotDegenerate) {
  const auto model =
      geosim::compile(geosim::load_scenario(kRoot / "scenarios/dprk_russia_2024/baseline.yaml"));
  geosim::MonteCarloOptions opt;
  opt.runs = 20000;
  opt.master_seed = 7;
  const auto s = geosim::summarize(model, geosim::run_monte_carlo(model, opt), 7, opt.block_size);
  for (const auto& e : s.end_states) {
    EXPECT_GT(e.count, 0u) << e.name << " never happens";
    EXPECT_LT(e.count, s.runs) << e.name << " always happens";
  }
  for (std::size_t k = 1; k < s.rungs.size(); ++k) {
    EXPECT_GT(s.rungs[k].reached.count, 0u) << s.rungs[k].name << " is never reached";
    EXPECT_LT(s.rungs[k].reached.count, s.runs) << s.rungs[k].name << " is always reached";
  }
}

}  // namespace
