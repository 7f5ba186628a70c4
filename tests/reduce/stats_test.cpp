// Tests for include/geosim/stats.h: Wilson intervals, Welford moments, the DDSketch-style
// quantile sketch and the exact integer histogram. Every expectation is checked against an
// independent reference: published values, a hand-worked example, or a brute-force computation
// (two-pass moments, sorted order statistics) on the same data.
#include "geosim/stats.h"

#include <gtest/gtest.h>

#include <bit>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <vector>

#include "geosim/rng.h"

namespace {

using geosim::Interval;
using geosim::IntHistogram;
using geosim::QuantileSketch;
using geosim::Welford;
using geosim::wilson_interval;

constexpr double kAlpha = QuantileSketch::kAlpha;
// Bucket boundaries are computed with log(); a value that sits on a boundary may be rounded into
// the neighbouring bucket, which costs at most a few ulps beyond alpha.
constexpr double kSketchTol = kAlpha * (1.0 + 1e-9);

double round4(double x) { return std::round(x * 1e4) / 1e4; }

// ---------------------------------------------------------------------------------------------
// Wilson score interval.
// References: the 0/10, 5/10, 10/10 values are from the brief and agree with the closed form
// (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n) evaluated by hand (e.g. 0 of 10:
// hi = z^2 / (n + z^2) = 3.84146 / 13.84146 = 0.27753). The others are Newcombe, R. G. (1998),
// "Two-sided confidence intervals for the single proportion: comparison of seven methods",
// Statistics in Medicine 17:857-872, Table I, method 3 (score interval without continuity
// correction): 81/263 -> 0.2553-0.3662, 15/148 -> 0.0624-0.1605, 0/20 -> 0-0.1611,
// 1/29 -> 0.0061-0.1718; each rechecked from the closed form.

TEST(Wilson, ZeroOfTenMatchesPublishedInterval) {
  const Interval i = wilson_interval(0, 10);
  EXPECT_EQ(i.lo, 0.0);
  EXPECT_DOUBLE_EQ(round4(i.hi), 0.2775);
}

TEST(Wilson, FiveOfTenMatchesPublishedInterval) {
  const Interval i = wilson_interval(5, 10);
  EXPECT_DOUBLE_EQ(round4(i.lo), 0.2366);
  EXPECT_DOUBLE_EQ(round4(i.hi), 0.7634);
}

TEST(Wilson, TenOfTenMatchesPublishedInterval) {
  const Interval i = wilson_interval(10, 10);
  EXPECT_DOUBLE_EQ(round4(i.lo), 0.7225);
  EXPECT_EQ(i.hi, 1.0);
}

TEST(Wilson, MatchesNewcombe1998TableOne) {
  struct Case {
    std::uint64_t k, n;
    double lo, hi;
  };
  const Case cases[] = {
      {81, 263, 0.2553, 0.3662},
      {15, 148, 0.0624, 0.1605},
      {0, 20, 0.0, 0.1611},
      {1, 29, 0.0061, 0.1718},
  };
  for (const Case& c : cases) {
    const Interval i = wilson_interval(c.k, c.n);
    EXPECT_DOUBLE_EQ(round4(i.lo), c.lo) << c.k << "/" << c.n;
    EXPECT_DOUBLE_EQ(round4(i.hi), c.hi) << c.k << "/" << c.n;
  }
}

TEST(Wilson, ZeroTrialsGiveTheWholeUnitInterval) {
  const Interval i = wilson_interval(0, 0);
  EXPECT_EQ(i.lo, 0.0);
  EXPECT_EQ(i.hi, 1.0);
}

TEST(Wilson, NoSuccessesGiveLowerBoundExactlyZeroAndAllSuccessesUpperBoundExactlyOne) {
  for (const std::uint64_t n : {1ULL, 2ULL, 7ULL, 1000ULL, 123456789ULL, 1ULL << 50}) {
    EXPECT_EQ(wilson_interval(0, n).lo, 0.0) << n;
    EXPECT_EQ(wilson_interval(n, n).hi, 1.0) << n;
  }
}

TEST(Wilson, IsSymmetricUnderSwappingSuccessesAndFailures) {
  for (std::uint64_t k = 0; k <= 37; ++k) {
    const Interval a = wilson_interval(k, 37);
    const Interval b = wilson_interval(37 - k, 37);
    EXPECT_NEAR(a.lo, 1.0 - b.hi, 1e-14) << k;
    EXPECT_NEAR(a.hi, 1.0 - b.lo, 1e-14) << k;
  }
}

TEST(Wilson, ContainsTheObservedProportionAndStaysInTheUnitInterval) {
  for (const std::uint64_t n : {1ULL, 3ULL, 50ULL, 1000ULL}) {
    for (std::uint64_t k = 0; k <= n; k += (n > 50 ? 37 : 1)) {
      const Interval i = wilson_interval(k, n);
      const double p = static_cast<double>(k) / static_cast<double>(n);
      EXPECT_GE(i.lo, 0.0);
      EXPECT_LE(i.hi, 1.0);
      EXPECT_LE(i.lo, p) << k << "/" << n;
      EXPECT_GE(i.hi, p) << k << "/" << n;
    }
  }
}

TEST(Wilson, WiderConfidenceGivesAWiderInterval) {
  const Interval i95 = wilson_interval(81, 263);
  const Interval i99 = wilson_interval(81, 263, 2.5758293035489004);
  EXPECT_LT(i99.lo, i95.lo);
  EXPECT_GT(i99.hi, i95.hi);
}

// ---------------------------------------------------------------------------------------------
// Welford mean and variance.

struct TwoPass {
  double mean, var;  // sample variance (n - 1)
};

TwoPass two_pass(const std::vector<double>& xs) {
  double s = 0.0;
  for (const double x : xs) s += x;
  const double mean = s / static_cast<double>(xs.size());
  double ss = 0.0;
  for (const double x : xs) ss += (x - mean) * (x - mean);
  return {mean, ss / static_cast<double>(xs.size() - 1)};
}

std::vector<double> fixed_data(std::size_t n) {
  geosim::Rng rng(20240611);
  std::vector<double> xs(n);
  for (double& x : xs) x = 50.0 + 10.0 * (rng.uniform01() - 0.5) + 0.001 * rng.uniform01();
  return xs;
}

TEST(Welford, HandWorkedExampleGivesMeanFiveAndSampleVarianceThirtyTwoSevenths) {
  // {2, 4, 4, 4, 5, 5, 7, 9}: mean 5, sum of squared deviations 32.
  Welford w;
  for (const double x : {2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0}) w.add(x);
  EXPECT_EQ(w.n, 8U);
  EXPECT_DOUBLE_EQ(w.mean, 5.0);
  EXPECT_DOUBLE_EQ(w.m2, 32.0);
  EXPECT_DOUBLE_EQ(w.variance(), 32.0 / 7.0);
}

TEST(Welford, MatchesTwoPassComputationOnFixedData) {
  const std::vector<double> xs = fixed_data(10000);
  Welford w;
  for (const double x : xs) w.add(x);
  const TwoPass ref = two_pass(xs);
  EXPECT_NEAR(w.mean, ref.mean, 1e-12 * std::abs(ref.mean));
  EXPECT_NEAR(w.variance(), ref.var, 1e-10 * ref.var);
}

TEST(Welford, VarianceOfFewerThanTwoObservationsIsZero) {
  Welford w;
  EXPECT_EQ(w.variance(), 0.0);
  w.add(3.5);
  EXPECT_EQ(w.variance(), 0.0);
  EXPECT_EQ(w.mean, 3.5);
}

TEST(Welford, MergingBlocksInOrderEqualsAddingSequentially) {
  const std::vector<double> xs = fixed_data(10007);
  Welford seq;
  for (const double x : xs) seq.add(x);
  // Uneven blocks, including an empty one and a single-element one.
  const std::size_t cuts[] = {0, 1, 1, 500, 4096, 4097, 9000, xs.size()};
  Welford merged;
  for (std::size_t b = 0; b + 1 < std::size(cuts); ++b) {
    Welford block;
    for (std::size_t i = cuts[b]; i < cuts[b + 1]; ++i) block.add(xs[i]);
    merged.merge(block);
  }
  EXPECT_EQ(merged.n, seq.n);
  EXPECT_NEAR(merged.mean, seq.mean, 1e-12 * std::abs(seq.mean));
  EXPECT_NEAR(merged.m2, seq.m2, 1e-12 * seq.m2);
  EXPECT_NEAR(merged.variance(), two_pass(xs).var, 1e-10 * seq.variance());
}

TEST(Welford, MergeWithEmptyOnEitherSideIsTheIdentity) {
  Welford a;
  for (const double x : {1.0, 2.0, 4.0}) a.add(x);
  Welford left = a;
  left.merge(Welford{});
  EXPECT_EQ(left.n, a.n);
  EXPECT_EQ(left.mean, a.mean);
  EXPECT_EQ(left.m2, a.m2);
  Welford right;
  right.merge(a);
  EXPECT_EQ(right.n, a.n);
  EXPECT_EQ(right.mean, a.mean);
  EXPECT_EQ(right.m2, a.m2);
  Welford none;
  none.merge(Welford{});
  EXPECT_EQ(none.n, 0U);
  EXPECT_EQ(none.mean, 0.0);
  EXPECT_EQ(none.m2, 0.0);
}

TEST(Welford, MergeOfTwoSingletonsGivesTheirMeanAndVariance) {
  Welford a, b;
  a.add(1.0);
  b.add(3.0);
  a.merge(b);
  EXPECT_EQ(a.n, 2U);
  EXPECT_DOUBLE_EQ(a.mean, 2.0);
  EXPECT_DOUBLE_EQ(a.variance(), 2.0);  // ((1-2)^2 + (3-2)^2) / 1
}

TEST(Welford, SurvivesCatastrophicCancellationAroundOneBillion) {
  // The textbook case (e.g. Wikipedia, "Algorithms for calculating variance"): 1e9 + {4, 7, 13,
  // 16} has sample variance exactly 30, which the naive sum-of-squares formula loses entirely.
  const std::vector<double> xs = {1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16};
  Welford w;
  for (const double x : xs) w.add(x);
  EXPECT_DOUBLE_EQ(w.mean, 1e9 + 10);
  EXPECT_NEAR(w.variance(), 30.0, 30.0 * 1e-9);

  Welford a, b;
  a.add(xs[0]);
  a.add(xs[1]);
  b.add(xs[2]);
  b.add(xs[3]);
  a.merge(b);
  EXPECT_NEAR(a.variance(), 30.0, 30.0 * 1e-9);

  // And a larger sample: 1e9 + small noise of known spread, against two-pass.
  std::vector<double> big = fixed_data(5000);
  for (double& x : big) x += 1e9;
  Welford wb, m1, m2;
  for (std::size_t i = 0; i < big.size(); ++i) {
    wb.add(big[i]);
    (i < 1234 ? m1 : m2).add(big[i]);
  }
  m1.merge(m2);
  const TwoPass ref = two_pass(big);
  EXPECT_NEAR(wb.variance(), ref.var, 1e-6 * ref.var);
  EXPECT_NEAR(m1.variance(), ref.var, 1e-6 * ref.var);
}

// ---------------------------------------------------------------------------------------------
// QuantileSketch.

// Lognormal(0, 1.5) by Box-Muller from geosim::Rng (no std:: distributions: their algorithms are
// implementation-defined, so a sample would differ between standard libraries).
std::vector<double> lognormal_sample(std::uint64_t seed, std::size_t n) {
  geosim::Rng rng(seed);
  std::vector<double> xs(n);
  for (double& x : xs) {
    const double u1 = 1.0 - rng.uniform01();  // (0, 1]
    const double u2 = rng.uniform01();
    const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    x = std::exp(1.5 * z);
  }
  return xs;
}

std::vector<double> exponential_sample(std::uint64_t seed, std::size_t n) {
  geosim::Rng rng(seed);
  std::vector<double> xs(n);
  for (double& x : xs) x = -std::log(1.0 - rng.uniform01());
  return xs;
}

// The documented rank: ceil(q * n), at least 1.
std::size_t rank_of(double q, std::size_t n) {
  const auto r = static_cast<std::size_t>(std::ceil(q * static_cast<double>(n)));
  return std::clamp<std::size_t>(r, 1, n);
}

// Expects every quantile on a grid to be within relative error alpha of the exact order
// statistic of the same rank (absolute kMinPositive for values counted as zero).
void expect_within_alpha(const QuantileSketch& s, std::vector<double> xs,
                         const std::vector<double>& qs) {
  std::sort(xs.begin(), xs.end());
  ASSERT_EQ(s.count(), xs.size());
  for (const double q : qs) {
    const double exact = xs[rank_of(q, xs.size()) - 1];
    const double got = s.quantile(q);
    if (std::abs(exact) < QuantileSketch::kMinPositive) {
      EXPECT_LE(std::abs(got), QuantileSketch::kMinPositive) << "q=" << q;
    } else {
      EXPECT_LE(std::abs(got - exact), kSketchTol * std::abs(exact))
          << "q=" << q << " exact=" << exact << " got=" << got;
    }
  }
}

std::vector<double> fine_grid() {
  std::vector<double> qs;
  for (int i = 0; i <= 1000; ++i) qs.push_back(i / 1000.0);
  return qs;
}

TEST(QuantileSketch, LognormalQuantilesAreWithinRelativeErrorAlphaOfExactOrderStatistics) {
  const std::vector<double> xs = lognormal_sample(42, 100000);
  QuantileSketch s;
  for (const double x : xs) s.add(x);
  expect_within_alpha(s, xs, {0.01, 0.05, 0.5, 0.95, 0.99});
  expect_within_alpha(s, xs, fine_grid());
}

TEST(QuantileSketch, ExponentialQuantilesAreWithinRelativeErrorAlphaOfExactOrderStatistics) {
  const std::vector<double> xs = exponential_sample(7, 100000);
  QuantileSketch s;
  for (const double x : xs) s.add(x);
  expect_within_alpha(s, xs, {0.01, 0.05, 0.5, 0.95, 0.99});
  expect_within_alpha(s, xs, fine_grid());
}

TEST(QuantileSketch, ValuesSpanningManyDecadesAreEachRecoveredWithinAlpha) {
  // One value per rank, from 1e-9 to 1e300, including exact powers of gamma (bucket edges).
  const double gamma = (1 + kAlpha) / (1 - kAlpha);
  std::vector<double> xs;
  for (double x = 1e-9; x < 1e300; x *= 3.7) xs.push_back(x);
  for (int k = -2000; k <= 2000; k += 97) xs.push_back(std::pow(gamma, k));
  QuantileSketch s;
  for (const double x : xs) s.add(x);
  std::vector<double> qs;
  for (std::size_t i = 1; i <= xs.size(); ++i) {
    qs.push_back(static_cast<double>(i) / static_cast<double>(xs.size()));
  }
  expect_within_alpha(s, xs, qs);
}

TEST(QuantileSketch, ZerosAndNegativesAreOrderedBeforePositives) {
  geosim::Rng rng(99);
  std::vector<double> xs;
  for (int i = 0; i < 3000; ++i) xs.push_back(-std::exp(8.0 * rng.uniform01() - 4.0));
  for (int i = 0; i < 1000; ++i) xs.push_back(0.0);
  for (int i = 0; i < 500; ++i) xs.push_back(i % 2 ? 1e-12 : -3e-10);  // |x| < kMinPositive
  for (int i = 0; i < 4000; ++i) xs.push_back(std::exp(8.0 * rng.uniform01() - 4.0));
  QuantileSketch s;
  for (const double x : xs) s.add(x);
  expect_within_alpha(s, xs, fine_grid());
  // Ranks 3001..4500 are the (near-)zeros; 1..3000 negatives; the rest positive.
  EXPECT_LT(s.quantile(0.3), 0.0);
  EXPECT_LE(std::abs(s.quantile(0.45)), QuantileSketch::kMinPositive);
  EXPECT_GT(s.quantile(0.6), 0.0);
}

TEST(QuantileSketch, AllNegativeSampleIsMirrored) {
  const std::vector<double> pos = exponential_sample(3, 20000);
  std::vector<double> neg(pos.size());
  std::transform(pos.begin(), pos.end(), neg.begin(), [](double x) { return -x; });
  QuantileSketch s;
  for (const double x : neg) s.add(x);
  expect_within_alpha(s, neg, fine_grid());
  EXPECT_EQ(s.min(), *std::min_element(neg.begin(), neg.end()));
  EXPECT_EQ(s.max(), *std::max_element(neg.begin(), neg.end()));
}

TEST(QuantileSketch, ExtremeQuantilesAreTheExactMinimumAndMaximum) {
  const std::vector<double> xs = lognormal_sample(5, 1000);
  QuantileSketch s;
  for (const double x : xs) s.add(x);
  const double lo = *std::min_element(xs.begin(), xs.end());
  const double hi = *std::max_element(xs.begin(), xs.end());
  EXPECT_EQ(s.min(), lo);
  EXPECT_EQ(s.max(), hi);
  EXPECT_EQ(s.quantile(0.0), lo);
  EXPECT_EQ(s.quantile(1.0), hi);
  for (const double q : fine_grid()) {
    EXPECT_GE(s.quantile(q), lo);
    EXPECT_LE(s.quantile(q), hi);
  }
}

TEST(QuantileSketch, SingleValueIsReturnedExactlyForEveryQuantile) {
  QuantileSketch s;
  s.add(123.456);
  for (const double q : {0.0, 0.01, 0.5, 0.99, 1.0}) EXPECT_EQ(s.quantile(q), 123.456);
}

TEST(QuantileSketch, QuantilesAreMonotoneInQ) {
  const std::vector<double> xs = lognormal_sample(11, 5000);
  QuantileSketch s;
  for (const double x : xs) s.add(x);
  double prev = -std::numeric_limits<double>::infinity();
  for (const double q : fine_grid()) {
    const double v = s.quantile(q);
    EXPECT_GE(v, prev) << q;
    prev = v;
  }
}

TEST(QuantileSketch, EmptySketchHasCountZeroAndNaNQuantiles) {
  QuantileSketch s;
  EXPECT_EQ(s.count(), 0U);
  EXPECT_TRUE(std::isnan(s.quantile(0.5)));
  EXPECT_TRUE(std::isnan(s.quantile(0.0)));
  EXPECT_TRUE(std::isnan(s.quantile(1.0)));
}

TEST(QuantileSketch, ClearForgetsEverything) {
  QuantileSketch s;
  for (const double x : {-5.0, 0.0, 7.0}) s.add(x);
  s.clear();
  EXPECT_EQ(s.count(), 0U);
  EXPECT_TRUE(std::isnan(s.quantile(0.5)));
  s.add(2.0);
  EXPECT_EQ(s.count(), 1U);
  EXPECT_EQ(s.min(), 2.0);
  EXPECT_EQ(s.max(), 2.0);
  EXPECT_EQ(s.quantile(0.5), 2.0);
}

std::vector<double> mixed_sample() {
  std::vector<double> xs = lognormal_sample(1, 30000);
  const std::vector<double> e = exponential_sample(2, 10000);
  for (const double x : e) xs.push_back(-1000.0 * x);
  for (int i = 0; i < 777; ++i) xs.push_back(0.0);
  return xs;
}

TEST(QuantileSketch, MergeOfTwoSketchesEqualsOneSketchFedAllValues) {
  const std::vector<double> xs = mixed_sample();
  QuantileSketch all, a, b;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    all.add(xs[i]);
    // Split so that the two halves cover different key ranges.
    (xs[i] > 3.0 || (xs[i] < 0 && i % 3 == 0) ? a : b).add(xs[i]);
  }
  QuantileSketch ab = a;
  ab.merge(b);
  QuantileSketch ba = b;
  ba.merge(a);
  for (const QuantileSketch* m : {&ab, &ba}) {
    EXPECT_EQ(m->count(), all.count());
    EXPECT_EQ(m->min(), all.min());
    EXPECT_EQ(m->max(), all.max());
    for (const double q : fine_grid()) EXPECT_EQ(m->quantile(q), all.quantile(q)) << q;
  }
  expect_within_alpha(ab, xs, fine_grid());
}

