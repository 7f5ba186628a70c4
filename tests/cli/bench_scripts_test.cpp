// The benchmark scripts an engineer judges a change with (bench/README.md): compare.py's ratio and
// verdict on known inputs, ab.py's rounds and verdict on fake benchmark programs whose times are
// known, and e2e.py's memory benchmark end to end on a tiny run count. Run with Debian's python.
#include <sys/stat.h>

#include <ctime>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "run_geosim.h"

namespace {

namespace fs = std::filesystem;
using geosim::testing_cli::Result;
using geosim::testing_cli::run_command;
using geosim::testing_cli::shell_quote;

const fs::path kSource(GEOSIM_SOURCE_DIR);

Result run_script(const std::string& script, const std::string& args, int seconds = 60) {
  return run_command(fmt::format("/usr/bin/python3 {} {}",
                                 shell_quote((kSource / "bench" / script).string()), args),
                     seconds);
}

class BenchScripts : public geosim::testing_cli::FolderTest {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  // Google Benchmark JSON: BM_X repeated, one cpu_time per repetition, in ns.
  std::string benchmark_json(const std::string& name, const std::vector<double>& times) {
    nlohmann::json doc = {{"context", nlohmann::json::object()}, {"benchmarks", nlohmann::json::array()}};
    for (std::size_t i = 0; i < times.size(); ++i)
      doc["benchmarks"].push_back({{"name", "BM_X"}, {"run_name", "BM_X"},
                                   {"run_type", "iteration"}, {"repetitions", times.size()},
                                   {"repetition_index", i}, {"iterations", 10},
                                   {"real_time", times[i]}, {"cpu_time", times[i]},
                                   {"time_unit", "ns"}});
    return write(name, doc.dump());
  }
  // A stand-in for a Google Benchmark program: lists `listed` for --benchmark_list_tests=true;
  // otherwise writes one result of `ns` CPU time (and 1e7 decisions/s) to --benchmark_out=FILE, or
  // fails with exit code 3 when `ns` is negative.
  std::string fake_program(const std::string& name, double ns, const std::string& listed = "BM_Fake") {
    const std::string list = fmt::format(
        "for a in \"$@\"; do [ \"$a\" = --benchmark_list_tests=true ] && {{ printf '{}\\n'; exit 0; }}; done\n",
        listed);
    const std::string path = write(
        name, ns < 0 ? "#!/bin/sh\n" + list + "echo 'fake failure' >&2\nexit 3\n"
                     : fmt::format("#!/bin/sh\n{0}"
                                   "for a in \"$@\"; do case \"$a\" in --benchmark_out=*) "
                                   "out=\"${{a#--benchmark_out=}}\";; esac; done\n"
                                   "printf '{{\"context\":{{}},\"benchmarks\":[{{\"name\":\"BM_Fake\","
                                   "\"run_type\":\"iteration\",\"iterations\":1,\"real_time\":{1},"
                                   "\"cpu_time\":{1},\"time_unit\":\"ns\",\"decisions/s\":1e7}}]}}' "
                                   "> \"$out\"\n",
                                   list, ns));
    ::chmod(path.c_str(), 0755);
    return path;
  }
};

TEST_F(BenchScripts, CompareFlagsAChangeLargerThanTheNoiseAndNotOneWithin) {
  const std::string old_file = benchmark_json("old.json", {100, 101, 99});
  const Result faster = run_script("compare.py", shell_quote(old_file) + " " +
                                                     shell_quote(benchmark_json("new.json", {80, 81, 79})));
  ASSERT_EQ(faster.status, 0) << faster.output;
  EXPECT_NE(faster.output.find("0.800  *"), std::string::npos) << faster.output;
  EXPECT_NE(faster.output.find("1 changed by more than the noise"), std::string::npos) << faster.output;

  const Result same = run_script("compare.py", shell_quote(old_file) + " " +
                                                   shell_quote(benchmark_json("same.json", {100.5, 98, 102})));
  ASSERT_EQ(same.status, 0) << same.output;
  EXPECT_NE(same.output.find("1.005"), std::string::npos) << same.output;
  EXPECT_NE(same.output.find("0 changed by more than the noise"), std::string::npos) << same.output;
}

TEST_F(BenchScripts, CompareRefusesWhatIsNotABenchmarkResultWithAMessage) {
  const std::string good = benchmark_json("good.json", {100, 101, 99});
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"list.json", "[1, 2]"},
      {"other.json", "{\"a\": 1}"},
      {"noname.json", "{\"benchmarks\": [{\"cpu_time\": 1}]}"},
      {"rows.json", "{\"benchmarks\": \"x\"}"},
      {"type.json", "{\"benchmarks\": [{\"name\": \"BM_X\", \"cpu_time\": \"a\"}]}"},
      {"rss.json", "{\"format\": \"geosim-rss-bench/1\", \"rss_by_runs\": []}"},
      {"text.json", "not json"},
      {"latin1.json", "\xd0\xd0"}};
  for (const auto& [name, text] : bad) {
    const Result r = run_script("compare.py", shell_quote(write(name, text)) + " " + shell_quote(good));
    EXPECT_EQ(r.status, 2) << name << "\n" << r.output;
    EXPECT_NE(r.output.find("compare.py: "), std::string::npos) << name << "\n" << r.output;
    EXPECT_EQ(r.output.find("Traceback (most recent call last)"), std::string::npos) << name << "\n" << r.output;
  }
  const Result missing = run_script("compare.py", shell_quote((dir_ / "none.json").string()) + " " +
                                                      shell_quote(good));
  EXPECT_EQ(missing.status, 2) << missing.output;
  EXPECT_NE(missing.output.find("cannot read"), std::string::npos) << missing.output;
  const Result regex = run_script("compare.py", "--filter '(' " + shell_quote(good) + " " + shell_quote(good));
  EXPECT_EQ(regex.status, 2) << regex.output;
  EXPECT_NE(regex.output.find("is not a regular expression"), std::string::npos) << regex.output;
  EXPECT_EQ(regex.output.find("Traceback (most recent call last)"), std::string::npos) << regex.output;
}

