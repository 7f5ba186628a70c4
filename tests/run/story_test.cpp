// A story replays exactly the run that geosim run counted: same seed, same index, same path.
#include <cmath>
#include <filesystem>
#include <regex>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

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
  EXPECT_NE(text.find("[assumed]"), std::string::npos);  // causes traced to their sources
  EXPECT_NE(text.find("      source 00"), std::string::npos);  // a drawn belief quoted from its article
  for (auto at = text.find("actors."); at != std::string::npos; at = text.find("actors.", at + 1))
    EXPECT_FALSE(at + 7 < text.size() && std::islower(static_cast<unsigned char>(text[at + 7])))
        << "a key path leaks into the story: " << text.substr(at, 40);
}

// The terms told after every decision ("for it: ..."; "against it: ..."), as written:
// "words (+0.50) [tag]".
std::vector<std::string> driving_terms(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while ((at = text.find(" options; ", at)) != std::string::npos) {
    at += 10;
    const std::string line = text.substr(at, text.find('\n', at) - at);
    // Each term ends at its signed two-decimal number and the tag that follows it, if any.
    static const std::regex term(R"((.*?) \([+-]\d+\.\d\d\)( \[[^\]]*\])?(, |; |\)\.$))");
    for (auto it = std::sregex_iterator(line.begin(), line.end(), term); it != std::sregex_iterator();
         ++it)
      out.push_back(it->str());
  }
  return out;
}

// Every term the story says drove a choice carries the source of its number: the state terms
// one by one (each its weight's source), the leverage one partner at a time (the leverage entry's
// source and the wish's). Before, the state terms were merged into one untagged term and the
// leverage named its partners but no source.
TEST(Story, EveryDrivingTermCitesItsSource) {
  const auto scenario = geosim::load_scenario(kBaseline);
  const auto m = geosim::compile(scenario);
  const auto run = geosim::find_run(m, 7, "regional_spillover", 100000);
  ASSERT_TRUE(run.has_value());
  const auto text = geosim::story_to_text(scenario, m, geosim::tell_story(m, 7, *run));
  const auto terms = driving_terms(text);
  ASSERT_GT(terms.size(), 20u) << text;
  std::size_t state_like = 0, leverage = 0;
  for (const auto& t : terms) {
    EXPECT_TRUE(t.find(") [article ") != std::string::npos || t.find(") [assumed") != std::string::npos)
        << "a term without its source: " << t;
    leverage += t.find("leverage and wishes of") != std::string::npos ? 1 : 0;
    state_like += t.find("manpower need from daily losses") != std::string::npos ? 1 : 0;
  }
  EXPECT_GT(leverage, 0u) << text;
  EXPECT_GT(state_like, 0u) << text;
  EXPECT_EQ(text.find("partners with leverage"), std::string::npos) << text;
}

// The parts the trace records add up to the sums the engine computed: the state terms to u_state
// bit for bit (same products, same order), the leverage products to u_leverage (a residual of the
// total, so up to rounding); and they are the model's terms, one for one.
TEST(Story, TermPartsAddUpToTheEnginesSums) {
  const auto m = geosim::compile(geosim::load_scenario(kBaseline));
  const auto run = geosim::find_run(m, 7, "regional_spillover", 100000);
  ASSERT_TRUE(run.has_value());
  const auto story = geosim::tell_story(m, 7, *run);
  std::size_t split = 0, levered = 0;
  for (const auto& d : story.trace.decisions) {
    const auto& act = m.actions[static_cast<std::size_t>(d.action)];
    ASSERT_EQ(d.u_terms.size(), static_cast<std::size_t>(act.term_end - act.term_begin));
    double state = 0.0;
    for (const double x : d.u_terms) state += x;
    EXPECT_EQ(state, d.u_state) << "tick " << d.tick << " " << m.names.actions[static_cast<std::size_t>(d.action)];
    double lev = 0.0;
    std::size_t expected_parts = 0;
    for (const auto& w : m.wishes)
      if (w.action == d.action)
        for (const auto& l : m.leverage) expected_parts += l.row == act.owner && l.col == w.actor ? 1 : 0;
    ASSERT_EQ(d.u_leverage_parts.size(), expected_parts);
    for (const auto& part : d.u_leverage_parts) {
      EXPECT_EQ(part.value, story.trace.params[static_cast<std::size_t>(part.leverage)] *
                                story.trace.params[static_cast<std::size_t>(part.wish)]);
      lev += part.value;
    }
    EXPECT_NEAR(lev, d.u_leverage, 1e-12) << "tick " << d.tick;
    split += d.u_terms.size() > 1 ? 1 : 0;
    levered += d.u_leverage_parts.empty() ? 0 : 1;
  }
  EXPECT_GT(split, 0u);    // the run has decisions with several state terms
  EXPECT_GT(levered, 0u);  // and with leverage
}

