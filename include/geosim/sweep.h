// Studies that run: a study file names a base scenario, the factors that vary (each a parameter
// of the scenario), a design, the runs per design point and the outputs of interest. `run_sweep`
// evaluates every design point and records each finished point in a SQLite store as it completes,
// so a killed sweep resumes where it stopped; `analyze_store` turns a store into Sobol' indices,
// Morris effects and PRIM boxes (the mathematics is in geosim/study.h).
//
// Determinism: a design point's result is a pure function of (model with the point's values,
// master seed, runs): every point uses run indices 0..runs-1 under the study's seed (common random
// numbers across points), whatever the thread count and whatever was resumed.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "geosim/error.h"
#include "geosim/model.h"
#include "geosim/scenario.h"
#include "geosim/study.h"

namespace geosim::study {

// What a study measures at each design point.
struct StudyOutput {
  enum class Kind { end_state, reached_rung, indicator_mean, indicator_quantile };
  std::string name;
  Kind kind = Kind::end_state;
  std::string target;  // end state, rung or indicator name
  int by_tick = -1;    // end_state / reached_rung: by this tick (-1: the horizon)
  double q = 0.5;      // indicator_quantile
  Location where;
};

struct StudySpec {
  std::string name;
  std::filesystem::path file;           // the study file
  std::filesystem::path base_scenario;  // resolved relative to the study file
  std::uint64_t seed = 1;
  std::uint64_t runs_per_point = 1000;
  std::int32_t block_size = 256;
  DesignKind design = DesignKind::latin_hypercube;
  std::size_t points = 0;                // LHS points; Sobol' base N; Morris trajectories
  int levels = 4;                        // grid levels per factor; Morris p
  std::filesystem::path design_csv;      // DesignKind::user
  std::vector<Factor> factors;
  std::vector<std::string> parameters;  // the scenario parameter each factor sets
  std::vector<Location> factor_where;
  std::vector<StudyOutput> outputs;
  // Adaptive replication: replicate a point in rounds of `runs_per_point` until the 95% interval
  // of every output is at most `target_width` wide, or `max_runs` is reached.
  bool adaptive = false;
  double target_width = 0.0;
  std::uint64_t max_runs = 0;
  std::string fingerprint;  // hash of everything that determines the results
};

// Reads and checks a study file (errors as for scenarios: file:line:column, key path, hint).
StudySpec load_study(const std::filesystem::path& file);

// The design the study asks for.
Design make_design(const StudySpec& spec);

// One design point's outcome.
struct PointResult {
  bool ok = true;
  std::string error;          // why the point failed, when !ok
  std::uint64_t runs = 0;     // runs spent on it
  std::vector<double> value;  // per output
  std::vector<double> se;     // Monte Carlo standard error per output
  std::vector<double> lo, hi; // 95% interval per output
};

// Evaluates design point `point` with factor values `x`. Must be a pure function of its arguments.
using Evaluator = std::function<PointResult(std::size_t point, std::span<const double> x)>;

// The evaluator of a scenario study: the base scenario with each factor's parameter set to the
// point's value (a constant), compiled (a value the scenario rejects fails the point, with the
// compiler's message), run runs_per_point times (adaptively if asked) on one thread.
Evaluator scenario_evaluator(const StudySpec& spec);

// A warning for each factor whose range the scenario partly refuses: its low or high end (each of
// its levels), with the other parameters as the scenario has them, does not compile (a
// probability above 1, a negative rate). The points there would fail; validate and sweep say so
// before any point runs.
std::vector<Diagnostic> factor_range_warnings(const StudySpec& spec);

// The factor values of design point `point`, in factor order (what an Evaluator is given).
std::vector<double> point_values(const Design& design, std::size_t point);

// The results store of a sweep (SQLite; its tables are in docs/studies.md). Opening it creates it
// if absent, with the study's meta, factors, outputs and design. One writer: a store is written
// from one thread of one process (run_sweep's calling thread; under MPI, rank 0's), which holds
// an exclusive lock on STORE.lock while the SweepStore lives.
class SweepStore {
 public:
  // Throws std::runtime_error if the store cannot be opened, is open for writing in another
  // process, or belongs to a different study (its fingerprint differs).
  SweepStore(const StudySpec& spec, const Design& design, const std::filesystem::path& path);
  ~SweepStore();
  SweepStore(const SweepStore&) = delete;
  SweepStore& operator=(const SweepStore&) = delete;

  // The points not yet recorded (done or failed), ascending.
  [[nodiscard]] std::vector<std::size_t> remaining() const;
  // Commits one finished point in its own transaction: once this returns, a kill of the process
  // does not lose it.
  void record(std::size_t point, const PointResult& result);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct SweepOptions {
  int threads = 0;  // 0: all cores
  // Points recorded in the store so far (resumed ones included): once before any is computed,
  // then after each point is committed. Called from the thread that writes the store.
  std::function<void(std::size_t done, std::size_t total)> progress;
};

struct SweepReport {
  std::size_t points = 0, computed = 0, resumed = 0, failed = 0;
  std::uint64_t runs = 0;
  // The kFailuresKept lowest-numbered points that failed in this sweep, (point, why) in point
  // order, whatever order they finished in. Every failure's message is also in the store's status
  // table.
  static constexpr std::size_t kFailuresKept = 5;
  std::vector<std::pair<std::size_t, std::string>> failures;
  void count_failure(std::size_t point, const std::string& why) {
    ++failed;
    failures.emplace_back(point, why);
    std::sort(failures.begin(), failures.end());
    if (failures.size() > kFailuresKept) failures.pop_back();
  }
};

// Evaluates every point of `design` not yet in the store at `store_path` (created if absent),
// committing each finished point as it completes. Throws std::runtime_error if the store belongs
// to a different study (its fingerprint differs).
SweepReport run_sweep(const StudySpec& spec, const Design& design, const Evaluator& evaluate,
                      const std::filesystem::path& store_path, const SweepOptions& options = {});

// Writes design.csv and results.csv (tidy: one row per point and output) next to the store.
void export_store_csv(const std::filesystem::path& store_path, const std::filesystem::path& dir);

struct AnalyzeOptions {
  std::size_t bootstrap = 1000;
  std::string prim_output;          // empty: no PRIM
  double prim_threshold = 0.5;      // outputs above it are "of interest"
  double prim_min_density = 0.8;
};

// Reads a finished store and returns a readable report; writes sobol.csv / morris.csv /
// prim.csv next to it, as the design allows.
std::string analyze_store(const std::filesystem::path& store_path, const AnalyzeOptions& options);

}  // namespace geosim::study
