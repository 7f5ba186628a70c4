// Sweeps end to end: the study engine driving an analytic function recovers its Sobol' indices;
// a killed sweep resumes to exactly the results of an uninterrupted one; thread count does not
// change a single byte of the results.
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "geosim/sweep.h"
#include "study/toy_study.h"

namespace {

namespace fs = std::filesystem;
using namespace geosim::study;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / fmt::format("geosim_{}_{}", name, ::getpid());
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// The results column of results.csv, as numbers per point for one output.
std::vector<double> column(const fs::path& csv, const std::string& output, std::size_t points) {
  std::vector<double> y(points, std::nan(""));
  std::istringstream in(slurp(csv));
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::istringstream row(line);
    std::string point, name, estimate;
    std::getline(row, point, ',');
    std::getline(row, name, ',');
    std::getline(row, estimate, ',');
    if (name == output) y[std::stoul(point)] = std::stod(estimate);
  }
  return y;
}

TEST(Sweep, IshigamiThroughTheStudyEngineRecoversPublishedIndices) {
  // The same runner that sweeps scenarios, driving an analytic function (no Monte Carlo noise).
  StudySpec spec;
  spec.name = "ishigami";
  spec.fingerprint = "ishigami-test";
  spec.factors = ishigami_factors();
  spec.parameters = {"x1", "x2", "x3"};
  spec.outputs = {StudyOutput{"y", StudyOutput::Kind::indicator_mean, "y", -1, 0.5, {}}};
  const Design design = sobol_saltelli(spec.factors, 1u << 13, 42);  // N = 8192
  const Evaluator f = [](std::size_t, std::span<const double> x) {
    PointResult r;
    r.runs = 1;
    r.value = {ishigami(x[0], x[1], x[2])};
    r.se = {0.0};
    r.lo = r.hi = r.value;
    return r;
  };
  const fs::path dir = fresh_dir("ishigami");
  const auto report = run_sweep(spec, design, f, dir / "study.sqlite", {});
  EXPECT_EQ(report.computed, design.points());
  export_store_csv(dir / "study.sqlite", dir);
  const auto y = column(dir / "results.csv", "y", design.points());
  SobolOptions o;
  o.bootstrap = 0;
  const auto s = sobol_indices(design, y, {}, o);
  const auto ref = ishigami_reference();
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(s.first[static_cast<std::size_t>(i)], ref.first[static_cast<std::size_t>(i)], 0.02) << "S" << i + 1;
    EXPECT_NEAR(s.total[static_cast<std::size_t>(i)], ref.total[static_cast<std::size_t>(i)], 0.02) << "ST" << i + 1;
  }
  fs::remove_all(dir);
}

using geosim_test::write_toy_study;

