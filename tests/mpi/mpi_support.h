// Helpers of the MPI suite: start geosim under mpirun (always with a time limit), the one-process
// reference program, files and small studies.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "study/toy_study.h"

namespace geosim_mpi_test {

namespace fs = std::filesystem;

// No job of this suite takes a minute; past that it is hung, and timeout(1) ends it.
constexpr int kJobSeconds = 120;

inline std::string q(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / fmt::format("geosim_mpi_{}_{}", name, ::getpid());
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

inline fs::path source(const std::string& rel) { return fs::path(GEOSIM_SOURCE_DIR) / rel; }

inline bool have_mpirun() {
  return std::string(GEOSIM_MPIEXEC).size() > 0 && fs::exists(GEOSIM_MPIEXEC);
}

// The arguments that start `ranks` ranks on this machine whatever its cores and user: more ranks
// than cores (--oversubscribe), as root (--allow-run-as-root), threads free to use any core
// (--bind-to none: Open MPI binds each rank to one core when there are two ranks or fewer).
inline std::string mpirun(int ranks) {
  return fmt::format("timeout -k 5 {} {} --allow-run-as-root --oversubscribe --bind-to none -n {}",
                     kJobSeconds, q(GEOSIM_MPIEXEC), ranks);
}

struct Result {
  int status = -1;
  std::string output;  // stdout and stderr
};

inline Result run(const std::string& command) {
  Result r;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) r.output.append(buf, n);
  const int rc = ::pclose(pipe);
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return r;
}

// `geosim ARGS` under mpirun with `ranks` ranks, or without mpirun when ranks is 0.
inline Result geosim(int ranks, const std::string& args) {
  if (ranks == 0)
    return run(fmt::format("timeout -k 5 {} {} {}", kJobSeconds, q(GEOSIM_BINARY), args));
  return run(fmt::format("{} {} {}", mpirun(ranks), q(GEOSIM_BINARY), args));
}

// The same command with the serial program: the one-process threaded reference.
inline Result geosim_serial(const std::string& args) {
  return run(fmt::format("timeout -k 5 {} {} {}", kJobSeconds, q(GEOSIM_SERIAL_BINARY), args));
}

using geosim_test::write_toy_study;

// A small study of the shipped baseline: points that differ in cost (adaptive replication stops
// early where outcomes are near certain) and some that fail (a probability above 1).
inline fs::path write_baseline_study(const fs::path& dir) {
  const fs::path study = dir / "baseline_study.yaml";
  std::ofstream(study) << fmt::format(R"(study: 1
name: baseline_small
scenario: {}
seed: 7
runs_per_point: 60
design: {{kind: lhs, points: 14}}
factors:
  dprk_intent_aggressive: {{low: 0.0, high: 1.0}}
  ceasefire_success: {{low: 0.02, high: 1.2}}
outputs:
  p_spillover: {{reached_rung: regional_spillover}}
  p_ceasefire: {{end_state: ceasefire}}
  casualties: {{indicator: dprk_casualties}}
adaptive: {{target_width: 0.3, max_runs: 240}}
)",
                                      source("scenarios/dprk_russia_2024/baseline.yaml").string());
  return study;
}

}  // namespace geosim_mpi_test
