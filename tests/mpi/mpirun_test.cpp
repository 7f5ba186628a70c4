// `geosim run` and `geosim sweep` under mpirun with 1, 2 and 4 ranks (more ranks than this
// machine's cores) write the same bytes as the one-process threaded program (geosim_serial, the
// same source built without MPI); so does the MPI build started without mpirun. An error found
// before the ranks part ways ends every rank cleanly and is printed once.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "mpi_support.h"

namespace {

using namespace geosim_mpi_test;

// The files of a `geosim run --json --csv` output.
const std::vector<std::string> kRunFiles = {"summary.json", "csv/outcomes.csv", "csv/rungs.csv",
                                            "csv/rung_by_tick.csv", "csv/indicators.csv"};

struct RunCase {
  std::string name;
  std::string scenario;
  std::string options;  // runs, seed, block size
  int ranks;            // 0: the MPI build without mpirun
  int threads;          // per rank
};

void PrintTo(const RunCase& c, std::ostream* os) {
  *os << c.name << " on " << c.ranks << " ranks x " << c.threads << " threads";
}

class MpiRun : public ::testing::TestWithParam<RunCase> {};

TEST_P(MpiRun, WritesTheBytesOfTheOneProcessRun) {
  if (!have_mpirun()) GTEST_SKIP() << "no mpirun found when geosim was configured";
  const RunCase& c = GetParam();
  const fs::path dir = fresh_dir(fmt::format("run_{}_{}_{}", c.name, c.ranks, c.threads));
  const std::string common =
      fmt::format("run {} {} --quiet", q(source(c.scenario).string()), c.options);
  const auto out = [&](const std::string& who) {
    return fmt::format("--json {} --csv {}", q((dir / who / "summary.json").string()),
                       q((dir / who / "csv").string()));
  };
  fs::create_directories(dir / "serial");
  fs::create_directories(dir / "mpi");
  const Result serial = geosim_serial(fmt::format("{} --threads 2 {}", common, out("serial")));
  ASSERT_EQ(serial.status, 0) << serial.output;
  const Result mpi =
      geosim(c.ranks, fmt::format("{} --threads {} {}", common, c.threads, out("mpi")));
  ASSERT_EQ(mpi.status, 0) << mpi.output;
  for (const auto& f : kRunFiles) {
    const std::string want = slurp(dir / "serial" / f);
    ASSERT_FALSE(want.empty()) << f;
    EXPECT_TRUE(slurp(dir / "mpi" / f) == want) << f << " differs from the one-process run";
  }
  fs::remove_all(dir);
}

// Blocks of 16 runs: 188 blocks, so chunks of blocks arrive at rank 0 out of order.
const std::string kToy = "scenarios/toy/standoff.yaml";
const std::string kToyOptions = "--runs 3000 --seed 7 --block-size 16";
const std::string kBaseline = "scenarios/dprk_russia_2024/baseline.yaml";
const std::string kBaselineOptions = "--runs 1500 --seed 11 --block-size 64";

INSTANTIATE_TEST_SUITE_P(Ranks, MpiRun,
                         ::testing::Values(RunCase{"toy", kToy, kToyOptions, 0, 2},
                                           RunCase{"toy", kToy, kToyOptions, 1, 2},
                                           RunCase{"toy", kToy, kToyOptions, 2, 1},
                                           RunCase{"toy", kToy, kToyOptions, 4, 1},
                                           RunCase{"toy", kToy, kToyOptions, 4, 2},
                                           RunCase{"baseline", kBaseline, kBaselineOptions, 2, 1},
                                           RunCase{"baseline", kBaseline, kBaselineOptions, 4, 1}),
                         [](const ::testing::TestParamInfo<RunCase>& p) {
                           return fmt::format("{}_{}ranks_{}threads", p.param.name, p.param.ranks,
                                              p.param.threads);
                         });

struct SweepCase {
  std::string name;
  int ranks;
  int threads;
};

void PrintTo(const SweepCase& c, std::ostream* os) {
  *os << c.name << " study on " << c.ranks << " ranks x " << c.threads << " threads";
}

class MpiSweep : public ::testing::TestWithParam<SweepCase> {};

TEST_P(MpiSweep, ExportsTheBytesOfTheOneProcessSweep) {
  if (!have_mpirun()) GTEST_SKIP() << "no mpirun found when geosim was configured";
  const SweepCase& c = GetParam();
  const fs::path dir = fresh_dir(fmt::format("sweep_{}_{}_{}", c.name, c.ranks, c.threads));
  const fs::path study = c.name == "toy" ? write_toy_study(dir, 8, 300) : write_baseline_study(dir);
  const Result serial = geosim_serial(fmt::format("sweep {} --out {} --threads 2",
                                                  q(study.string()), q((dir / "serial").string())));
  ASSERT_EQ(serial.status, 0) << serial.output;
  const Result mpi =
      geosim(c.ranks, fmt::format("sweep {} --out {} --threads {}", q(study.string()),
                                  q((dir / "mpi").string()), c.threads));
  ASSERT_EQ(mpi.status, 0) << mpi.output;
  for (const std::string f : {"results.csv", "design.csv"}) {
    const std::string want = slurp(dir / "serial" / f);
    ASSERT_FALSE(want.empty()) << f;
    EXPECT_TRUE(slurp(dir / "mpi" / f) == want) << f << " differs from the one-process sweep";
  }
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Ranks, MpiSweep,
                         ::testing::Values(SweepCase{"toy", 0, 2}, SweepCase{"toy", 1, 2},
                                           SweepCase{"toy", 2, 1}, SweepCase{"toy", 4, 1},
                                           SweepCase{"baseline", 2, 1},
                                           SweepCase{"baseline", 4, 1}),
                         [](const ::testing::TestParamInfo<SweepCase>& p) {
                           return fmt::format("{}_{}ranks_{}threads", p.param.name, p.param.ranks,
                                              p.param.threads);
                         });

TEST(MpiErrors, ABadScenarioEndsEveryRankAndIsReportedOnce) {
  if (!have_mpirun()) GTEST_SKIP() << "no mpirun found when geosim was configured";
  const fs::path bad = source("tests/bad_scenarios/075_horizon_zero.yaml");
  const Result r = geosim(2, fmt::format("run {} --runs 100", q(bad.string())));
  EXPECT_NE(r.status, 0) << r.output;
  const auto first = r.output.find("horizon");
  ASSERT_NE(first, std::string::npos) << r.output;
  EXPECT_EQ(r.output.find(bad.filename().string() + ":", r.output.find('\n', first)),
            std::string::npos)
      << "the error should be printed by rank 0 only:\n"
      << r.output;
}

TEST(MpiErrors, AStoreOfAnotherStudyIsRefusedByEveryRank) {
  if (!have_mpirun()) GTEST_SKIP() << "no mpirun found when geosim was configured";
  const fs::path dir = fresh_dir("sweep_other_study");
  const fs::path study = write_toy_study(dir, 2, 50);
  ASSERT_EQ(
      geosim(2, fmt::format("sweep {} --out {}", q(study.string()), q((dir / "out").string())))
          .status,
      0);
  write_toy_study(dir, 4, 50);  // a different design
  const Result r =
      geosim(2, fmt::format("sweep {} --out {}", q(study.string()), q((dir / "out").string())));
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("was made by a different study"), std::string::npos) << r.output;
  fs::remove_all(dir);
}

}  // namespace