TEST_F(BenchScripts, CompareNotesABenchmarkThatRanOnAnotherScenarioAndSaysTheDirection) {
  auto labelled = [&](const std::string& name, const std::string& label) {
    nlohmann::json doc = {{"context", nlohmann::json::object()}, {"benchmarks", nlohmann::json::array()}};
    for (const double t : {100.0, 101.0, 99.0})
      doc["benchmarks"].push_back({{"name", "BM_SimulateRun/baseline"}, {"run_type", "iteration"},
                                   {"cpu_time", t}, {"real_time", t}, {"time_unit", "us"},
                                   {"decisions/s", 1e7}, {"label", label}});
    return write(name, doc.dump());
  };
  const std::string old_file = labelled("old.json", "dprk_russia_2024 (6 actors, 31 actions)");
  const std::string new_file = labelled("new.json", "dprk_russia_2024 (6 actors, 33 actions)");
  const Result r = run_script("compare.py", shell_quote(old_file) + " " + shell_quote(new_file));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("note: BM_SimulateRun/baseline ran on something else: old 'dprk_russia_2024 "
                          "(6 actors, 31 actions)', new 'dprk_russia_2024 (6 actors, 33 actions)'"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("below 1: the new one takes less time (faster)"), std::string::npos) << r.output;
  const Result same = run_script("compare.py", shell_quote(old_file) + " " + shell_quote(old_file));
  EXPECT_EQ(same.output.find("ran on something else"), std::string::npos) << same.output;
  EXPECT_EQ(same.output.find("different set-ups"), std::string::npos) << same.output;
  const Result rate = run_script("compare.py", "--metric decisions/s " + shell_quote(old_file) + " " +
                                                   shell_quote(old_file));
  EXPECT_NE(rate.output.find("above 1: the new one does more per second (faster)"), std::string::npos)
      << rate.output;
}

