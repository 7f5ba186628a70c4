#include "geosim/stats.h"

#include <algorithm>
#include <array>
#include <utility>
#include <cassert>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace geosim {

// ---------------------------------------------------------------------------------------------
// Wilson score interval

Interval wilson_interval(std::uint64_t k, std::uint64_t n, double z) {
  assert(k <= n);
  if (n == 0) return {0.0, 1.0};
  if (k > n) k = n;  // release builds: saturate rather than return nonsense
  const double nd = static_cast<double>(n);
  const double p = static_cast<double>(k) / nd;
  const double z2 = z * z;
  const double denom = 1.0 + z2 / nd;
  const double center = (p + z2 / (2.0 * nd)) / denom;
  const double half = std::abs(z) / denom * std::sqrt(p * (1.0 - p) / nd + z2 / (4.0 * nd * nd));
  Interval r{center - half, center + half};
  r.lo = k == 0 ? 0.0 : std::clamp(r.lo, 0.0, 1.0);
  r.hi = k == n ? 1.0 : std::clamp(r.hi, 0.0, 1.0);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Welford

void Welford::merge(const Welford& o) {
  if (o.n == 0) return;
  if (n == 0) {
    *this = o;
    return;
  }
  const double na = static_cast<double>(n);
  const double nb = static_cast<double>(o.n);
  const double nt = na + nb;
  const double delta = o.mean - mean;
  // Chan, Golub and LeVeque (1979): the weighted mean update and the cross term.
  mean += delta * (nb / nt);
  m2 += o.m2 + delta * delta * (na * nb / nt);
  n += o.n;
}

// ---------------------------------------------------------------------------------------------
// QuantileSketch

namespace {

constexpr double kGamma = (1.0 + QuantileSketch::kAlpha) / (1.0 - QuantileSketch::kAlpha);
// Buckets per octave. The key is ceil(M * L(x)) with L(x) = e + f for x = 2^e * (1 + f), a
// piecewise-linear stand-in for log2 that needs no libm call (as DDSketch's linearly interpolated
// mapping). Within an octave x grows by 2^e / M per key, so consecutive bucket bounds differ by a
// ratio of at most 1 + 1/M = gamma: the same relative-error guarantee as exact logarithms, with
// about 1.44 times as many buckets, and bit-identical results on any libm.
constexpr double kBucketsPerOctave = 1.0 / (kGamma - 1.0);

// L(x) for finite x > 0, exactly (integer exponent plus the 52-bit mantissa fraction).
double linear_log2(double x) {
  const auto bits = std::bit_cast<std::uint64_t>(x);
  const auto biased = static_cast<std::int64_t>((bits >> 52) & 0x7ff);
  const double frac = static_cast<double>(bits & ((std::uint64_t{1} << 52) - 1)) * 0x1.0p-52;
  if (biased == 0) return -1022.0 + frac - 1.0;  // subnormal: below any key in use, kept monotone
  return static_cast<double>(biased - 1023) + frac;
}

// The inverse of linear_log2.
double linear_exp2(double a) {
  const double e = std::floor(a);
  return std::ldexp(1.0 + (a - e), static_cast<int>(e));
}

// x is a whole number (or +-infinity: every double from 2^52 up is whole). The conversion is
// exact below 2^52, so no libm call is needed.
[[gnu::always_inline]] inline bool is_whole(double x) {
  return std::abs(x) >= 0x1p52 || static_cast<double>(static_cast<std::int64_t>(x)) == x;
}

}  // namespace

// Inline: add_values calls it once per value (only this file uses it).
[[gnu::always_inline]] inline std::int32_t QuantileSketch::key_of(double x) {
  assert(x > 0.0);
  // Infinity (and anything past the largest double) shares the largest finite bucket.
  const double clamped = std::min(x, std::numeric_limits<double>::max());
  // ceil without a libm call (x86-64's baseline has no rounding instruction): truncate, then
  // step up if the truncation went down. |t| < 1.1e5, so the conversion is exact.
  const double t = linear_log2(clamped) * kBucketsPerOctave;
  const auto k = static_cast<std::int32_t>(t);
  return k + (static_cast<double>(k) < t ? 1 : 0);
}

double QuantileSketch::value_of(std::int32_t key) {
  // The bucket is (lo, hi]; the harmonic mean of its bounds is within alpha of every value in it.
  const double lo = linear_exp2(static_cast<double>(key - 1) / kBucketsPerOctave);
  const double hi = linear_exp2(static_cast<double>(key) / kBucketsPerOctave);
  return 2.0 * lo / (1.0 + lo / hi);  // = 2 lo hi / (lo + hi), without overflow
}

double QuantileSketch::only_integer_in(std::int32_t key) {
  // The bucket is (lo, hi]. Two or more whole numbers fit when it is at least 1 wide; otherwise
  // the candidates are the few numbers around it, each placed by key_of itself (the same rounding
  // as add), so the answer cannot disagree with where the value was counted.
  const double lo = linear_exp2(static_cast<double>(key - 1) / kBucketsPerOctave);
  const double hi = linear_exp2(static_cast<double>(key) / kBucketsPerOctave);
  if (!(hi - lo < 1.0)) return std::numeric_limits<double>::quiet_NaN();
  double found = std::numeric_limits<double>::quiet_NaN();
  int n = 0;
  for (double i = std::max(1.0, std::floor(lo) - 1.0); i <= std::floor(hi) + 1.0; i += 1.0) {
    if (key_of(i) == key) {
      found = i;
      ++n;
    }
  }
  return n == 1 ? found : std::numeric_limits<double>::quiet_NaN();
}

void QuantileSketch::Store::add(std::int32_t key, std::uint64_t count) {
  if (counts.empty()) {
    offset = key;
    counts.assign(1, 0);
  } else if (key < offset) {
    // Grow to the left with an eighth of the current size as slack, so a descending stream of
    // new keys costs amortised O(1) per key while memory stays close to the range of values
    // seen; the slack never goes below the smallest reachable key.
    static const std::int32_t kMinKey = key_of(kMinPositive);
    const std::int32_t need = offset - key;
    const std::int32_t slack = std::max<std::int32_t>(
        0,
        std::min<std::int32_t>(static_cast<std::int32_t>(counts.size() / 8) - need, key - kMinKey));
    const std::int32_t grow = need + slack;
    std::vector<std::uint64_t> grown(counts.size() + static_cast<std::size_t>(grow), 0);
    std::copy(counts.begin(), counts.end(), grown.begin() + grow);
    counts.swap(grown);
    offset -= grow;
  } else if (key - offset >= static_cast<std::int32_t>(counts.size())) {
    // Grow to the right with an eighth as slack (not the vector's doubling, which would let
    // memory depend on the order in which the range was discovered).
    const auto size = static_cast<std::size_t>(key - offset) + 1;
    if (size > counts.capacity()) counts.reserve(size + size / 8 + 4);
    counts.resize(size, 0);
  }
  counts[static_cast<std::size_t>(key - offset)] += count;
}

void QuantileSketch::Store::merge(const Store& o) {
  // Only o's occupied range matters (o may carry zero slack at its ends).
  std::size_t first = 0;
  while (first < o.counts.size() && o.counts[first] == 0) ++first;
  if (first == o.counts.size()) return;
  std::size_t last = o.counts.size() - 1;
  while (o.counts[last] == 0) --last;
  const std::int32_t lo = o.offset + static_cast<std::int32_t>(first);
  const std::int32_t hi = o.offset + static_cast<std::int32_t>(last);
  if (counts.empty()) {
    offset = lo;
    counts.assign(o.counts.begin() + static_cast<std::ptrdiff_t>(first),
                  o.counts.begin() + static_cast<std::ptrdiff_t>(last) + 1);
    return;
  }
  if (lo < offset) {
    std::vector<std::uint64_t> grown(counts.size() + static_cast<std::size_t>(offset - lo), 0);
    std::copy(counts.begin(), counts.end(), grown.begin() + (offset - lo));
    counts.swap(grown);
    offset = lo;
  }
  if (hi - offset >= static_cast<std::int32_t>(counts.size())) {
    counts.resize(static_cast<std::size_t>(hi - offset) + 1, 0);
  }
  for (std::size_t i = first; i <= last; ++i) {
    counts[static_cast<std::size_t>(o.offset + static_cast<std::int32_t>(i) - offset)] +=
        o.counts[i];
  }
}

std::uint64_t QuantileSketch::Store::total() const {
  std::uint64_t t = 0;
  for (const std::uint64_t c : counts) t += c;
  return t;
}

void QuantileSketch::spill(double x, std::uint64_t count) {
  if (std::abs(x) < kMinPositive) {
    zeros_ += count;
  } else if (x > 0.0) {
    pos_.add(key_of(x), count);
  } else {
    neg_.add(key_of(-x), count);
  }
}

void QuantileSketch::spill_exact() {
  if (!exact_) return;
  for (int i = 0; i < n_exact_; ++i) spill(exact_value_[static_cast<std::size_t>(i)], exact_count_[static_cast<std::size_t>(i)]);
  exact_ = false;
  n_exact_ = 0;
}

void QuantileSketch::add(double x, std::uint64_t count) {
  if (std::isnan(x) || count == 0) return;  // NaN: not counted (the reduction reports it)
  integral_ = integral_ && is_whole(x);
  if (count_ == 0) {
    min_ = max_ = x;
  } else {
    min_ = std::min(min_, x);
    max_ = std::max(max_, x);
  }
  count_ += count;
  if (exact_) {
    for (int i = 0; i < n_exact_; ++i) {
      if (exact_value_[static_cast<std::size_t>(i)] == x) {
        exact_count_[static_cast<std::size_t>(i)] += count;
        return;
      }
    }
    if (n_exact_ < kExactCapacity) {
      exact_value_[static_cast<std::size_t>(n_exact_)] = x;
      exact_count_[static_cast<std::size_t>(n_exact_)] = count;
      ++n_exact_;
      return;
    }
    spill_exact();
  }
  spill(x, count);
}

void QuantileSketch::add_values(const double* x, std::size_t n) {
  std::size_t i = 0;
  // Exact mode: runs of equal values go in as one weighted entry (flags, counts and zeros often
  // repeat from run to run).
  while (i < n && exact_) {
    std::size_t j = i + 1;
    while (j < n && x[j] == x[i]) ++j;
    add(x[i], j - i);
    i = j;
  }
  // Spilled: each chunk's keys are found first (no store access, so the key arithmetic of
  // neighbouring values overlaps), then counted in order. A key outside the store goes through
  // Store::add, which grows the store exactly as add() of each value in turn would: the layout,
  // bucket_count() and the MPI wire bytes are those of add(), not just the quantiles.
  constexpr std::size_t kChunk = 64;
  std::array<std::int32_t, kChunk> keys;
  while (i < n) {
    const std::size_t end = i + std::min(kChunk, n - i);
    std::size_t k = 0;
    for (; i < end; ++i) {
      const double v = x[i];
      if (std::isnan(v)) continue;
      integral_ = integral_ && is_whole(v);
      if (count_ == 0) {
        min_ = max_ = v;
      } else {
        min_ = std::min(min_, v);
        max_ = std::max(max_, v);
      }
      ++count_;
      if (std::abs(v) < kMinPositive) {
        ++zeros_;
      } else if (v > 0.0) {
        keys[k++] = key_of(v);
      } else {
        neg_.add(key_of(-v), 1);
      }
    }
    for (std::size_t q = 0; q < k; ++q) {
      const auto slot = static_cast<std::size_t>(keys[q] - pos_.offset);  // wraps if below
      if (slot < pos_.counts.size()) {
        ++pos_.counts[slot];
      } else {
        pos_.add(keys[q], 1);
      }
    }
  }
}

void QuantileSketch::merge(const QuantileSketch& o) {
  if (o.count_ == 0) return;
  integral_ = integral_ && o.integral_;
  if (count_ == 0) {
    min_ = o.min_;
    max_ = o.max_;
  } else {
    min_ = std::min(min_, o.min_);
    max_ = std::max(max_, o.max_);
  }
  if (exact_ && o.exact_) {
    // Stay exact if the union of distinct values still fits.
    int distinct = n_exact_;
    for (int j = 0; j < o.n_exact_; ++j) {
      bool seen = false;
      for (int i = 0; i < n_exact_; ++i)
        seen = seen || exact_value_[static_cast<std::size_t>(i)] == o.exact_value_[static_cast<std::size_t>(j)];
      distinct += seen ? 0 : 1;
    }
    if (distinct <= kExactCapacity) {
      for (int j = 0; j < o.n_exact_; ++j) {
        const double v = o.exact_value_[static_cast<std::size_t>(j)];
        int i = 0;
        while (i < n_exact_ && exact_value_[static_cast<std::size_t>(i)] != v) ++i;
        if (i == n_exact_) {
          exact_value_[static_cast<std::size_t>(i)] = v;
          exact_count_[static_cast<std::size_t>(i)] = 0;
          ++n_exact_;
        }
        exact_count_[static_cast<std::size_t>(i)] += o.exact_count_[static_cast<std::size_t>(j)];
      }
      count_ += o.count_;
      return;
    }
  }
  spill_exact();
  if (o.exact_) {
    for (int j = 0; j < o.n_exact_; ++j)
      spill(o.exact_value_[static_cast<std::size_t>(j)], o.exact_count_[static_cast<std::size_t>(j)]);
  } else {
    pos_.merge(o.pos_);
    neg_.merge(o.neg_);
    zeros_ += o.zeros_;
  }
  count_ += o.count_;
}

void QuantileSketch::clear() { *this = QuantileSketch{}; }

double QuantileSketch::quantile(double q) const {
  assert(!std::isnan(q));
  if (count_ == 0 || std::isnan(q)) return std::numeric_limits<double>::quiet_NaN();
  q = std::clamp(q, 0.0, 1.0);
  const double c = static_cast<double>(count_);
  std::uint64_t rank = static_cast<std::uint64_t>(std::ceil(q * c));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  if (rank == 1) return min_;
  if (rank == count_) return max_;
  if (exact_) {
    std::array<std::pair<double, std::uint64_t>, kExactCapacity> sorted{};
    for (int i = 0; i < n_exact_; ++i)
      sorted[static_cast<std::size_t>(i)] = {exact_value_[static_cast<std::size_t>(i)],
                                             exact_count_[static_cast<std::size_t>(i)]};
    // Insertion sort: at most kExactCapacity entries.
    for (int i = 1; i < n_exact_; ++i)
      for (int j = i; j > 0 && sorted[static_cast<std::size_t>(j)].first < sorted[static_cast<std::size_t>(j - 1)].first; --j)
        std::swap(sorted[static_cast<std::size_t>(j)], sorted[static_cast<std::size_t>(j - 1)]);
    std::uint64_t seen = 0;
    for (int i = 0; i < n_exact_; ++i) {
      seen += sorted[static_cast<std::size_t>(i)].second;
      if (seen >= rank) return sorted[static_cast<std::size_t>(i)].first;
    }
    return max_;
  }

  // A bucket's value: its one whole number when every value added was whole and the bucket
  // holds only one; otherwise the representative within alpha of all its values.
  const auto bucket_value = [this](std::int32_t key) {
    if (integral_) {
      const double whole = only_integer_in(key);
      if (!std::isnan(whole)) return whole;
    }
    return value_of(key);
  };
  std::uint64_t seen = 0;
  double v = max_;
  bool found = false;
  // Negatives, largest magnitude (most negative) first.
  for (std::size_t i = neg_.counts.size(); i-- > 0 && !found;) {
    seen += neg_.counts[i];
    if (seen >= rank) {
      v = -bucket_value(neg_.offset + static_cast<std::int32_t>(i));
      found = true;
    }
  }
  if (!found) {
    seen += zeros_;
    if (seen >= rank) {
      v = 0.0;
      found = true;
    }
  }
  for (std::size_t i = 0; i < pos_.counts.size() && !found; ++i) {
    seen += pos_.counts[i];
    if (seen >= rank) {
      v = bucket_value(pos_.offset + static_cast<std::int32_t>(i));
      found = true;
    }
  }
  return std::clamp(v, min_, max_);
}

// ---------------------------------------------------------------------------------------------
// IntHistogram

void IntHistogram::merge(const IntHistogram& o) {
  if (o.counts_.size() > counts_.size()) counts_.resize(o.counts_.size(), 0);
  for (std::size_t i = 0; i < o.counts_.size(); ++i) counts_[i] += o.counts_[i];
  total_ += o.total_;
}

int IntHistogram::quantile(double q) const {
  assert(!std::isnan(q));
  if (total_ == 0) return -1;
  q = std::isnan(q) ? 0.0 : std::clamp(q, 0.0, 1.0);
  std::uint64_t rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total_)));
  rank = std::clamp<std::uint64_t>(rank, 1, total_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return static_cast<int>(i);
  }
  return static_cast<int>(counts_.size()) - 1;  // unreachable when total_ matches the counts
}

}  // namespace geosim