TEST(QuantileSketch, MergeWithEmptyOnEitherSideIsTheIdentity) {
  const std::vector<double> xs = mixed_sample();
  QuantileSketch s;
  for (const double x : xs) s.add(x);
  QuantileSketch left = s;
  left.merge(QuantileSketch{});
  QuantileSketch right;
  right.merge(s);
  for (const QuantileSketch* m : {&left, &right}) {
    EXPECT_EQ(m->count(), s.count());
    EXPECT_EQ(m->min(), s.min());
    EXPECT_EQ(m->max(), s.max());
    for (const double q : fine_grid()) EXPECT_EQ(m->quantile(q), s.quantile(q)) << q;
  }
}

TEST(QuantileSketch, ResultDoesNotDependOnInsertionOrder) {
  std::vector<double> xs = mixed_sample();
  QuantileSketch shuffled;
  for (const double x : xs) shuffled.add(x);
  std::sort(xs.begin(), xs.end());
  QuantileSketch ascending;
  for (const double x : xs) ascending.add(x);
  QuantileSketch descending;
  for (auto it = xs.rbegin(); it != xs.rend(); ++it) descending.add(*it);
  // Many small merged pieces, in a scrambled order.
  QuantileSketch pieces;
  for (std::size_t start : {5u, 0u, 3u, 1u, 4u, 2u}) {
    QuantileSketch p;
    for (std::size_t i = start; i < xs.size(); i += 6) p.add(xs[i]);
    pieces.merge(p);
  }
  for (const QuantileSketch* m : {&ascending, &descending, &pieces}) {
    EXPECT_EQ(m->count(), shuffled.count());
    for (const double q : fine_grid()) EXPECT_EQ(m->quantile(q), shuffled.quantile(q)) << q;
  }
}

