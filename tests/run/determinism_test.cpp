// The determinism contract (include/geosim/simulate.h, include/geosim/summary.h): a run is a pure
// function of (model, master seed, run index); a Monte Carlo result is a pure function of
// (model, seed, first_run, runs, block_size), whatever the number of threads; and the `geosim run`
// program writes byte-identical JSON for any --threads.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "geosim/model.h"
#include "geosim/scenario.h"
#include "geosim/simulate.h"
#include "geosim/summary.h"

namespace {

namespace fs = std::filesystem;
using geosim::Model;
using geosim::RunResult;

const std::string kStandoff = std::string(GEOSIM_SOURCE_DIR) + "/scenarios/toy/standoff.yaml";

const Model& standoff() {
  static const Model m = geosim::compile(geosim::load_scenario(kStandoff));
  return m;
}

std::string mc_json(const Model& m, std::uint64_t seed, std::uint64_t runs, int threads,
                    std::int32_t block_size = 256, std::uint64_t first_run = 0,
                    std::int32_t quantile_every = 1) {
  geosim::MonteCarloOptions opt;
  opt.quantile_every = quantile_every;
  opt.master_seed = seed;
  opt.runs = runs;
  opt.threads = threads;
  opt.block_size = block_size;
  opt.first_run = first_run;
  const auto acc = geosim::run_monte_carlo(m, opt);
  return geosim::summary_to_json(geosim::summarize(m, acc, seed, block_size));
}

// Bitwise comparison of two RunResults (indicators compared as bits, so -0.0 != 0.0 and NaN
// would be caught).
void expect_same_run(const RunResult& a, const RunResult& b, const std::string& what) {
  EXPECT_EQ(a.end_state, b.end_state) << what;
  EXPECT_EQ(a.end_tick, b.end_tick) << what;
  EXPECT_EQ(a.highest_rung, b.highest_rung) << what;
  EXPECT_EQ(a.first_arrival, b.first_arrival) << what;
  EXPECT_EQ(a.decisions, b.decisions) << what;
  ASSERT_EQ(a.indicators.size(), b.indicators.size()) << what;
  EXPECT_EQ(std::memcmp(a.indicators.data(), b.indicators.data(),
                        a.indicators.size() * sizeof(double)),
            0)
      << what << ": indicator bits differ";
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every field of an Accumulator that holds exact integers or exact single values.
void expect_same_counts(const geosim::Accumulator& a, const geosim::Accumulator& b) {
  EXPECT_EQ(a.runs, b.runs);
  EXPECT_EQ(a.decisions, b.decisions);
  EXPECT_EQ(a.end_state_count, b.end_state_count);
  EXPECT_EQ(a.highest_rung_count, b.highest_rung_count);
  ASSERT_EQ(a.first_arrival.size(), b.first_arrival.size());
  for (std::size_t k = 0; k < a.first_arrival.size(); ++k)
    EXPECT_EQ(a.first_arrival[k].counts(), b.first_arrival[k].counts()) << "rung " << k;
  ASSERT_EQ(a.end_tick.size(), b.end_tick.size());
  for (std::size_t k = 0; k < a.end_tick.size(); ++k)
    EXPECT_EQ(a.end_tick[k].counts(), b.end_tick[k].counts()) << "end state " << k;
}

TEST(Determinism, StandoffJsonIsByteIdenticalForOneTwoAndEightThreads) {
  const Model& m = standoff();
  // 3000 runs in blocks of 256: 12 blocks, so 8 threads really interleave them.
  const std::string j1 = mc_json(m, 42, 3000, 1);
  const std::string j2 = mc_json(m, 42, 3000, 2);
  const std::string j8 = mc_json(m, 42, 3000, 8);
  ASSERT_FALSE(j1.empty());
  EXPECT_EQ(j1, j2);
  EXPECT_EQ(j1, j8);
  // Repeating a run of the same configuration changes nothing either.
  EXPECT_EQ(j8, mc_json(m, 42, 3000, 8));
}

TEST(Determinism, ADifferentSeedGivesADifferentJson) {
  const Model& m = standoff();
  const std::string a = mc_json(m, 42, 1000, 2);
  const std::string b = mc_json(m, 43, 1000, 2);
  EXPECT_NE(a, b);
  // And not merely the seed field: the counts themselves differ.
  geosim::MonteCarloOptions o1, o2;
  o1.master_seed = 42;
  o2.master_seed = 43;
  o1.runs = o2.runs = 1000;
  const auto a1 = geosim::run_monte_carlo(m, o1), a2 = geosim::run_monte_carlo(m, o2);
  EXPECT_NE(a1.end_state_count, a2.end_state_count);
}

TEST(Determinism, SimulateRunIsAPureFunctionOfSeedAndRunIndex) {
  const Model& m = standoff();
  geosim::Workspace ws1(m), ws2(m);
  auto r1 = RunResult::for_model(m), r2 = RunResult::for_model(m);
  for (std::uint64_t run : {0ull, 1ull, 17ull, 123456789ull}) {
    geosim::simulate_run(m, 7, run, ws1, r1);
    // The second Workspace and RunResult are dirty from a different run first: nothing may
    // carry over.
    geosim::simulate_run(m, 8, run + 1, ws2, r2);
    geosim::simulate_run(m, 7, run, ws2, r2);
    expect_same_run(r1, r2, "run " + std::to_string(run));
  }
  // A trace does not change the run.
  geosim::Trace trace;
  geosim::simulate_run(m, 7, 17, ws2, r2, &trace);
  geosim::simulate_run(m, 7, 17, ws1, r1);
  expect_same_run(r1, r2, "with and without a trace");
  // Different run indices differ (the toy scenario has random choices every tick).
  geosim::simulate_run(m, 7, 18, ws2, r2);
  EXPECT_NE(r1.indicators, r2.indicators);
}

TEST(Determinism, RunAloneEqualsTheSameRunInsideABatch) {
  const Model& m = standoff();
  geosim::Workspace ws(m);
  auto r = RunResult::for_model(m);
  geosim::simulate_run(m, 9, 5, ws, r);

  geosim::MonteCarloOptions opt;
  opt.master_seed = 9;
  opt.first_run = 5;
  opt.runs = 1;
  opt.threads = 2;
  const auto acc = geosim::run_monte_carlo(m, opt);
  geosim::Accumulator one(m);
  one.add(r);
  expect_same_counts(acc, one);
  const auto s_batch = geosim::summarize(m, acc, 9, opt.block_size);
  EXPECT_EQ(geosim::summary_to_json(s_batch),
            geosim::summary_to_json(geosim::summarize(m, one, 9, opt.block_size)));
  // With one run, every indicator mean is that run's value, bit for bit.
  ASSERT_EQ(s_batch.indicators.size(), static_cast<std::size_t>(m.n_indicators()));
  for (int i = 0; i < m.n_indicators(); ++i)
    for (int t = 0; t <= m.horizon; ++t)
      EXPECT_EQ(s_batch.indicators[static_cast<std::size_t>(i)]
                    .by_tick[static_cast<std::size_t>(t)]
                    .mean,
                r.indicator(m, i, t))
          << "indicator " << i << " tick " << t;
  // first_run is honoured: run 0 is a different run (its indicators differ), so a batch that
  // ignored first_run would not match.
  auto r0 = RunResult::for_model(m);
  geosim::simulate_run(m, 9, 0, ws, r0);
  EXPECT_NE(r0.indicators, r.indicators);
}

// The Monte Carlo result equals the reduction written out by hand: blocks of block_size run
// indices from first_run, each reduced in run order, merged in block order. Checked on the JSON,
// which holds every mean, sd and quantile.
TEST(Determinism, MonteCarloEqualsTheDocumentedBlockReduction) {
  const Model& m = standoff();
  const std::uint64_t seed = 3, first = 100, runs = 50;
  const std::int32_t block = 16;
  geosim::Accumulator total(m), blk(m);
  geosim::Workspace ws(m);
  auto r = RunResult::for_model(m);
  for (std::uint64_t b = first; b < first + runs; b += block) {
    blk.clear();
    for (std::uint64_t run = b; run < std::min(first + runs, b + block); ++run) {
      geosim::simulate_run(m, seed, run, ws, r);
      blk.add(r);
    }
    total.merge(blk);
  }
  const std::string by_hand =
      geosim::summary_to_json(geosim::summarize(m, total, seed, block));
  for (int threads : {1, 2, 8})
    EXPECT_EQ(mc_json(m, seed, runs, threads, block, first), by_hand) << threads << " threads";
}

TEST(Determinism, SameBlocksGiveIdenticalResultsWhateverTheThreads) {
  const Model& m = standoff();
  // 1000 runs in blocks of 7 (143 blocks, the last one short) from first_run 11.
  const std::string ref = mc_json(m, 5, 1000, 1, 7, 11);
  for (int threads : {2, 3, 8}) EXPECT_EQ(mc_json(m, 5, 1000, threads, 7, 11), ref) << threads;
  // The block size changes only the order of floating-point sums: every integer count (which
  // run ended how, when) is the same for any block size.
  geosim::MonteCarloOptions a, b;
  a.master_seed = b.master_seed = 5;
  a.runs = b.runs = 1000;
  a.block_size = 7;
  b.block_size = 1000;
  a.threads = 8;
  b.threads = 1;
  expect_same_counts(geosim::run_monte_carlo(m, a), geosim::run_monte_carlo(m, b));
}

TEST(Determinism, ProgressFinallyReportsEveryRun) {
  const Model& m = standoff();
  geosim::MonteCarloOptions opt;
  opt.runs = 1000;
  opt.block_size = 64;
  opt.threads = 4;
  std::atomic<std::uint64_t> max_done{0};
  opt.progress = [&](std::uint64_t done) {
    std::uint64_t cur = max_done.load();
    while (done > cur && !max_done.compare_exchange_weak(cur, done)) {
    }
  };
  const auto acc = geosim::run_monte_carlo(m, opt);
  EXPECT_EQ(acc.runs, 1000u);
  EXPECT_EQ(max_done.load(), 1000u);  // the last report counts every run, and none twice
}

// The program itself: `geosim run --threads 1/2/8 --json` writes byte-identical files.
TEST(Determinism, GeosimBinaryWritesIdenticalJsonForAnyThreadCount) {
  // (Names built with append: GCC 12 gives a false -Wrestrict on "literal" + std::string&&.)
  std::string dir_name = "geosim_determinism_";
  dir_name.append(std::to_string(::getpid()));
  const fs::path dir = fs::path(::testing::TempDir()) / dir_name;
  fs::create_directories(dir);
  std::vector<std::string> outputs;
  for (int threads : {1, 2, 8}) {
    std::string file_name = "t";
    file_name.append(std::to_string(threads)).append(".json");
    const fs::path out = dir / file_name;
    const std::string cmd = std::string("\"") + GEOSIM_BINARY + "\" run \"" + kStandoff +
                            "\" --runs 3000 --seed 11 --threads " + std::to_string(threads) +
                            " --json \"" + out.string() + "\" --quiet";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    outputs.push_back(read_all(out));
    ASSERT_FALSE(outputs.back().empty()) << out;
  }
  EXPECT_EQ(outputs[0], outputs[1]);
  EXPECT_EQ(outputs[0], outputs[2]);
  // The program writes what the library computes for the same settings (quantiles every four
  // weekly ticks by default).
  EXPECT_EQ(outputs[0], mc_json(standoff(), 11, 3000, 1, 256, 0, 4));
  fs::remove_all(dir);
}

}  // namespace

// The hook the MPI manager relies on: a range of blocks run with `on_block`, in pieces and with
// any thread count, hands over per-block moments that, folded in block order, give the same bits
// as one uninterrupted run_monte_carlo.
TEST(Determinism, OnBlockFoldedInOrderEqualsWholeRun) {
  const Model& m = standoff();
  const std::uint64_t seed = 11, runs = 1000;
  const std::int32_t block = 64;
  const std::string whole = mc_json(m, seed, runs, 2, block);

  std::vector<geosim::Welford> folded;
  std::uint64_t expect_block = 0;
  geosim::Accumulator counts(m);
  // Two pieces (blocks 0..6 and 7..15), the second on three threads.
  for (const auto& [first, n, threads] :
       {std::tuple<std::uint64_t, std::uint64_t, int>{0, 7 * 64, 1},
        std::tuple<std::uint64_t, std::uint64_t, int>{7 * 64, runs - 7 * 64, 3}}) {
    geosim::MonteCarloOptions opt;
    opt.master_seed = seed;
    opt.first_run = first;
    opt.runs = n;
    opt.threads = threads;
    opt.block_size = block;
    opt.on_block = [&](std::uint64_t b, const std::vector<geosim::Welford>& w) {
      EXPECT_EQ(b, expect_block++);
      if (folded.empty()) folded.resize(w.size());
      for (std::size_t i = 0; i < w.size(); ++i) folded[i].merge(w[i]);
    };
    const auto acc = geosim::run_monte_carlo(m, opt);
    for (const auto& w : acc.ind_moments) EXPECT_EQ(w.n, 0u);
    counts.merge_counts(acc);
  }
  EXPECT_EQ(expect_block, 16u);
  counts.ind_moments = folded;
  EXPECT_EQ(geosim::summary_to_json(geosim::summarize(m, counts, seed, block)), whole);

  geosim::MonteCarloOptions bad;
  bad.first_run = 10;
  bad.runs = 10;
  bad.block_size = 64;
  bad.on_block = [](std::uint64_t, const std::vector<geosim::Welford>&) {};
  EXPECT_THROW(geosim::run_monte_carlo(m, bad), std::invalid_argument);
}

// Quantiles every K ticks: the fast path equals the documented reduction with the same K, the
// sketched ticks (0, K, 2K, ... and the horizon) carry exactly the quantiles an every-tick run
// gives, and the other ticks none; means and sds are untouched.
TEST(Determinism, QuantileEveryKeepsExactlyTheSketchedTicks) {
  const Model& m = standoff();  // horizon 52: with K = 5 the horizon is off the grid
  const std::int32_t k = 5;
  const std::uint64_t seed = 4, runs = 300;
  geosim::Accumulator total(m, k), blk(m, k);
  geosim::Workspace ws(m);
  auto r = RunResult::for_model(m);
  for (std::uint64_t b = 0; b < runs; b += 256) {
    blk.clear();
    for (std::uint64_t run = b; run < std::min(runs, b + 256); ++run) {
      geosim::simulate_run(m, seed, run, ws, r);
      blk.add(r);
    }
    total.merge(blk);
  }
  const auto by_hand = geosim::summarize(m, total, seed, 256);
  EXPECT_EQ(geosim::summary_to_json(by_hand), mc_json(m, seed, runs, 2, 256, 0, k));

  geosim::MonteCarloOptions opt;
  opt.master_seed = seed;
  opt.runs = runs;
  const auto every = geosim::summarize(m, geosim::run_monte_carlo(m, opt), seed, 256);
  EXPECT_EQ(by_hand.quantile_every, k);
  for (std::size_t i = 0; i < every.indicators.size(); ++i) {
    for (std::int32_t t = 0; t <= m.horizon; ++t) {
      const auto& a = every.indicators[i].by_tick[static_cast<std::size_t>(t)];
      const auto& b = by_hand.indicators[i].by_tick[static_cast<std::size_t>(t)];
      EXPECT_EQ(a.mean, b.mean);
      EXPECT_EQ(a.sd, b.sd);
      if (t % k == 0 || t == m.horizon) {
        EXPECT_EQ(a.p05, b.p05) << i << " " << t;
        EXPECT_EQ(a.p50, b.p50) << i << " " << t;
        EXPECT_EQ(a.p95, b.p95) << i << " " << t;
      } else {
        EXPECT_TRUE(std::isnan(b.p05) && std::isnan(b.p50) && std::isnan(b.p95)) << i << " " << t;
      }
    }
  }
  geosim::Accumulator other(m, 1);
  EXPECT_THROW(other.merge(total), std::invalid_argument);
}
