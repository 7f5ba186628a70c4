// What every geosim benchmark records in its JSON context (--benchmark_out=FILE), so that two
// result files can be told apart and compared (bench/compare.py).
#pragma once

#include <benchmark/benchmark.h>

#include "geosim_revision.h"  // GEOSIM_GIT_REVISION, written at build time (bench/revision.cmake)

inline void add_geosim_benchmark_context() {
  benchmark::AddCustomContext("geosim_git_revision", GEOSIM_GIT_REVISION);
  benchmark::AddCustomContext("geosim_build_type", GEOSIM_BUILD_TYPE);
  benchmark::AddCustomContext("geosim_cxx_flags", GEOSIM_CXX_FLAGS);
  benchmark::AddCustomContext("compiler", "g++ " __VERSION__);
}