// A small world with every kind of part: two state terms (one weight cited, one a literal) and
// two partners with leverage, one pulling, one pushing. The text tells the top three, each with
// its own words and source; the JSON keeps every part with its parameters.
TEST(Story, EachStateTermAndPartnerIsToldWithItsSource) {
  const std::string yaml =
      "geosim: 1\nname: cited\ntime: {horizon: 2}\n"
      "parameters:\n  pull: {value: 0.5, source: {file: 004_x.txt, quote: \"pull\"}}\n"
      "state:\n  mood: {initial: 2, label: \"the mood at home\"}\n  fear: {initial: 1}\n"
      "ladder: {rungs: [{name: calm}, {name: crisis}]}\n"
      "actors:\n"
      "  a:\n    rationality: 0\n    actions:\n"
      "      act: {class: status_quo, utility: [{var: mood, weight: pull, label: \"the mood at home\"},"
      " {var: fear, weight: -0.3}]}\n"
      "  b: {rationality: 0, actions: {stay: {class: status_quo}}}\n"
      "  c: {rationality: 0, label: \"Country C\", actions: {stay: {class: status_quo}}}\n"
      "leverage: {a: {b: pull, c: 0.4}}\n"
      "wishes: {b: {a.act: 1.0}, c: {a.act: -1.0}}\n";
  const auto scenario = geosim::load_scenario_text(yaml, "cited.yaml");
  const auto m = geosim::compile(scenario);
  const auto story = geosim::tell_story(m, 1, 0);
  const auto text = geosim::story_to_text(scenario, m, story);
  EXPECT_NE(text.find("for it: the mood at home (+1.00) [article 004], "
                      "the leverage and wishes of b (+0.50) [article 004; assumed]; "
                      "against it: pressure from the leverage and wishes of Country C (-0.40) "
                      "[assumed; assumed])."),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("fear (-0.30)"), std::string::npos) << "only the top three are told\n" << text;

  const auto j = nlohmann::json::parse(geosim::story_to_json(scenario, m, story));
  const auto& d = j["decisions"][0];
  ASSERT_EQ(d["action"], "a.act");
  ASSERT_EQ(d["state_terms"].size(), 2u);
  EXPECT_EQ(d["state_terms"][0]["var"], "mood");
  EXPECT_EQ(d["state_terms"][0]["label"], "the mood at home");
  EXPECT_EQ(d["state_terms"][0]["weight"], "pull");
  EXPECT_EQ(d["state_terms"][0]["value"], 1.0);
  EXPECT_EQ(d["state_terms"][0]["cite"], "[article 004]");
  EXPECT_EQ(d["state_terms"][1]["var"], "fear");
  EXPECT_EQ(d["state_terms"][1]["value"], -0.3);
  EXPECT_EQ(d["state_terms"][1]["cite"], "[assumed]");
  ASSERT_EQ(d["leverage_terms"].size(), 2u);
  EXPECT_EQ(d["leverage_terms"][0]["partner"], "b");
  EXPECT_EQ(d["leverage_terms"][0]["leverage"], "pull");
  EXPECT_EQ(d["leverage_terms"][0]["value"], 0.5);
  EXPECT_EQ(d["leverage_terms"][0]["cite"], "[article 004; assumed]");
  EXPECT_EQ(d["leverage_terms"][1]["partner"], "c");
  EXPECT_EQ(d["leverage_terms"][1]["value"], -0.4);
  EXPECT_EQ(d["utility"]["state"], 0.7);
  EXPECT_NEAR(d["utility"]["leverage"].get<double>(), 0.5 - 0.4, 1e-12);  // a residual
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