TEST_F(BenchScripts, CompareNotesADifferentCompilerOrFlagsButNotWarnings) {
  auto with_context = [&](const std::string& name, const nlohmann::json& context) {
    nlohmann::json doc = {{"context", context}, {"benchmarks", nlohmann::json::array()}};
    doc["benchmarks"].push_back({{"name", "BM_X"}, {"cpu_time", 1.0}, {"time_unit", "ns"}});
    return write(name, doc.dump());
  };
  const std::string a = with_context("a.json", {{"compiler", "g++ 12.2.0"},
                                                {"geosim_cxx_flags", " -O3 -DNDEBUG -ffp-contract=off"}});
  const std::string b = with_context(
      "b.json", {{"compiler", "g++ 12.2.0"},
                 {"geosim_cxx_flags", "-O3 -DNDEBUG -Wall -Wextra -ffp-contract=off -fno-fast-math"}});
  const std::string c = with_context(
      "c.json", {{"compiler", "g++ 13.1.0"}, {"geosim_cxx_flags", "-O2 -DNDEBUG -ffp-contract=off"}});
  const Result same = run_script("compare.py", shell_quote(a) + " " + shell_quote(b));
  ASSERT_EQ(same.status, 0) << same.output;
  EXPECT_EQ(same.output.find("different set-ups"), std::string::npos) << same.output;
  const Result other = run_script("compare.py", shell_quote(a) + " " + shell_quote(c));
  ASSERT_EQ(other.status, 0) << other.output;
  EXPECT_NE(other.output.find("note: the two ran on different set-ups, compiler: old 'g++ 12.2.0', "
                              "new 'g++ 13.1.0'"),
            std::string::npos)
      << other.output;
  EXPECT_NE(other.output.find("different set-ups, flags:"), std::string::npos) << other.output;
}

TEST_F(BenchScripts, AbGivesEachRoundsRatioAndCallsAClearDifference) {
  const std::string a = fake_program("a.sh", 100.0), b = fake_program("b.sh", 90.0);
  const Result r = run_script("ab.py", fmt::format("{} {} --rounds 2 --min-time 0.01",
                                                   shell_quote(a), shell_quote(b)));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("round 1 cpu"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("A 100 ns, 100.0 ns/decision  B 90 ns, 100.0 ns/decision  B/A 0.900"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("B/A geometric mean 0.900, min 0.900, max 0.900 over 2 rounds: B faster "
                          "in every round, by 10.0%"),
            std::string::npos)
      << r.output;

  // B slower; and a difference under --noise is not called.
  const Result slower = run_script("ab.py", fmt::format("{} {} --rounds 1 --min-time 0.01",
                                                        shell_quote(b), shell_quote(a)));
  EXPECT_NE(slower.output.find("B slower in every round, by 11.1%"), std::string::npos)
      << slower.output;
  const Result close = run_script(
      "ab.py", fmt::format("{} {} --rounds 1 --min-time 0.01", shell_quote(a),
                           shell_quote(fake_program("c.sh", 99.5))));
  EXPECT_NE(close.output.find("no difference beyond the method's noise (1%)"), std::string::npos)
      << close.output;
}

TEST_F(BenchScripts, AbRefusesBadArgumentsAndReportsAFailingProgram) {
  const std::string a = fake_program("a.sh", 100.0);
  const Result failing = run_script("ab.py", fmt::format("{} {} --rounds 1", shell_quote(a),
                                                         shell_quote(fake_program("bad.sh", -1))));
  EXPECT_EQ(failing.status, 2) << failing.output;
  EXPECT_NE(failing.output.find("fake failure"), std::string::npos) << failing.output;

  const Result both = run_script("ab.py", fmt::format("--aa {} {}", shell_quote(a), shell_quote(a)));
  EXPECT_EQ(both.status, 2) << both.output;
  EXPECT_NE(both.output.find("give A and B, --aa and A, or --before REV"), std::string::npos)
      << both.output;
  const Result missing = run_script("ab.py", shell_quote((dir_ / "no_build").string()) + " " +
                                                 shell_quote(a));
  EXPECT_NE(missing.status, 0) << missing.output;
  EXPECT_NE(missing.output.find("no benchmark program at"), std::string::npos) << missing.output;
}

TEST_F(BenchScripts, AbRunsExactlyOneSingleThreadedBenchmarkAndSaysWhenItCannot) {
  const std::string a = fake_program("a.sh", 100.0);
  for (const char* bad : {"--rounds 0", "--min-time 0", "--noise -1"}) {
    const Result r = run_script("ab.py", fmt::format("--aa {} {}", shell_quote(a), bad));
    EXPECT_EQ(r.status, 2) << bad << "\n" << r.output;
    EXPECT_EQ(r.output.find("Traceback (most recent call last)"), std::string::npos) << bad << "\n" << r.output;
  }
  // A filter that matches several benchmarks (only the first was compared), none, or one that
  // runs two threads (only the main thread's CPU time was compared: A against A "differed").
  const Result several = run_script(
      "ab.py", "--aa --rounds 1 " + shell_quote(fake_program("two.sh", 100.0, "BM_A\\nBM_B")));
  EXPECT_EQ(several.status, 2) << several.output;
  EXPECT_NE(several.output.find("matches 2 benchmarks"), std::string::npos) << several.output;
  const Result none = run_script("ab.py", "--aa --rounds 1 " + shell_quote(fake_program("none.sh", 100.0, "")));
  EXPECT_EQ(none.status, 2) << none.output;
  EXPECT_NE(none.output.find("no benchmark of"), std::string::npos) << none.output;
  const Result threads = run_script(
      "ab.py", "--aa --rounds 1 " +
                   shell_quote(fake_program("mt.sh", 100.0, "BM_MonteCarlo/baseline/threads:2/real_time")));
  EXPECT_EQ(threads.status, 2) << threads.output;
  EXPECT_NE(threads.output.find("runs 2 threads"), std::string::npos) << threads.output;
  // A against itself: the noise, not a verdict on "B".
  const Result aa = run_script("ab.py", "--aa --rounds 2 --min-time 0.01 " + shell_quote(a));
  ASSERT_EQ(aa.status, 0) << aa.output;
  EXPECT_NE(aa.output.find("A against itself: B/A geometric mean 1.000, min 1.000, max 1.000 over 2 "
                           "rounds: the method's noise here is about 0.0%"),
            std::string::npos)
      << aa.output;
  EXPECT_EQ(aa.output.find("B faster"), std::string::npos) << aa.output;
}

TEST_F(BenchScripts, E2eRssRecordsEveryRunCountAgainstTheSmallest) {
  // <build>/tools/geosim: e2e.py takes the build folder.
  const fs::path build = fs::path(GEOSIM_BINARY).parent_path().parent_path();
  const fs::path out = dir_ / "rss.json";
  const Result r = run_script("e2e.py", fmt::format("rss --build {} --runs 200 100 --out {}",
                                                    shell_quote(build.string()),
                                                    shell_quote(out.string())),
                              120);
  ASSERT_EQ(r.status, 0) << r.output;
  std::ifstream in(out);
  ASSERT_TRUE(in) << "no " << out << "\n" << r.output;
  const nlohmann::json doc = nlohmann::json::parse(in);
  EXPECT_EQ(doc["format"], "geosim-rss-bench/1");
  for (const char* key : {"machine", "compiler", "engine_cxx_flags", "git_revision", "build_git_revision"})
    EXPECT_TRUE(doc["context"].contains(key)) << key;
  const auto& rows = doc["rss_by_runs"];
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["runs"], 100);  // sorted by run count
  EXPECT_EQ(rows[1]["runs"], 200);
  EXPECT_EQ(rows[0]["scenario"], "dprk_russia_2024");
  EXPECT_EQ(rows[0]["rss_over_smallest"].get<double>(), 1.0);
  EXPECT_GT(rows[1]["peak_rss_kb"].get<double>(), 1000.0);
  EXPECT_DOUBLE_EQ(rows[1]["rss_over_smallest"].get<double>(),
                   rows[1]["peak_rss_kb"].get<double>() / rows[0]["peak_rss_kb"].get<double>());
}

