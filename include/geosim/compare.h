// Paired comparison of two scenarios with common random numbers: run i of A and run i of B use
// the same master seed and run index, and streams are keyed by name (actor, event, parameter), so
// what the two scenarios share sees the same random numbers. The difference of each outcome
// probability then gets a paired interval, much narrower than an unpaired one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "geosim/model.h"
#include "geosim/stats.h"
#include "geosim/summary.h"

namespace geosim {

// Joint counts of a binary outcome in paired runs: n11 both, n10 only A, n01 only B, n00 neither.
struct PairedCounts {
  std::uint64_t n11 = 0, n10 = 0, n01 = 0, n00 = 0;
  [[nodiscard]] std::uint64_t n() const { return n11 + n10 + n01 + n00; }
};

// 95% (by default) interval for p_B - p_A from paired data: Newcombe (1998), "Improved confidence
// intervals for the difference between binomial proportions based on paired data", Statistics in
// Medicine 17:2635-2650, method 10 (Wilson score intervals combined with a correlation correction).
Interval newcombe_paired_interval(const PairedCounts& c, double z = 1.959963984540054);

// The same difference treated as two independent samples: Newcombe (1998), Statistics in
// Medicine 17:873-890, method 10 (hybrid Wilson score). Used to show what pairing buys.
Interval newcombe_unpaired_interval(std::uint64_t k_a, std::uint64_t n_a, std::uint64_t k_b,
                                    std::uint64_t n_b, double z = 1.959963984540054);

struct OutcomeDifference {
  std::string kind;  // "end_state" or "reached_rung"
  std::string name;
  PairedCounts counts;
  double p_a = 0, p_b = 0, diff = 0;  // diff = p_b - p_a
  Interval paired_ci{0, 0};
  Interval unpaired_ci{0, 0};
};

struct IndicatorDifference {
  std::string name, unit;
  double mean_a = 0, mean_b = 0, diff = 0;  // at the horizon; diff = mean_b - mean_a
  Interval paired_ci{0, 0};                 // normal interval on the paired differences
  Interval unpaired_ci{0, 0};               // Welch-style normal interval, for comparison
  // Runs whose value at the horizon was +-inf or NaN (the means are then not meaningful).
  std::uint64_t non_finite_a = 0, non_finite_b = 0;
};

struct Comparison {
  std::string scenario_a, scenario_b;
  std::uint64_t master_seed = 0, runs = 0;
  std::vector<OutcomeDifference> outcomes;
  std::vector<IndicatorDifference> indicators;
};

// Runs A and B on the same run indices (common random numbers), in parallel, deterministically.
Comparison compare_scenarios(const Model& a, const Model& b, const MonteCarloOptions& options);

std::string comparison_to_text(const Comparison& c, std::size_t headline_count = 3);
std::string comparison_to_json(const Comparison& c);
// One warning line (no newline) per indicator and scenario whose value at the horizon was not a
// finite number in some run. Empty when every value was finite.
std::vector<std::string> comparison_warnings(const Comparison& c);

}  // namespace geosim