// add_values (the Monte Carlo's batched path) builds the same sketch as add() of each value in
// turn: through exact mode, the spill, runs of equal values, zeros, negatives, infinities and
// chunks longer than its internal 64, fed in uneven slices.
TEST(QuantileSketch, AddValuesEqualsAddingEachInTurn) {
  std::vector<double> xs = mixed_sample();
  for (int i = 0; i < 40; ++i) xs.insert(xs.begin() + 7 * i, 2.5);  // runs of equal values
  xs.insert(xs.begin() + 11, std::numeric_limits<double>::infinity());
  xs.insert(xs.begin() + 13, 0.0);
  xs.insert(xs.begin() + 17, -0.0);
  ASSERT_GT(xs.size(), 200u);
  QuantileSketch one_by_one;
  for (const double x : xs) one_by_one.add(x);
  for (const std::size_t slice : {1u, 3u, 32u, 64u, 65u, 1000u}) {
    QuantileSketch batched;
    for (std::size_t i = 0; i < xs.size(); i += slice)
      batched.add_values(xs.data() + i, std::min(slice, xs.size() - i));
    SCOPED_TRACE("slices of " + std::to_string(slice));
    EXPECT_EQ(batched.count(), one_by_one.count());
    EXPECT_EQ(std::bit_cast<std::uint64_t>(batched.min()),
              std::bit_cast<std::uint64_t>(one_by_one.min()));
    EXPECT_EQ(batched.max(), one_by_one.max());
    for (const double q : fine_grid()) EXPECT_EQ(batched.quantile(q), one_by_one.quantile(q)) << q;
    // The same store too, not only the same answers (memory and the MPI wire bytes follow it).
    EXPECT_EQ(batched.bucket_count(), one_by_one.bucket_count());
  }
  // New keys in descending and then ascending order make the store grow at both ends many
  // times; grown in another order it would end with another size.
  std::vector<double> sweep;
  for (double x = 1e9; x > 1e-3; x /= 1.03) sweep.push_back(x);
  for (double x = 2e-3; x < 1e12; x *= 1.07) sweep.push_back(-x);
  for (double x = 2e9; x < 1e14; x *= 1.05) sweep.push_back(x);
  QuantileSketch sweep_one;
  for (const double x : sweep) sweep_one.add(x);
  QuantileSketch sweep_batched;
  sweep_batched.add_values(sweep.data(), sweep.size());
  EXPECT_EQ(sweep_batched.bucket_count(), sweep_one.bucket_count());
  EXPECT_EQ(sweep_batched.count(), sweep_one.count());
  for (const double q : fine_grid()) EXPECT_EQ(sweep_batched.quantile(q), sweep_one.quantile(q));
  // No values: nothing changes.
  QuantileSketch empty;
  empty.add_values(sweep.data(), 0);
  EXPECT_EQ(empty.count(), 0u);
  EXPECT_EQ(empty.bucket_count(), 0u);
  EXPECT_TRUE(std::isnan(empty.quantile(0.5)));
  // A sketch that never leaves exact mode, through add_values, keeps its values exactly.
  QuantileSketch flags;
  const std::vector<double> few = {0, 0, 1, 1, 1, 0, 2, 2, 0, 1};
  flags.add_values(few.data(), few.size());
  EXPECT_EQ(flags.count(), few.size());
  EXPECT_EQ(flags.quantile(0.5), 1.0);
  EXPECT_EQ(flags.quantile(0.9), 2.0);
}

