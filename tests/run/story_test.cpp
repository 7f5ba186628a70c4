// A story replays exactly the run that geosim run counted: same seed, same index, same path.
#include <cmath>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "geosim/model.h"
#include "geosim/scenario.h"
#include "geosim/story.h"
#include "geosim/summary.h"

namespace {

const std::filesystem::path kBaseline =
    std::filesystem::path(GEOSIM_SOURCE_DIR) / "scenarios/dprk_russia_2024/baseline.yaml";

TEST(Story, ReplaysExactlyTheRunsTheMonteCarloCounted) {
  const auto m = geosim::compile(geosim::load_scenario(kBaseline));
  const std::uint64_t seed = 7, runs = 60;
  geosim::MonteCarloOptions opt;
  opt.master_seed = seed;
  opt.runs = runs;
  opt.threads = 2;
  const auto acc = geosim::run_monte_carlo(m, opt);
  std::vector<std::uint64_t> ends(acc.end_state_count.size(), 0), highest(acc.highest_rung_count.size(), 0);
  geosim::Workspace ws(m);
  auto plain = geosim::RunResult::for_model(m);
  for (std::uint64_t k = 0; k < runs; ++k) {
    const auto story = geosim::tell_story(m, seed, k);
    geosim::simulate_run(m, seed, k, ws, plain);
    EXPECT_EQ(story.result.end_state, plain.end_state) << "run " << k;
    EXPECT_EQ(story.result.end_tick, plain.end_tick) << "run " << k;
    EXPECT_EQ(story.result.first_arrival, plain.first_arrival) << "run " << k;
    EXPECT_EQ(story.result.indicators, plain.indicators) << "run " << k;
    ++ends[story.result.end_state < 0 ? ends.size() - 1 : static_cast<std::size_t>(story.result.end_state)];
    ++highest[static_cast<std::size_t>(story.result.highest_rung)];
    // The story's ladder moves end where the run's highest rung says.
    int top = m.start_rung;
    for (const auto& r : story.trace.rung_changes) top = std::max(top, r.to);
    EXPECT_EQ(top, story.result.highest_rung) << "run " << k;
  }
  EXPECT_EQ(ends, acc.end_state_count);
  EXPECT_EQ(highest, acc.highest_rung_count);
}

TEST(Story, PickFindsTheFirstRunWithTheOutcome) {
  const auto m = geosim::compile(geosim::load_scenario(kBaseline));
  const auto run = geosim::find_run(m, 7, "ceasefire", 5000);
  ASSERT_TRUE(run.has_value());
  std::int32_t ceasefire = 0;
  while (m.names.end_states[static_cast<std::size_t>(ceasefire)] != "ceasefire") ++ceasefire;
  EXPECT_EQ(geosim::tell_story(m, 7, *run).result.end_state, ceasefire);
  for (std::uint64_t k = 0; k < *run; ++k)
    EXPECT_NE(geosim::tell_story(m, 7, k).result.end_state, ceasefire) << "run " << k << " came first";
  EXPECT_THROW(geosim::find_run(m, 7, "ceasfire", 10), std::invalid_argument);
}

TEST(Story, TextSaysWhoDidWhatAndWhyInWords) {
  const auto scenario = geosim::load_scenario(kBaseline);
  const auto m = geosim::compile(scenario);
  const auto text = geosim::story_to_text(scenario, m, geosim::tell_story(m, 7, 0));
  EXPECT_NE(text.find("chose to"), std::string::npos);
  EXPECT_NE(text.find("likely among"), std::string::npos);
  EXPECT_NE(text.find("[article 0"), std::string::npos);  // causes traced to their sources
  for (auto at = text.find("actors."); at != std::string::npos; at = text.find("actors.", at + 1))
    EXPECT_FALSE(at + 7 < text.size() && std::islower(static_cast<unsigned char>(text[at + 7])))
        << "a key path leaks into the story: " << text.substr(at, 40);
}

// Utilities of +inf (a capacity of 1e-300 and a negative cost: absurd, but legal) leave no
// finite residual for the leverage term; the story must still say numbers, never "nan".
TEST(Story, InfiniteUtilitiesGiveNoNanInTheStory) {
  const std::string yaml =
      "geosim: 1\nname: extreme\ntime: {horizon: 8}\n"
      "ladder: {rungs: [{name: calm}, {name: crisis}]}\n"
      "actors:\n"
      "  a:\n    rationality: 0\n    capacity: 1e-300\n    actions:\n"
      "      hold: {class: status_quo, gain: 1, cost: -1e300}\n"
      "      wait: {class: status_quo, gain: 2}\n"
      "  b:\n    rationality: 1\n    actions:\n      stay: {class: status_quo}\n"
      "leverage: {a: {b: 0.5}}\n"
      "wishes: {b: {a.wait: 1.0}}\n";
  const geosim::Scenario scenario = geosim::load_scenario_text(yaml, "extreme.yaml");
  const geosim::Model model = geosim::compile(scenario);
  const geosim::Story story = geosim::tell_story(model, 3, 0);
  const std::string text = geosim::story_to_text(scenario, model, story);
  EXPECT_NE(text.find("chose to"), std::string::npos) << text;
  EXPECT_EQ(text.find("nan"), std::string::npos) << text;
  for (const auto& d : story.trace.decisions) EXPECT_FALSE(std::isnan(d.u_leverage));
}

}  // namespace
