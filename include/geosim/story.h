// The story of one run: what each actor chose, how likely that choice was, which utility terms
// drove it, the events, the ladder's moves and the end - in words, with the sampled beliefs and
// their sources. A story replays exactly the run `geosim run` counted for the same seed and index.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "geosim/model.h"
#include "geosim/scenario.h"
#include "geosim/simulate.h"

namespace geosim {

struct Story {
  std::uint64_t master_seed = 0;
  std::uint64_t run_index = 0;
  RunResult result;
  Trace trace;
};

// Simulates run `run_index` under `master_seed` with a full trace.
Story tell_story(const Model& model, std::uint64_t master_seed, std::uint64_t run_index);

// The first run index in [0, max_runs) whose outcome is `outcome`: an end state's name (or
// "ongoing"), or a rung's name (the run reaches that rung, or goes higher). Prefix "end:" or
// "rung:" to choose when an end state and a rung share a name. Empty if none; throws
// std::invalid_argument naming the known outcomes if `outcome` is neither.
std::optional<std::uint64_t> find_run(const Model& model, std::uint64_t master_seed,
                                      const std::string& outcome, std::uint64_t max_runs);

std::string story_to_text(const Scenario& scenario, const Model& model, const Story& story);
std::string story_to_json(const Scenario& scenario, const Model& model, const Story& story);

}  // namespace geosim