TEST(QuantileSketch, MemoryIsBoundedByTheValueRangeNotTheCount) {
  // Values in [1, 1e6] occupy ceil(log(1e6) / log(gamma)) + 1 = 1383 distinct keys. Allow the
  // store up to twice that (growth slack), far below one bucket per value.
  const double gamma = (1 + kAlpha) / (1 - kAlpha);
  const auto keys = static_cast<std::size_t>(std::ceil(std::log(1e6) / std::log(gamma))) + 1;
  geosim::Rng rng(2024);
  QuantileSketch s;
  for (int i = 0; i < 1000000; ++i) s.add(std::exp(std::log(1e6) * rng.uniform01()));
  const std::size_t after_first_million = s.bucket_count();
  EXPECT_GE(after_first_million, keys - 5);
  EXPECT_LE(after_first_million, 2 * keys);
  for (int i = 0; i < 1000000; ++i) s.add(1.0 + (1e6 - 1.0) * rng.uniform01());
  EXPECT_EQ(s.bucket_count(), after_first_million);
  EXPECT_EQ(s.count(), 2000000U);
}

TEST(QuantileSketch, DescendingStreamOfNewBucketsStaysBounded) {
  // Every add opens a new bucket to the left: the store must not keep re-allocating to a size
  // out of proportion with the range.
  QuantileSketch s;
  for (double x = 1e12; x > 1e-6; x /= 1.02) s.add(x);
  const double gamma = (1 + kAlpha) / (1 - kAlpha);
  const double keys = std::log(1e18) / std::log(gamma) + 2;
  EXPECT_LE(static_cast<double>(s.bucket_count()), 2.0 * keys);
}

