// What ranks send each other (engine/mpi/wire.h) comes back exactly: a sketch, a histogram, a
// run's counts and a design point's result read back from their bytes give the same quantiles,
// counts and summaries, bit for bit, as the originals.
#include "mpi/wire.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "geosim/scenario.h"
#include "geosim/summary.h"

namespace {

using geosim::IntHistogram;
using geosim::QuantileSketch;
using geosim::StatsWire;
using geosim::mpi::WireReader;
using geosim::mpi::WireWriter;

QuantileSketch round_trip(const QuantileSketch& s) {
  WireWriter w;
  StatsWire::put(w, s);
  WireReader r(w.bytes());
  QuantileSketch copy = StatsWire::get_sketch(r);
  r.expect_end();
  return copy;
}

// Every quantile on a fine grid, as bits (so -0.0 and 0.0, or two NaNs, are told apart).
std::vector<std::uint64_t> quantile_bits(const QuantileSketch& s) {
  std::vector<std::uint64_t> bits;
  for (int i = 0; i <= 1000; ++i)
    bits.push_back(std::bit_cast<std::uint64_t>(s.quantile(i / 1000.0)));
  return bits;
}

void expect_same_sketch(const QuantileSketch& a, const QuantileSketch& b) {
  EXPECT_EQ(a.count(), b.count());
  EXPECT_EQ(std::bit_cast<std::uint64_t>(a.min()), std::bit_cast<std::uint64_t>(b.min()));
  EXPECT_EQ(std::bit_cast<std::uint64_t>(a.max()), std::bit_cast<std::uint64_t>(b.max()));
  EXPECT_EQ(a.bucket_count(), b.bucket_count());
  EXPECT_EQ(quantile_bits(a), quantile_bits(b));
}

TEST(Wire, SketchInExactModeRoundTrips) {
  QuantileSketch s;
  for (double x : {0.0, 1.0, 1.0, 2.0, 5.0, -3.0}) s.add(x);
  s.add(7.0, 40);
  expect_same_sketch(s, round_trip(s));
}

TEST(Wire, SpilledSketchWithNegativesZerosAndInfinityRoundTrips) {
  QuantileSketch s;
  for (int i = 0; i < 5000; ++i) s.add(std::sin(i) * std::exp(i % 17));
  s.add(0.0, 12);
  s.add(std::numeric_limits<double>::infinity());
  ASSERT_GT(s.bucket_count(), 0u) << "the sketch should have left exact mode";
  expect_same_sketch(s, round_trip(s));
}

TEST(Wire, EmptySketchRoundTrips) {
  const QuantileSketch s;
  const QuantileSketch copy = round_trip(s);
  EXPECT_EQ(copy.count(), 0u);
  EXPECT_TRUE(std::isnan(copy.quantile(0.5)));
}

TEST(Wire, MergingACopyEqualsMergingTheOriginal) {
  QuantileSketch a, b;
  for (int i = 0; i < 300; ++i) a.add(i * 0.37);
  for (int i = 0; i < 5; ++i) b.add(i);  // exact
  QuantileSketch with_original = b, with_copy = b;
  with_original.merge(a);
  with_copy.merge(round_trip(a));
  expect_same_sketch(with_original, with_copy);
}

TEST(Wire, HistogramRoundTrips) {
  IntHistogram h(30);
  for (int i = 0; i < 200; ++i) h.add((i * 7) % 30);
  WireWriter w;
  StatsWire::put(w, h);
  WireReader r(w.bytes());
  const IntHistogram copy = StatsWire::get_histogram(r);
  r.expect_end();
  EXPECT_EQ(copy.counts(), h.counts());
  EXPECT_EQ(copy.total(), h.total());
  for (double q : {0.0, 0.05, 0.5, 0.95, 1.0}) EXPECT_EQ(copy.quantile(q), h.quantile(q)) << q;
}

TEST(Wire, RunCountsRoundTripToTheSameSummary) {
  const geosim::Model m = geosim::compile(
      geosim::load_scenario(std::string(GEOSIM_SOURCE_DIR) + "/scenarios/toy/standoff.yaml"));
  geosim::MonteCarloOptions opt;
  opt.master_seed = 3;
  opt.runs = 700;
  opt.threads = 2;
  opt.block_size = 64;
  const geosim::Accumulator acc = geosim::run_monte_carlo(m, opt);

  WireWriter w;
  geosim::mpi::put_counts(w, acc);
  geosim::MonteCarloOptions none = opt;
  none.runs = 0;
  geosim::Accumulator copy = geosim::run_monte_carlo(m, none);  // the same shape, no runs
  WireReader r(w.bytes());
  geosim::mpi::get_counts(r, copy);
  r.expect_end();
  copy.ind_moments = acc.ind_moments;  // moments travel per block, not with the counts
  EXPECT_EQ(geosim::summary_to_json(geosim::summarize(m, copy, 3, 64)),
            geosim::summary_to_json(geosim::summarize(m, acc, 3, 64)));
}

TEST(Wire, NonFiniteCountsRoundTrip) {
  const geosim::Model m = geosim::compile(
      geosim::load_scenario(std::string(GEOSIM_SOURCE_DIR) + "/scenarios/toy/standoff.yaml"));
  geosim::Accumulator acc(m, 4);
  ASSERT_GE(acc.non_finite_runs.size(), 2U);
  acc.non_finite_runs[0] = 17;
  acc.non_finite_first_tick[0] = 9;
  WireWriter w;
  geosim::mpi::put_counts(w, acc);
  geosim::Accumulator copy(m, 4);
  WireReader r(w.bytes());
  geosim::mpi::get_counts(r, copy);
  r.expect_end();
  EXPECT_EQ(copy.non_finite_runs, acc.non_finite_runs);
  EXPECT_EQ(copy.non_finite_first_tick, acc.non_finite_first_tick);
}

TEST(Wire, PointResultRoundTripsWithMissingValuesAndItsError) {
  geosim::study::PointResult p;
  p.ok = false;
  p.error = "study.yaml:3:5: error: talks_succeed: expected a probability, got 1.2";
  p.runs = 4000;
  p.value = {0.25, std::numeric_limits<double>::quiet_NaN(), -0.0};
  p.se = {0.01, 0.0, 1e-300};
  p.lo = {0.2, -1.0, 0.0};
  p.hi = {0.3, 1.0, 5e300};
  WireWriter w;
  geosim::mpi::put_point_result(w, p);
  WireReader r(w.bytes());
  const auto copy = geosim::mpi::get_point_result(r);
  r.expect_end();
  EXPECT_EQ(copy.ok, p.ok);
  EXPECT_EQ(copy.error, p.error);
  EXPECT_EQ(copy.runs, p.runs);
  const auto bits = [](const std::vector<double>& v) {
    std::vector<std::uint64_t> b;
    for (double x : v) b.push_back(std::bit_cast<std::uint64_t>(x));
    return b;
  };
  EXPECT_EQ(bits(copy.value), bits(p.value));
  EXPECT_EQ(bits(copy.se), bits(p.se));
  EXPECT_EQ(bits(copy.lo), bits(p.lo));
  EXPECT_EQ(bits(copy.hi), bits(p.hi));
}

TEST(Wire, ATruncatedMessageIsRefusedNotReadPastItsEnd) {
  geosim::study::PointResult p;
  p.value = {1, 2, 3};
  WireWriter w;
  geosim::mpi::put_point_result(w, p);
  const std::string bytes = w.bytes();
  for (std::size_t cut : {std::size_t{0}, std::size_t{1}, bytes.size() / 2, bytes.size() - 1}) {
    WireReader r(bytes.data(), cut);
    EXPECT_THROW(geosim::mpi::get_point_result(r), std::runtime_error) << "cut at " << cut;
  }
  WireWriter huge;
  huge.put(std::uint64_t{1} << 60);  // a vector length no message could hold
  WireReader r(huge.bytes());
  EXPECT_THROW(r.get_vector<double>(), std::runtime_error);
}

}  // namespace

TEST(Wire, SpilledWholeNumberSketchKeepsItsExactSmallQuantiles) {
  QuantileSketch s;
  for (int i = 0; i < 3000; ++i) s.add(static_cast<double>(i % 60));
  ASSERT_GT(s.bucket_count(), 0u) << "the sketch should have left exact mode";
  ASSERT_EQ(s.quantile(0.5), 29.0);
  const QuantileSketch copy = round_trip(s);
  EXPECT_EQ(copy.quantile(0.5), 29.0);
  expect_same_sketch(s, copy);
}