TEST_F(BenchScripts, E2eDefaultOutputNeverOverwritesAResult) {
  // bench/results is committed and the docs cite its files by name: a second run on the same day
  // takes the letter after the last one taken (here rss_<date>.json and rss_<date>c.json exist).
  const fs::path build = fs::path(GEOSIM_BINARY).parent_path().parent_path();
  char date[16];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y%m%d", std::localtime(&now));
  const std::string first = write(fmt::format("rss_{}.json", date), "kept\n");
  const std::string third = write(fmt::format("rss_{}c.json", date), "kept too\n");
  const Result r = run_script("e2e.py", fmt::format("rss --build {} --runs 50 --results {}",
                                                    shell_quote(build.string()), shell_quote(dir_.string())),
                              120);
  ASSERT_EQ(r.status, 0) << r.output;
  const fs::path next = dir_ / fmt::format("rss_{}d.json", date);
  EXPECT_TRUE(fs::exists(next)) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / fmt::format("rss_{}b.json", date))) << r.output;
  std::ifstream a(first), c(third);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(a), {}), "kept\n");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(c), {}), "kept too\n");
}

TEST_F(BenchScripts, E2eSaysWhatIsWrongInOneLine) {
  const fs::path build = fs::path(GEOSIM_BINARY).parent_path().parent_path();
  const std::string b = shell_quote(build.string());
  const std::string out = " --out " + shell_quote((dir_ / "x.json").string());
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"rss --build " + shell_quote((dir_ / "no_build").string()) + out, "no geosim program at"},
      {"rss --build " + b + " --scenario " + shell_quote((dir_ / "none.yaml").string()) + out,
       "no scenario file"},
      {"run --build " + b + " --reps 0" + out, "--reps must be at least 1"},
      {"rss --build " + b + " --runs 0" + out, "--runs must be at least 1"},
      {"plot " + shell_quote((dir_ / "none.json").string()), "cannot read"},
      {"plot " + shell_quote(write("rss.json", "{\"format\": \"geosim-rss-bench/1\"}")),
       "is not a scaling result"}};
  for (const auto& [args, message] : cases) {
    const Result r = run_script("e2e.py", args);
    EXPECT_EQ(r.status, 2) << args << "\n" << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos) << args << "\n" << r.output;
    EXPECT_EQ(r.output.find("Traceback (most recent call last)"), std::string::npos) << args << "\n" << r.output;
  }
  EXPECT_FALSE(fs::exists(dir_ / "x.json"));
}

