// libFuzzer target: any bytes, read as a scenario file, compiled, and (when it compiles and is
// small) simulated: a traced run, as `geosim story` makes it, and four runs as lanes, as
// `geosim run` makes them. The only acceptable outcomes are results or an InputError; a crash, a
// hang, a leak or a sanitizer report (undefined behaviour included) is a bug.
//   cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DGEOSIM_FUZZ=ON && cmake --build build-fuzz
//   build-fuzz/tests/fuzz/load_compile_fuzz -max_total_time=60 corpus/ scenarios/...
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "geosim/error.h"
#include "geosim/model.h"
#include "geosim/scenario.h"
#include "geosim/simulate.h"

namespace {

// Simulating is kept to models that run in well under a millisecond a run, so that the fuzzer
// spends its time on inputs, not on long horizons.
bool small_enough(const geosim::Model& m) {
  return m.horizon <= 260 && m.n_actions() <= 200 && m.events.size() <= 200 &&
         m.params.size() <= 2000;
}

void simulate(const geosim::Model& m) {
  geosim::Workspace ws(m);
  geosim::RunResult one = geosim::RunResult::for_model(m);
  geosim::Trace trace;
  geosim::simulate_run(m, 7, 0, ws, one, &trace);

  geosim::LaneWorkspace lanes(m);
  std::vector<geosim::RunResult> four(geosim::kLanes, geosim::RunResult::for_model(m));
  geosim::simulate_lanes(m, 7, 0, geosim::kLanes, lanes, four.data());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    // `extends:` is resolved against a folder that does not exist, so the fuzzer exercises the
    // error path without reading arbitrary files.
    const geosim::Scenario s = geosim::load_scenario_text(text, "fuzz.yaml", "/nonexistent-geosim-fuzz");
    const geosim::Model m = geosim::compile(s);
    if (small_enough(m)) simulate(m);
  } catch (const geosim::InputError&) {
  }
  return 0;
}
