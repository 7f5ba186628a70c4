// What every geosim benchmark records in its JSON context (--benchmark_out=FILE), so that two
// result files can be told apart and compared (bench/compare.py).
#pragma once

#include <benchmark/benchmark.h>

#include <fstream>
#include <string>
#include <thread>

#include "geosim_revision.h"  // GEOSIM_GIT_REVISION, written at build time (bench/revision.cmake)

// The first value of `key` ("key<spaces>: value") in a /proc file, or "".
inline std::string geosim_proc_value(const char* file, const std::string& key) {
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    if (line.compare(0, key.size(), key) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos || line.find_first_not_of(" \t", key.size()) != colon) continue;
    const auto start = line.find_first_not_of(" \t", colon + 1);
    return start == std::string::npos ? "" : line.substr(start);
  }
  return "";
}

inline void add_geosim_benchmark_context() {
  benchmark::AddCustomContext("geosim_git_revision", GEOSIM_GIT_REVISION);
  benchmark::AddCustomContext("geosim_build_type", GEOSIM_BUILD_TYPE);
  benchmark::AddCustomContext("geosim_cxx_flags", GEOSIM_CXX_FLAGS);
#if defined(__clang__)
  benchmark::AddCustomContext("compiler", "clang " __clang_version__);
#elif defined(__GNUC__)
  benchmark::AddCustomContext("compiler", "g++ " __VERSION__);  // as earlier results spell it
#else
  benchmark::AddCustomContext("compiler", GEOSIM_COMPILER);
#endif
  // Google Benchmark records the host name, CPU count, MHz and caches; not the CPU model.
  const std::string model = geosim_proc_value("/proc/cpuinfo", "model name");
  const std::string memory = geosim_proc_value("/proc/meminfo", "MemTotal");
  benchmark::AddCustomContext(
      "machine", (model.empty() ? std::string("unknown CPU") : model) + ", " +
                     std::to_string(std::thread::hardware_concurrency()) + " hardware threads" +
                     (memory.empty() ? "" : ", " + memory + " memory"));
}