TEST(QuantileSketch, InfinityIsCountedAndReportedAsTheMaximum) {
  QuantileSketch s;
  for (const double x : {1.0, 2.0, 3.0}) s.add(x);
  s.add(std::numeric_limits<double>::infinity());
  s.add(-std::numeric_limits<double>::infinity());
  EXPECT_EQ(s.count(), 5U);
  EXPECT_EQ(s.quantile(1.0), std::numeric_limits<double>::infinity());
  EXPECT_EQ(s.quantile(0.0), -std::numeric_limits<double>::infinity());
  EXPECT_NEAR(s.quantile(0.5), 2.0, 2.0 * kSketchTol);
}

// Whole-number samples (counts): every quantile below about 100 is the exact order statistic,
// not a bucket's representative (4, not 4.02), and larger ones stay within alpha.
std::vector<double> whole_sample(std::uint64_t seed, std::size_t n, double scale) {
  std::vector<double> xs = exponential_sample(seed, n);
  for (double& x : xs) x = std::floor(x * scale);
  return xs;
}

TEST(QuantileSketch, WholeNumbersBelowAHundredGetExactQuantiles) {
  const std::vector<double> xs = whole_sample(11, 20000, 15.0);  // 0, 1, 2, ... up to ~150
  QuantileSketch s;
  s.add_values(xs.data(), xs.size());
  ASSERT_GT(s.bucket_count(), 0U) << "the sketch should have left exact mode";
  std::vector<double> sorted = xs;
  std::sort(sorted.begin(), sorted.end());
  int checked = 0;
  for (const double q : fine_grid()) {
    const double exact = sorted[rank_of(q, sorted.size()) - 1];
    if (exact > 100.0) continue;
    EXPECT_EQ(s.quantile(q), exact) << "q=" << q;
    ++checked;
  }
  EXPECT_GT(checked, 900);
  expect_within_alpha(s, xs, fine_grid());  // and the large ones keep the guarantee
}