int run_geosim(const std::string& args) {
  const int rc = std::system(fmt::format("'{}' {} > /dev/null 2>&1", GEOSIM_BINARY, args).c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

TEST(Sweep, ThreadCountDoesNotChangeTheResults) {
  const fs::path dir = fresh_dir("sweep_threads");
  const fs::path study = write_toy_study(dir, 16, 300);
  ASSERT_EQ(run_geosim(fmt::format("sweep '{}' --out '{}' --threads 1", study.string(), (dir / "one").string())), 0);
  ASSERT_EQ(run_geosim(fmt::format("sweep '{}' --out '{}' --threads 3", study.string(), (dir / "three").string())), 0);
  EXPECT_EQ(slurp(dir / "one" / "results.csv"), slurp(dir / "three" / "results.csv"));
  EXPECT_EQ(slurp(dir / "one" / "design.csv"), slurp(dir / "three" / "design.csv"));
  EXPECT_GT(slurp(dir / "one" / "results.csv").size(), 1000u);
  fs::remove_all(dir);
}

using geosim_test::recorded_points;

TEST(Sweep, KilledMidSweepResumesToTheUninterruptedResults) {
  const fs::path dir = fresh_dir("sweep_kill");
  const fs::path study = write_toy_study(dir, 32, 2500);  // 160 points x 2500 runs
  const fs::path out = dir / "killed";
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::execl(GEOSIM_BINARY, GEOSIM_BINARY, "sweep", study.c_str(), "--out", out.c_str(), "--threads", "2",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Wait until some points are committed, then kill -9 in the middle of the sweep.
  std::int64_t done = 0;
  for (int i = 0; i < 600 && done < 10; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (fs::exists(out / "study.sqlite")) done = recorded_points(out / "study.sqlite");
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the sweep finished before it could be killed; make it longer";
  const std::int64_t at_kill = recorded_points(out / "study.sqlite");
  EXPECT_GE(at_kill, 10);
  EXPECT_LT(at_kill, 160) << "nothing was left to resume";

  // The same command again finishes the rest, repeating nothing.
  ASSERT_EQ(run_geosim(fmt::format("sweep '{}' --out '{}' --threads 2", study.string(), out.string())), 0);
  EXPECT_EQ(recorded_points(out / "study.sqlite"), 160);
  ASSERT_EQ(run_geosim(fmt::format("sweep '{}' --out '{}' --threads 1", study.string(), (dir / "clean").string())), 0);
  EXPECT_EQ(slurp(out / "results.csv"), slurp(dir / "clean" / "results.csv"));
  fs::remove_all(dir);
}

TEST(Sweep, AStoreOfAnotherStudyIsNotResumed) {
  const fs::path dir = fresh_dir("sweep_other");
  const fs::path study = write_toy_study(dir, 4, 50);
  ASSERT_EQ(run_geosim(fmt::format("sweep '{}' --out '{}'", study.string(), (dir / "out").string())), 0);
  write_toy_study(dir, 8, 50);  // a different design
  EXPECT_NE(run_geosim(fmt::format("sweep '{}' --out '{}'", study.string(), (dir / "out").string())), 0);
  fs::remove_all(dir);
}

// A store that is not a database, or is a damaged or foreign one, is an error naming the file,
// from sweep (resuming) and from analyze alike; nothing is overwritten.
TEST(Sweep, ADamagedStoreIsNamedNotUsed) {
  const fs::path dir = fresh_dir("sweep_damaged");
  const StudySpec spec = load_study(write_toy_study(dir, 4, 50));
  const Design design = make_design(spec);
  const fs::path store = dir / "out" / "study.sqlite";
  fs::create_directories(store.parent_path());
  const std::string junk(20000, 'x');
  std::ofstream(store, std::ios::binary) << junk;
  const auto message = [](auto&& f) {
    try {
      f();
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string resumed = message([&] { SweepStore s(spec, design, store); });
  EXPECT_NE(resumed.find(fmt::format("results store '{}': file is not a database", store.string())),
            std::string::npos)
      << resumed;
  EXPECT_NE(resumed.find("move it away and run the sweep again"), std::string::npos) << resumed;
  const std::string analysed = message([&] { (void)analyze_store(store, AnalyzeOptions{}); });
  EXPECT_NE(analysed.find(store.string()), std::string::npos) << analysed;
  EXPECT_EQ(slurp(store), junk);  // left as it was
  fs::remove_all(dir);
}

void sql(const fs::path& store, const std::string& statement) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(store.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

// A store whose description is missing (a sweep stopped between making the tables and filling
// them) or whose rows name points past its recorded number of points (damaged, or edited by hand)
// is an error naming the file, from analyze and export alike: not "stoull" and not a write past
// the end of the tables read from it.
TEST(Sweep, AStoreWithoutItsDescriptionOrWithStrayPointsIsNamedNotRead) {
  const fs::path dir = fresh_dir("sweep_stray");
  const StudySpec spec = load_study(write_toy_study(dir, 4, 20));
  const Design design = make_design(spec);
  const fs::path store = dir / "out" / "study.sqlite";
  const auto message = [](auto&& f) {
    try {
      f();
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  { const SweepStore made(spec, design, store); }
  PointResult r;
  r.runs = 1;
  r.value = r.se = r.lo = r.hi = std::vector<double>(spec.outputs.size(), 0.5);
  {
    SweepStore s(spec, design, store);
    for (std::size_t p = 0; p < design.points(); ++p) s.record(p, r);
  }
  // Fewer points recorded than the rows hold.
  sql(store, "UPDATE meta SET value = '2' WHERE key = 'points'");
  const std::string exported = message([&] { export_store_csv(store, dir / "out"); });
  EXPECT_NE(exported.find(fmt::format("results store '{}': point 2 is out of range (the store has 2)",
                                      store.string())),
            std::string::npos)
      << exported;
  // No number of points at all.
  sql(store, "DELETE FROM meta WHERE key = 'points'");
  const std::string analysed = message([&] { (void)analyze_store(store, AnalyzeOptions{}); });
  EXPECT_NE(analysed.find(fmt::format("results store '{}': it records no number of design points",
                                      store.string())),
            std::string::npos)
      << analysed;
  fs::remove_all(dir);
}

// analyze's PRIM on an output no point exceeds says where the output lies instead of a box with
// "coverage nan%"; an unknown --prim output is named with the study's outputs.
TEST(Sweep, PrimSaysWhenNothingIsAboveTheThresholdAndListsTheOutputs) {
  const fs::path dir = fresh_dir("sweep_prim_none");
  const fs::path study = write_toy_study(dir, 4, 20);
  ASSERT_EQ(run_geosim(fmt::format("sweep '{}' --out '{}'", study.string(), (dir / "out").string())), 0);
  const fs::path store = dir / "out" / "study.sqlite";
  AnalyzeOptions o;
  o.prim_output = "p_war";
  o.prim_threshold = 2.0;  // a probability never exceeds it
  const std::string report = analyze_store(store, o);
  EXPECT_NE(report.find("No point has p_war above 2: nothing to explain. Across the points it runs "
                        "from "),
            std::string::npos)
      << report;
  EXPECT_EQ(report.find("nan"), std::string::npos) << report;

  o.prim_output = "p_wra";
  try {
    (void)analyze_store(store, o);
    ADD_FAILURE() << "no error for an unknown output";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "--prim: no output 'p_wra' in this study (did you mean 'p_war'? The outputs are: "
                 "p_talks, p_war, casualties, casualties_p95)");
  }
  fs::remove_all(dir);
}

TEST(Sweep, ASecondWriterOfAStoreStopsAtOnce) {
  const fs::path dir = fresh_dir("sweep_lock");
  const StudySpec spec = load_study(write_toy_study(dir, 4, 50));
  const Design design = make_design(spec);
  {
    const SweepStore first(spec, design, dir / "out" / "study.sqlite");
    try {
      const SweepStore second(spec, design, dir / "out" / "study.sqlite");
      FAIL() << "a second writer opened the store";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("is being written by another geosim sweep"), std::string::npos)
          << e.what();
    }
  }
  // Once the first is gone, the store opens again.
  const SweepStore again(spec, design, dir / "out" / "study.sqlite");
  EXPECT_EQ(again.remaining().size(), design.points());
  fs::remove_all(dir);
}

// The toy study with its first factor line ("blue_resolve:") replaced by `factor_line`: building
// its evaluator must fail with an InputError whose text holds every one of `expected`.
void expect_factor_error(const std::string& name, const std::string& factor_line,
                         const std::vector<std::string>& expected) {
  const fs::path dir = fresh_dir(name);
  fs::path study = write_toy_study(dir, 4, 50);
  std::string text = slurp(study);
  text.replace(text.find("blue_resolve:"), 13, factor_line);
  std::ofstream(study) << text;
  const StudySpec spec = load_study(study);
  try {
    scenario_evaluator(spec);
    ADD_FAILURE() << "expected an InputError for " << factor_line;
  } catch (const geosim::InputError& e) {
    for (const auto& want : expected)
      EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << want << "\n" << e.what();
  }
  fs::remove_all(dir);
}

TEST(Sweep, UnknownFactorParameterIsAnInputErrorWithASuggestion) {
  expect_factor_error("sweep_bad", "blue_resolv:",
                      {"did you mean 'blue_resolve'?", "factors.blue_resolv"});
}

// A factor naming a field by its key path, misspelt, gets the field's key path as the suggestion.
TEST(Sweep, MisspeltFieldKeyPathGetsASuggestion) {
  expect_factor_error("sweep_bad_path",
                      "red_resolve: {parameter: actors.red.resolv, low: 0, high: 1}\n  blue_resolve:",
                      {"got 'actors.red.resolv'", "did you mean 'actors.red.resolve'?"});
}

}  // namespace

namespace {

fs::path write_custom_study(const fs::path& dir, const std::string& design, const std::string& factors,
                            const std::string& extra) {
  const fs::path study = dir / "study.yaml";
  std::ofstream(study) << fmt::format(R"(study: 1
name: toy_custom
scenario: {}
seed: 5
runs_per_point: 100
design: {}
factors:
{}
outputs:
  p_talks: {{end_state: talks}}
  p_war: {{reached_rung: war}}
{}
)",
                                      (fs::path(GEOSIM_SOURCE_DIR) / "scenarios/toy/standoff.yaml").string(),
                                      design, factors, extra);
  return study;
}

// design.csv rows: point, factors..., state, runs.
std::vector<std::vector<std::string>> csv_rows(const fs::path& csv) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(slurp(csv));
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::istringstream row(line);
    std::string cell;
    while (std::getline(row, cell, ',')) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

TEST(Sweep, AdaptiveReplicationStopsEachPointWhenItsIntervalsAreNarrow) {
  const fs::path dir = fresh_dir("sweep_adaptive");
  const fs::path study = write_custom_study(dir, "{kind: lhs, points: 12}",
                                            "  talks_succeed: {low: 0.0, high: 0.6}",
                                            "adaptive: {target_width: 0.08, max_runs: 3000}");
  ASSERT_EQ(run_geosim(fmt::format("sweep '{}' --out '{}'", study.string(), (dir / "out").string())), 0);
  const auto design = csv_rows(dir / "out" / "design.csv");
  ASSERT_EQ(design.size(), 12u);
  std::size_t stopped_early = 0;
  std::map<std::string, std::vector<double>> width;  // point -> CI widths
  for (const auto& r : csv_rows(dir / "out" / "results.csv"))
    width[r[0]].push_back(std::stod(r[5]) - std::stod(r[4]));
  for (const auto& row : design) {
    const auto runs = std::stoul(row.back());
    EXPECT_EQ(runs % 100, 0u) << "runs come in rounds of runs_per_point";
    EXPECT_LE(runs, 3000u);
    if (runs < 3000) {
      ++stopped_early;
      for (double w : width[row[0]]) EXPECT_LE(w, 0.08) << "point " << row[0] << " stopped too early";
    }
  }
  EXPECT_GT(stopped_early, 0u);  // points whose outcome is nearly certain need fewer runs
  fs::remove_all(dir);
}

TEST(Sweep, FailedPointsAreRecordedAndReportedNotDropped) {
  const fs::path dir = fresh_dir("sweep_failed");
  // Half of this range is not a probability: those points fail with the compiler's message.
  const fs::path study =
      write_custom_study(dir, "{kind: lhs, points: 10}", "  talks_succeed: {low: 0.5, high: 1.5}", "");
  ASSERT_EQ(run_geosim(fmt::format("sweep '{}' --out '{}'", study.string(), (dir / "out").string())), 0);
  std::size_t failed = 0, done = 0;
  for (const auto& row : csv_rows(dir / "out" / "design.csv")) {
    const double value = std::stod(row[1]);
    const std::string& state = row[row.size() - 2];
    EXPECT_EQ(state, value > 1.0 ? "failed" : "done") << "talks_succeed = " << value;
    (state == "failed" ? failed : done) += 1;
  }
  EXPECT_GT(failed, 0u);
  EXPECT_GT(done, 0u);
  const std::string cmd = fmt::format("'{}' analyze '{}' 2>&1", GEOSIM_BINARY, (dir / "out").string());
  FILE* pipe = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  ::pclose(pipe);
  EXPECT_NE(out.find(fmt::format("({} failed", failed)), std::string::npos) << out;
  fs::remove_all(dir);
}

}  // namespace

// A point sketches only the ticks its quantile outputs read (every multiple of their gcd with the
// horizon): the quantiles do not depend on which other ticks were sketched. Same point, same seed:
// quantile outputs at the horizon alone (ticks 0 and 52 sketched), and with an extra output at
// tick 1 (every tick sketched), give the same bits; so do the means.
TEST(Sweep, QuantileOutputsDoNotDependOnTheOtherTicksSketched) {
  const fs::path dir = fresh_dir("quantile_ticks");
  StudySpec spec = load_study(write_toy_study(dir, 4, 400));
  using K = StudyOutput::Kind;
  spec.outputs = {StudyOutput{"c_p95", K::indicator_quantile, "casualties", -1, 0.95, {}},
                  StudyOutput{"c_p50", K::indicator_quantile, "casualties", -1, 0.5, {}},
                  StudyOutput{"c_mean", K::indicator_mean, "casualties", -1, 0.5, {}}};
  StudySpec every = spec;
  every.outputs.push_back(StudyOutput{"c_p50_t1", K::indicator_quantile, "casualties", 1, 0.5, {}});
  const std::vector<double> x = {0.5, 0.3, 2.0};
  const PointResult horizon_only = scenario_evaluator(spec)(0, x);
  const PointResult all_ticks = scenario_evaluator(every)(0, x);
  ASSERT_TRUE(horizon_only.ok) << horizon_only.error;
  ASSERT_TRUE(all_ticks.ok) << all_ticks.error;
  for (std::size_t k = 0; k < spec.outputs.size(); ++k) {
    EXPECT_EQ(horizon_only.value[k], all_ticks.value[k]) << spec.outputs[k].name;
    EXPECT_EQ(horizon_only.lo[k], all_ticks.lo[k]) << spec.outputs[k].name;
    EXPECT_EQ(horizon_only.hi[k], all_ticks.hi[k]) << spec.outputs[k].name;
  }
  EXPECT_GT(horizon_only.value[0], horizon_only.value[1]);  // p95 above the median: real data
  EXPECT_FALSE(std::isnan(all_ticks.value[3]));
}
