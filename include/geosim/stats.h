// Streaming statistics whose memory does not grow with the number of observations, and whose
// merge is exact or done in a fixed order, so results do not depend on parallelism.
#pragma once

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace geosim {

struct StatsWire;  // serializes the sketches for MPI messages (engine/mpi/wire.cpp)

struct Interval {
  double lo, hi;
};

// Wilson score interval for k successes in n trials at normal quantile z (1.959964 for 95%).
// n = 0 gives [0, 1]. Requires k <= n (asserted). The bounds are clamped to [0, 1]; k = 0 gives
// lo == 0 exactly and k = n gives hi == 1 exactly.
Interval wilson_interval(std::uint64_t k, std::uint64_t n, double z = 1.959963984540054);

// Mean and variance by Welford's update; merge by Chan, Golub and LeVeque's pairwise formula.
// Merging in a fixed order gives the same bits whatever the parallelism.
struct Welford {
  std::uint64_t n = 0;
  double mean = 0.0;
  double m2 = 0.0;
  void add(double x) {
    ++n;
    const double d = x - mean;
    mean += d / static_cast<double>(n);
    m2 += d * (x - mean);
  }
  void merge(const Welford& o);
  [[nodiscard]] double variance() const {  // sample variance (n - 1)
    return n > 1 ? m2 / static_cast<double>(n - 1) : 0.0;
  }
};

// Sums of deviations from a shift (the first value seen): the cheap way to accumulate one block's
// moments (no division per value, so no long dependency chain), folded into a Welford at the end
// of the block. Exact enough when the values of one block share a scale, as one indicator at one
// tick across runs does: the shift removes the mean's magnitude before squaring.
struct ShiftedSums {
  std::uint64_t n = 0;
  double shift = 0.0, s1 = 0.0, s2 = 0.0;
  void add(double x) {
    if (n == 0) shift = x;
    const double d = x - shift;
    s1 += d;
    s2 += d * d;
    ++n;
  }
  // The same statistics as a Welford fed the same values (up to rounding).
  [[nodiscard]] Welford to_welford() const {
    Welford w;
    if (n == 0) return w;
    const double nd = static_cast<double>(n);
    w.n = n;
    w.mean = shift + s1 / nd;
    w.m2 = s2 - s1 * (s1 / nd);
    if (w.m2 < 0.0) w.m2 = 0.0;
    return w;
  }
};

// A relative-error quantile sketch in the manner of DDSketch (Masson, Rim and Lee 2019): values
// fall in logarithmic buckets of ratio gamma = (1 + alpha) / (1 - alpha), so any quantile is
// returned within relative error alpha of a value of that rank. Zero (|x| < min_positive) is
// counted apart; negatives go to a mirrored store. Counts are integers, so merging is exact and
// order-free. Memory grows with the spread of the values (log range / alpha), not their number.
//
// Bucket key of x > 0 is ceil(log(x) / log(gamma)) and a bucket is represented by
// 2 gamma^key / (gamma + 1). A negative x is kept as key_of(-x) in the negative store.
// min() and max() are exact; quantile(0) is min() and quantile(1) is max() exactly, and every
// other result is clamped into [min(), max()]. The result depends only on the multiset of values
// added, never on the order of add() and merge() calls.
// While a sketch has seen at most kExactCapacity distinct values it keeps them exactly, so flags,
// counts and other few-valued indicators get exact quantiles; past that it spills them into the
// buckets. Which mode a sketch ends in depends only on the multiset of values, so merging stays
// order-free.
// While every value added is a whole number (counts of soldiers, aid packages, escalation points),
// a quantile that falls in a bucket holding a single whole number is that number, exactly: below
// about 100 the buckets are narrower than 1, so small counts get exact quantiles (4, not 4.02).
// NaN is ignored (not counted), in every build: an indicator can become NaN when a scenario's
// numbers overflow (inf - inf), and the Monte Carlo reduction counts and reports such runs itself
// (Accumulator::non_finite_runs). +-infinity is counted in the outermost bucket; min()/max()
// record it exactly.
class QuantileSketch {
 public:
  static constexpr double kAlpha = 0.005;
  static constexpr double kMinPositive = 1e-9;
  static constexpr int kExactCapacity = 8;

  void add(double x) { add(x, 1); }
  void add(double x, std::uint64_t count);  // `count` copies of x (count >= 1)
  // x[0], ..., x[n - 1]: the same sketch as add() of each in turn (same answers, same store
  // layout), in fewer steps.
  void add_values(const double* x, std::size_t n);
  void merge(const QuantileSketch& o);
  void clear();
  [[nodiscard]] std::uint64_t count() const { return count_; }
  // q in [0, 1]. The value of rank ceil(q * count) (lower quantile, rank at least 1), within
  // relative error alpha. NaN when the sketch is empty.
  [[nodiscard]] double quantile(double q) const;
  [[nodiscard]] double min() const { return min_; }  // 0 when empty
  [[nodiscard]] double max() const { return max_; }  // 0 when empty
  // Buckets allocated in the two stores (for memory tests); does not grow with count().
  [[nodiscard]] std::size_t bucket_count() const {
    return pos_.counts.size() + neg_.counts.size();
  }

 private:
  friend struct StatsWire;
  struct Store {
    std::int32_t offset = 0;  // bucket index of counts[0]
    std::vector<std::uint64_t> counts;
    void add(std::int32_t key, std::uint64_t count = 1);
    void merge(const Store& o);
    [[nodiscard]] std::uint64_t total() const;
  };
  void spill(double x, std::uint64_t count);  // into the buckets
  void spill_exact();                          // leave exact mode
  static std::int32_t key_of(double x);  // x > 0
  static double value_of(std::int32_t key);
  // The one whole number in key's bucket, or NaN if it holds none or several.
  static double only_integer_in(std::int32_t key);
  Store pos_, neg_;
  std::uint64_t zeros_ = 0;
  bool exact_ = true;
  int n_exact_ = 0;
  std::array<double, kExactCapacity> exact_value_{};
  std::array<std::uint64_t, kExactCapacity> exact_count_{};
  std::uint64_t count_ = 0;
  double min_ = 0.0, max_ = 0.0;
  bool integral_ = true;  // every value added so far is a whole number (or +-infinity)
};

// Quantiles of an integer-valued observation in [0, n_bins), exactly.
class IntHistogram {
 public:
  explicit IntHistogram(int n_bins = 0) : counts_(static_cast<std::size_t>(n_bins), 0) {}
  void add(int x) {
    assert(x >= 0 && static_cast<std::size_t>(x) < counts_.size());
    ++counts_[static_cast<std::size_t>(x)];
    ++total_;
  }
  // Adds o's counts. A histogram with no bins is the identity; if the sizes differ, the result
  // has the larger number of bins.
  void merge(const IntHistogram& o);
  [[nodiscard]] std::uint64_t total() const { return total_; }
  // Lower quantile: the smallest x with at least ceil(q * total) observations <= x. -1 if empty.
  [[nodiscard]] int quantile(double q) const;
  [[nodiscard]] const std::vector<std::uint64_t>& counts() const { return counts_; }

 private:
  friend struct StatsWire;
  std::vector<std::uint64_t> counts_;
  std::uint64_t total_ = 0;
};

}  // namespace geosim
