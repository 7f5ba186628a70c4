// libFuzzer target: any bytes, read as a scenario file and compiled. The only acceptable
// outcomes are a Model or an InputError; a crash, a hang, a leak or a sanitizer report is a bug.
//   cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DGEOSIM_FUZZ=ON && cmake --build build-fuzz
//   build-fuzz/tests/fuzz/load_compile_fuzz -max_total_time=60 corpus/ scenarios/...
#include <cstddef>
#include <cstdint>
#include <string>

#include "geosim/error.h"
#include "geosim/model.h"
#include "geosim/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    // `extends:` is resolved against a folder that does not exist, so the fuzzer exercises the
    // error path without reading arbitrary files.
    const geosim::Scenario s = geosim::load_scenario_text(text, "fuzz.yaml", "/nonexistent-geosim-fuzz");
    const geosim::Model m = geosim::compile(s);
    (void)m;
  } catch (const geosim::InputError&) {
  }
  return 0;
}