TEST(QuantileSketch, NegativeWholeNumbersGetExactQuantilesToo) {
  std::vector<double> xs = whole_sample(12, 5000, 10.0);
  for (double& x : xs) x = -x;
  QuantileSketch s;
  for (const double x : xs) s.add(x);
  std::sort(xs.begin(), xs.end());
  for (const double q : {0.05, 0.25, 0.5, 0.75, 0.95}) {
    const double exact = xs[rank_of(q, xs.size()) - 1];
    if (exact < -100.0) continue;
    EXPECT_EQ(s.quantile(q), exact) << "q=" << q;
  }
}

TEST(QuantileSketch, OneFractionalValueTurnsWholeNumberSnappingOff) {
  // 4 alone in its bucket is reported as the bucket's representative once a fraction was seen,
  // whichever sketch saw it and in whichever order they are merged.
  QuantileSketch whole, fraction;
  for (int i = 0; i < 20; ++i) whole.add(static_cast<double>(i % 10 + 1));  // 1..10: spills
  fraction.add(0.5);
  const double snapped = whole.quantile(0.35);  // rank 7 of 20: the value 4
  EXPECT_EQ(snapped, 4.0);
  QuantileSketch a = whole, b = fraction;
  a.merge(fraction);
  b.merge(whole);
  for (const QuantileSketch* m : {&a, &b}) {
    const double q = m->quantile(8.0 / 21.0);  // rank 8 of 21: the value 4
    EXPECT_NE(q, 4.0);
    EXPECT_NEAR(q, 4.0, 4.0 * kSketchTol);
  }
  EXPECT_EQ(std::bit_cast<std::uint64_t>(a.quantile(0.4)), std::bit_cast<std::uint64_t>(b.quantile(0.4)));
}