// parts_bench, when the benchmarks are built beside geosim (<build>/bench/parts_bench).
class PartsBench : public BenchScripts {
 protected:
  void SetUp() override {
    BenchScripts::SetUp();
    program_ = fs::path(GEOSIM_BINARY).parent_path().parent_path() / "bench" / "parts_bench";
    if (!fs::exists(program_)) GTEST_SKIP() << "no " << program_ << " (GEOSIM_BUILD_BENCHMARKS=OFF)";
  }
  Result run(const std::string& args) {
    return run_command(shell_quote(program_.string()) + " " + args, 120);
  }
  fs::path program_;
};

TEST_F(PartsBench, RefusesAMissingOrBrokenScenarioBeforeRunningAnything) {
  const Result missing = run("--scenario=" + shell_quote((dir_ / "my.yaml").string()) +
                             " --benchmark_filter=my");
  EXPECT_EQ(missing.status, 2) << missing.output;  // was 0, with nothing run
  EXPECT_NE(missing.output.find("my.yaml: no such file"), std::string::npos) << missing.output;
  const Result broken = run("--scenario=" + shell_quote(write("broken.yaml", "geosim: 1\nname: broken\n")));
  EXPECT_EQ(broken.status, 2) << broken.output;  // was an uncaught exception
  EXPECT_NE(broken.output.find("parts_bench: "), std::string::npos) << broken.output;
  EXPECT_NE(broken.output.find("missing required key"), std::string::npos) << broken.output;
  EXPECT_EQ(broken.output.find("terminate called"), std::string::npos) << broken.output;
  EXPECT_EQ(broken.output.find("Running "), std::string::npos) << broken.output;
}

TEST_F(PartsBench, AScenarioNamedLikeADefaultIsTheOneMeasuredAndTheContextNamesTheBuild) {
  // A scenario file called baseline.yaml (here a copy of the toy) used to be dropped silently in
  // favour of the shipped baseline.
  fs::create_directories(dir_ / "a");
  fs::copy_file(kSource / "scenarios/toy/standoff.yaml", dir_ / "a" / "baseline.yaml");
  const fs::path out = dir_ / "parts.json";
  const Result r = run("--scenario=" + shell_quote((dir_ / "a" / "baseline.yaml").string()) +
                       " '--benchmark_filter=^BM_SampleParameters/baseline$' --benchmark_min_time=0.01"
                       " --benchmark_out_format=json --benchmark_out=" + shell_quote(out.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("replaces the default"), std::string::npos) << r.output;
  std::ifstream in(out);
  ASSERT_TRUE(in) << r.output;
  const nlohmann::json doc = nlohmann::json::parse(in);
  ASSERT_EQ(doc["benchmarks"].size(), 1u) << doc.dump(1);
  EXPECT_NE(doc["benchmarks"][0]["label"].get<std::string>().find("toy_standoff (2 actors"),
            std::string::npos)
      << doc.dump(1);
  // What compare.py and a reader need to tell two results apart.
  const auto& c = doc["context"];
  for (const char* key : {"machine", "compiler", "geosim_cxx_flags", "geosim_git_revision",
                          "geosim_build_type"})
    EXPECT_TRUE(c.contains(key) && !c[key].get<std::string>().empty()) << key << "\n" << c.dump(1);
  EXPECT_NE(c["geosim_cxx_flags"].get<std::string>().find("-fno-fast-math"), std::string::npos)
      << c.dump(1);
}

}  // namespace
