// From runs to a Summary: a streaming, order-deterministic reduction, and the Monte Carlo driver
// that spreads runs over threads.
//
// Determinism: runs are grouped in fixed blocks of `block_size` run indices (independent of the
// thread count). Each block is reduced in run-index order into its own Accumulator; blocks are then
// merged into the total strictly in block order. So every floating-point sum is taken in the same
// order whatever the number of threads.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "geosim/model.h"
#include "geosim/simulate.h"
#include "geosim/stats.h"

namespace geosim {

// Everything the reduction keeps about a set of runs. Memory is fixed by the model's shape (and
// the spread of indicator values), not by the number of runs.
//
// It has two parts. The counts (outcomes, histograms, quantile sketches) are integers, so they
// can be added up in any order with the same result: each thread keeps its own. The moments
// (indicator means and variances) are floating-point sums, so they are reduced per block in
// run-index order and merged strictly in block order: add() puts a run's values in `ind_sums`
// (sums of deviations, see ShiftedSums); merge() folds the other's sums into `ind_moments`.
class Accumulator {
 public:
  // Quantile sketches are kept at ticks 0, K, 2K, ... and at the horizon, K = quantile_every;
  // every tick gets means and standard deviations. Sketches are the reduction's main cost, so a
  // coarser K is faster (docs/performance.md); K = 1 sketches every tick.
  explicit Accumulator(const Model& m, std::int32_t quantile_every = 1);
  void add(const RunResult& r) {
    add_counts(r);
    add_moments(r);
  }
  void merge(const Accumulator& o) {  // call in block order
    merge_counts(o);
    merge_moments(o);
  }
  void clear();

  void add_counts(const RunResult& r);    // order-free part: outcomes, non-finite values, sketches
  void add_outcomes(const RunResult& r);  // order-free part without the sketches and the scan
  // Counts the indicators that are not finite (+-inf or NaN) at some tick of r in non_finite_runs
  // and non_finite_first_tick. add_counts calls it; the Monte Carlo driver calls it only for the
  // runs its moment pass found a non-finite value in.
  void add_non_finite(const RunResult& r);
  void merge_counts(const Accumulator& o);
  void add_moments(const RunResult& r);   // order-sensitive part
  void merge_moments(const Accumulator& o);
  void clear_moments();

  std::uint64_t runs = 0;
  std::uint64_t decisions = 0;
  std::vector<std::uint64_t> end_state_count;  // n_end_states + 1 (last: still going)
  std::vector<std::uint64_t> highest_rung_count;
  std::vector<IntHistogram> first_arrival;  // per rung, ticks 0..horizon
  std::vector<IntHistogram> end_tick;       // per end state (incl. still going)
  std::vector<QuantileSketch> ind_sketch;   // [indicator][tick]; empty at unsketched ticks
  std::vector<Welford> ind_moments;         // [indicator][tick], folded blocks
  std::vector<ShiftedSums> ind_sums;        // [indicator][tick], this block's runs
  // Per indicator: the runs in which it was not a finite number (+-inf or NaN) at some tick, and
  // the earliest such tick over those runs (-1: none). A state variable overflows a double when a
  // scenario's effects or rates are too large (docs/model.md, section 14).
  std::vector<std::uint64_t> non_finite_runs;
  std::vector<std::int32_t> non_finite_first_tick;
  std::int32_t horizon;
  std::int32_t quantile_every = 1;

  [[nodiscard]] bool sketched(std::int32_t tick) const {
    return tick % quantile_every == 0 || tick == horizon;
  }