TEST(QuantileSketch, NaNIsIgnoredInEveryBuild) {
  // An indicator can be NaN when a scenario overflows (docs/model.md, section 14): the sketch
  // leaves it out (the Monte Carlo reduction counts and reports it), in debug builds too.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  QuantileSketch s;
  s.add(1.0);
  s.add(nan);
  const double values[] = {nan, 1.0, nan};
  s.add_values(values, 3);
  EXPECT_EQ(s.count(), 2U);
  EXPECT_EQ(s.quantile(0.5), 1.0);
}

// ---------------------------------------------------------------------------------------------
// IntHistogram: exact lower quantiles.

IntHistogram hand_worked() {
  // {0, 1, 1, 2, 2, 2, 5} in 6 bins: cumulative counts 1, 3, 6, 6, 6, 7.
  IntHistogram h(6);
  for (const int x : {2, 0, 5, 1, 2, 1, 2}) h.add(x);
  return h;
}

TEST(IntHistogram, HandWorkedLowerQuantiles) {
  const IntHistogram h = hand_worked();
  ASSERT_EQ(h.total(), 7U);
  EXPECT_EQ(h.quantile(0.0), 0);   // rank max(1, 0) = 1
  EXPECT_EQ(h.quantile(0.1), 0);   // rank ceil(0.7) = 1
  EXPECT_EQ(h.quantile(0.25), 1);  // rank ceil(1.75) = 2
  EXPECT_EQ(h.quantile(0.4), 1);   // rank ceil(2.8) = 3
  EXPECT_EQ(h.quantile(0.43), 2);  // rank ceil(3.01) = 4
  EXPECT_EQ(h.quantile(0.5), 2);   // rank ceil(3.5) = 4
  EXPECT_EQ(h.quantile(0.85), 2);  // rank ceil(5.95) = 6
  EXPECT_EQ(h.quantile(0.86), 5);  // rank ceil(6.02) = 7, skipping empty bins 3 and 4
  EXPECT_EQ(h.quantile(1.0), 5);
}

