// Test helpers shared by the study tests and the MPI tests: a small Sobol' study of the toy
// scenario, and the number of design points a sweep's store has recorded.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

namespace geosim_test {

// A Sobol' study of the toy scenario (base_points x 5 design points, `runs` runs each), written
// to DIR/toy_study.yaml; returns its path.
inline std::filesystem::path write_toy_study(const std::filesystem::path& dir, int base_points,
                                             int runs) {
  const std::filesystem::path study = dir / "toy_study.yaml";
  std::ofstream(study) << fmt::format(R"(study: 1
name: toy_sweep
scenario: {}
seed: 3
runs_per_point: {}
design: {{kind: sobol, base_points: {}}}
factors:
  blue_resolve: {{low: 0.0, high: 1.0}}
  talks_succeed: {{low: 0.05, high: 0.6}}
  skirmish_rate: {{low: 0.5, high: 4.0}}
outputs:
  p_talks: {{end_state: talks}}
  p_war: {{reached_rung: war}}
  casualties: {{indicator: casualties}}
  casualties_p95: {{indicator: casualties, stat: p95}}
)",
                                      (std::filesystem::path(GEOSIM_SOURCE_DIR) /
                                       "scenarios/toy/standoff.yaml")
                                          .string(),
                                      runs, base_points);
  return study;
}

// Design points recorded (done or failed) in a sweep's store; 0 if there is no store yet.
inline std::int64_t recorded_points(const std::filesystem::path& store) {
  if (!std::filesystem::exists(store)) return 0;
  sqlite3* db = nullptr;
  std::int64_t n = 0;
  if (sqlite3_open_v2(store.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 1000);
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM status", -1, &s, nullptr) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
      n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return n;
}

}  // namespace geosim_test
