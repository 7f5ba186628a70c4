// libFuzzer target: any bytes, read as a study file beside the toy scenario (a copy of
// scenarios/toy/standoff.yaml in a private folder), checked, its design made when it is small,
// and its first point evaluated with a handful of runs. The only acceptable outcomes are results,
// an InputError or the design's std::invalid_argument (both reported by geosim with exit code 2);
// a crash, a hang, a leak, a sanitizer report or any other exception is a bug.
//   cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DGEOSIM_FUZZ=ON && cmake --build build-fuzz
//   build-fuzz/tests/fuzz/study_fuzz -max_total_time=60 corpus/ tests/fuzz/study_corpus
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "geosim/error.h"
#include "geosim/sweep.h"

namespace {

namespace fs = std::filesystem;

const fs::path& folder() {
  static const fs::path dir = [] {
    const fs::path d = fs::temp_directory_path() / ("geosim_study_fuzz_" + std::to_string(::getpid()));
    fs::create_directories(d);
    fs::copy_file(fs::path(GEOSIM_SOURCE_DIR) / "scenarios/toy/standoff.yaml", d / "standoff.yaml",
                  fs::copy_options::overwrite_existing);
    return d;
  }();
  return dir;
}

// Points the design would have, as a double (no overflow), so that only small designs are made.
double design_points(const geosim::study::StudySpec& spec) {
  const auto k = static_cast<double>(spec.factors.size());
  const auto n = static_cast<double>(spec.points);
  switch (spec.design) {
    case geosim::study::DesignKind::grid: return std::pow(static_cast<double>(spec.levels), k);
    case geosim::study::DesignKind::latin_hypercube: return n;
    case geosim::study::DesignKind::sobol_saltelli: return n * (k + 2);
    case geosim::study::DesignKind::morris: return n * (k + 1);
    case geosim::study::DesignKind::user: return 0;  // a CSV's rows: read whatever its size
  }
  return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fs::path file = folder() / "study.yaml";
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    geosim::study::StudySpec spec = geosim::study::load_study(file);
    if (design_points(spec) > 4096) return 0;
    const geosim::study::Design design = geosim::study::make_design(spec);
    if (design.points() == 0) return 0;
    spec.runs_per_point = std::min<std::uint64_t>(spec.runs_per_point, 4);
    spec.max_runs = std::min<std::uint64_t>(spec.max_runs, 8);
    const auto evaluate = geosim::study::scenario_evaluator(spec);
    (void)evaluate(0, geosim::study::point_values(design, 0));
  } catch (const geosim::InputError&) {
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