TEST(IntHistogram, MedianOfEvenCountIsTheLowerMiddle) {
  IntHistogram h(10);
  for (const int x : {1, 3, 7, 9}) h.add(x);
  EXPECT_EQ(h.quantile(0.5), 3);   // rank 2
  EXPECT_EQ(h.quantile(0.75), 7);  // rank 3
}

TEST(IntHistogram, EmptyHistogramQuantileIsMinusOne) {
  EXPECT_EQ(IntHistogram(4).quantile(0.5), -1);
  EXPECT_EQ(IntHistogram().quantile(0.5), -1);
}

TEST(IntHistogram, MergeAddsCountsBinByBin) {
  IntHistogram a = hand_worked();
  IntHistogram b(6);
  for (const int x : {3, 3, 4}) b.add(x);
  a.merge(b);
  EXPECT_EQ(a.total(), 10U);
  EXPECT_EQ(a.counts(), (std::vector<std::uint64_t>{1, 2, 3, 2, 1, 1}));
  EXPECT_EQ(a.quantile(0.6), 2);  // rank 6
  EXPECT_EQ(a.quantile(0.7), 3);  // rank 7
  EXPECT_EQ(a.quantile(0.9), 4);  // rank 9
}

TEST(IntHistogram, MergingAHistogramWithNoBinsIsTheIdentityOnEitherSide) {
  IntHistogram a = hand_worked();
  a.merge(IntHistogram{});
  EXPECT_EQ(a.total(), 7U);
  EXPECT_EQ(a.counts(), hand_worked().counts());

  IntHistogram empty;
  empty.merge(hand_worked());
  EXPECT_EQ(empty.total(), 7U);
  EXPECT_EQ(empty.counts(), hand_worked().counts());
  EXPECT_EQ(empty.quantile(0.5), 2);
}

TEST(IntHistogram, MergingDifferentSizesKeepsTheLargerRange) {
  IntHistogram small(2);
  small.add(1);
  IntHistogram big(5);
  big.add(4);
  small.merge(big);
  EXPECT_EQ(small.counts(), (std::vector<std::uint64_t>{0, 1, 0, 0, 1}));
  EXPECT_EQ(small.quantile(1.0), 4);
}

}  // namespace