  // ind_moments with this accumulator's own pending block folded in.
  [[nodiscard]] Welford moments(std::size_t i) const;
};

struct OutcomeProbability {
  std::string name;
  std::uint64_t count = 0;
  double p = 0;
  Interval ci{0, 1};
};

struct RungSummary {
  std::string name;
  OutcomeProbability reached;      // P(the ladder stands at or above this rung at some tick)
  OutcomeProbability highest;      // P(this is the highest rung reached)
  int first_tick_p05 = -1, first_tick_p50 = -1, first_tick_p95 = -1;  // among runs reaching it
  std::vector<double> reached_by_tick;  // P(reached by tick t), t = 0..horizon
};

struct IndicatorTick {
  double mean, sd, p05, p50, p95;  // the quantiles are NaN at ticks without a sketch
};

struct IndicatorSummary {
  std::string name;
  std::string unit;
  std::vector<IndicatorTick> by_tick;  // t = 0..horizon; by_tick.back() is the horizon
  // Runs in which the indicator was +-inf or NaN at some tick (its statistics are then not
  // meaningful), and the earliest such tick (-1: none). See non_finite_warnings.
  std::uint64_t non_finite_runs = 0;
  std::int32_t first_non_finite_tick = -1;
  // The first tick whose mean or sd is not finite although every run's value there was (values
  // beyond about 1e154 overflow the sum of squares, beyond about 1e306 the sum), -1: none.
  std::int32_t first_overflowed_moments_tick = -1;
};

struct Summary {
  std::string scenario;
  std::uint64_t master_seed = 0;
  std::uint64_t runs = 0;
  std::uint64_t decisions = 0;
  std::int32_t horizon = 0;
  std::int32_t tick_days = 7;
  std::int32_t block_size = 0;
  std::int32_t quantile_every = 1;  // indicator quantiles at ticks 0, K, 2K, ... and the horizon
  std::vector<OutcomeProbability> end_states;  // includes the last entry "ongoing" (no end state)
  std::vector<double> end_state_median_tick;
  std::vector<RungSummary> rungs;
  std::vector<IndicatorSummary> indicators;
};

Summary summarize(const Model& m, const Accumulator& acc, std::uint64_t master_seed,
                  std::int32_t block_size);

struct MonteCarloOptions {
  std::uint64_t master_seed = 1;
  std::uint64_t runs = 10000;
  std::uint64_t first_run = 0;  // run indices first_run .. first_run + runs - 1
  int threads = 0;              // 0: all hardware threads
  std::int32_t block_size = 256;  // runs per reduction block; part of the result's identity
  // Indicator quantiles are sketched at ticks 0, K, 2K, ... and the horizon (K = 1: every tick);
  // means and standard deviations at every tick. See default_quantile_every.
  std::int32_t quantile_every = 1;
  // Called from worker threads with the number of runs done so far; may be empty.
  std::function<void(std::uint64_t done)> progress;
  // For callers that fold blocks themselves (the MPI manager folds blocks from many ranks): when
  // set, each block's indicator moments are handed to this callback in block order (block index
  // counted from run 0, so block b covers runs b * block_size ..), under a lock, instead of being
  // folded into the result; the returned Accumulator's ind_moments then stay empty (n = 0). Folding
  // the blocks' moments into a total in block order with Welford::merge gives the same bits as
  // run_monte_carlo's own folding. first_run must then be a multiple of block_size.
  std::function<void(std::uint64_t block, const std::vector<Welford>& moments)> on_block;
};

// The quantile spacing `geosim run` uses unless told otherwise: about four weeks
// (round(28 / tick_days) ticks, at least 1).
std::int32_t default_quantile_every(const Model& m);

// Runs `options.runs` runs of `model` over threads and returns the merged Accumulator.
Accumulator run_monte_carlo(const Model& model, const MonteCarloOptions& options);

// The JSON document of a Summary (format in docs/output-format.md).
std::string summary_to_json(const Summary& s);
// Writes the tidy CSV tables (outcomes.csv, rungs.csv, rung_by_tick.csv, indicators.csv) to
// `dir`, each written to a temporary name then renamed.
void write_summary_csv(const Summary& s, const std::string& dir);
// Human-readable text for the terminal.
std::string summary_to_text(const Summary& s);
// One warning line (no newline) per indicator that was not a finite number in some run: names it,
// the runs, the first tick and the likely cause; then one per indicator whose values were all
// finite but whose mean or sd overflowed (first_overflowed_moments_tick). Empty when neither.
std::vector<std::string> non_finite_warnings(const Summary& s);

// Writes `content` to `path` atomically: a temporary file in the same directory, then rename.
// Never leaves a truncated file at `path`. Creates the parent folders if needed. A symlink is
// followed (the file it points to is written; the link stays); a device, pipe or socket
// (/dev/stdout, a FIFO) is written in place, since renaming over it would replace it.
void write_file_atomic(const std::string& path, const std::string& content);

// Checks, before any work is done, that an output can be written where the user asked: creates
// the parent folders (output_file) or the folder itself (output_dir) if needed and tries a
// temporary file there. Throws std::runtime_error naming `what` (e.g. "--json") and the path when
// it cannot: a folder where a file is wanted, a file where a folder is wanted, no permission.
void check_output_file(const std::string& what, const std::string& path);
void check_output_dir(const std::string& what, const std::string& dir);

}  // namespace geosim
