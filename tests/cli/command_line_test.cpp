// The geosim program as a user meets it: where outputs go (folders made, nothing half-written when
// an output cannot be written), the wrong kind of input file, unknown commands, numbers typed
// wrongly, --pick with the wrong prefix, stories of scenarios without a calendar, and failed
// sweep points said on the terminal; endless files and pipes as input; devices, pipes and
// symlinks as outputs.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cli/run_geosim.h"

namespace fs = std::filesystem;
using geosim::testing_cli::expect_no_crash;
using geosim::testing_cli::Result;
using geosim::testing_cli::run_geosim;
using geosim::testing_cli::shell_quote;

namespace {

const std::string kToy = std::string(GEOSIM_SOURCE_DIR) + "/scenarios/toy/standoff.yaml";
const std::string kBaseline =
    std::string(GEOSIM_SOURCE_DIR) + "/scenarios/dprk_russia_2024/baseline.yaml";
const std::string kStudy =
    std::string(GEOSIM_SOURCE_DIR) + "/scenarios/dprk_russia_2024/study_beliefs.yaml";

class CommandLine : public geosim::testing_cli::FolderTest {
 protected:
  std::string at(const std::string& rel) const { return (dir_ / rel).string(); }
  void write(const std::string& rel, const std::string& text) const {
    std::ofstream(dir_ / rel) << text;
  }
  // A grid study of the toy scenario over one factor (`factor`: the YAML of its range), 20 runs a
  // point; the factor's line is line 7.
  void write_toy_study(const std::string& rel, const std::string& factor) const {
    write(rel, "study: 1\nname: toy\nscenario: " + kToy +
                   "\nruns_per_point: 20\ndesign: {kind: grid}\nfactors:\n  talks_succeed: " + factor +
                   "\noutputs:\n  p_war: {reached_rung: war}\n");
  }
};

bool has(const Result& r, const std::string& text) { return r.output.find(text) != std::string::npos; }

TEST_F(CommandLine, OutputFoldersAreCreated) {
  const Result r = run_geosim(fmt::format("run {} --runs 40 --quiet --json {} --csv {}", shell_quote(kToy),
                                          shell_quote(at("new/deeper/toy.json")),
                                          shell_quote(at("new/csv"))));
  expect_no_crash(r, "run into new folders");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(fs::is_regular_file(at("new/deeper/toy.json")));
  EXPECT_TRUE(fs::is_regular_file(at("new/csv/outcomes.csv")));
  EXPECT_TRUE(fs::is_regular_file(at("new/csv/indicators.csv")));

  const Result c = run_geosim(fmt::format("compare {} {} --runs 40 --json {}", shell_quote(kToy),
                                          shell_quote(kToy), shell_quote(at("c/d/cmp.json"))));
  ASSERT_EQ(c.status, 0) << c.output;
  EXPECT_TRUE(fs::is_regular_file(at("c/d/cmp.json")));
  const Result s = run_geosim(
      fmt::format("story {} --run 3 --json {}", shell_quote(kToy), shell_quote(at("s/t/story.json"))));
  ASSERT_EQ(s.status, 0) << s.output;
  EXPECT_TRUE(fs::is_regular_file(at("s/t/story.json")));
}

// An output that cannot be written is found before the work starts, and then nothing is written:
// not the other outputs of the same command, not a temporary file.
TEST_F(CommandLine, AnUnwritableOutputStopsTheCommandBeforeAnythingIsWritten) {
  fs::create_directories(at("a_folder"));
  const Result r = run_geosim(fmt::format("run {} --runs 40 --json {} --csv {}", shell_quote(kToy),
                                          shell_quote(at("a_folder")), shell_quote(at("csv"))));
  expect_no_crash(r, "--json naming a folder", true);
  EXPECT_NE(r.status, 0);
  EXPECT_TRUE(has(r, "--json: cannot write '" + at("a_folder") + "': it is a folder")) << r.output;
  EXPECT_FALSE(has(r, "Success")) << r.output;
  EXPECT_FALSE(has(r, "How the runs ended")) << "the summary was computed and printed:\n" << r.output;
  EXPECT_FALSE(fs::exists(at("csv"))) << "the other output was written";
  EXPECT_TRUE(fs::is_empty(at("a_folder")));

  write("a_file", "x");
  const Result f = run_geosim(fmt::format("run {} --runs 40 --json {} --csv {}", shell_quote(kToy),
                                          shell_quote(at("out.json")), shell_quote(at("a_file"))));
  expect_no_crash(f, "--csv naming a file", true);
  EXPECT_NE(f.status, 0);
  EXPECT_TRUE(has(f, "--csv: cannot write into '" + at("a_file") + "'")) << f.output;
  EXPECT_TRUE(has(f, "is a file, not a folder")) << f.output;
  EXPECT_FALSE(fs::exists(at("out.json"))) << "half the outputs were written";

  const Result p = run_geosim(
      fmt::format("report {} --runs 40 -o {}", shell_quote(kToy), shell_quote(at("a_folder"))));
  EXPECT_NE(p.status, 0);
  EXPECT_TRUE(has(p, "-o/--out: cannot write '" + at("a_folder") + "': it is a folder")) << p.output;
  EXPECT_FALSE(has(p, ".tmp")) << "the message names a temporary file:\n" << p.output;

  const Result w = run_geosim(fmt::format("sweep {} --out {}", shell_quote(kStudy), shell_quote(at("a_file"))));
  EXPECT_NE(w.status, 0);
  EXPECT_TRUE(has(w, "--out: cannot write into '" + at("a_file") + "'")) << w.output;
}

TEST_F(CommandLine, TheWrongKindOfFileIsNamedWithTheCommandThatReadsIt) {
  const Result r = run_geosim("run " + shell_quote(kStudy) + " --runs 10");
  expect_no_crash(r, "run on a study file");
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(has(r, "is a study file")) << r.output;
  EXPECT_TRUE(has(r, "geosim sweep " + kStudy)) << r.output;
  EXPECT_FALSE(has(r, "unknown key")) << r.output;

  const Result s = run_geosim("sweep " + shell_quote(kToy) + " --out " + shell_quote(at("o")));
  expect_no_crash(s, "sweep on a scenario");
  EXPECT_EQ(s.status, 2);
  EXPECT_TRUE(has(s, "is not a study file")) << s.output;
  EXPECT_TRUE(has(s, "geosim run " + kToy)) << s.output;
  EXPECT_FALSE(has(s, "unknown key")) << s.output;
  EXPECT_FALSE(fs::exists(at("o")));
}

// A declared parameter that no field uses: validate says it is ok (exit 0) and warns, naming the
// parameter where it is declared; run and story warn too and run; compare of the file with itself
// warns once; a study with a factor on it is refused (it would vary nothing).
TEST_F(CommandLine, AnUnusedParameterIsWarnedOfNotRefused) {
  std::ifstream toy(kToy);
  std::string yaml((std::istreambuf_iterator<char>(toy)), std::istreambuf_iterator<char>());
  yaml.replace(yaml.find("parameters:\n"), 12, "parameters:\n  spare_belief: {value: 0.5}\n");
  write("spare.yaml", yaml);
  const Result v = run_geosim("validate " + shell_quote(at("spare.yaml")));
  expect_no_crash(v, "validate spare.yaml");
  EXPECT_EQ(v.status, 0) << v.output;
  EXPECT_TRUE(has(v, "spare.yaml: ok")) << v.output;
  EXPECT_TRUE(has(v, "spare.yaml:10:3: warning: parameters.spare_belief: declared but no field uses it"))
      << v.output;
  const Result r = run_geosim("run " + shell_quote(at("spare.yaml")) + " --runs 40 --quiet");
  expect_no_crash(r, "run spare.yaml");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(has(r, "warning: parameters.spare_belief")) << r.output;
  const Result s = run_geosim("story " + shell_quote(at("spare.yaml")));
  EXPECT_EQ(s.status, 0) << s.output;
  EXPECT_TRUE(has(s, "warning: parameters.spare_belief")) << s.output;
  const Result c = run_geosim("compare " + shell_quote(at("spare.yaml")) + " " +
                              shell_quote(at("spare.yaml")) + " --runs 40");
  EXPECT_EQ(c.status, 0) << c.output;
  const auto first = c.output.find("warning: parameters.spare_belief");
  ASSERT_NE(first, std::string::npos) << c.output;
  EXPECT_EQ(c.output.find("warning: parameters.spare_belief", first + 1), std::string::npos)
      << "said twice:\n" << c.output;

  write("study.yaml", "study: 1\nname: spare_study\nscenario: " + at("spare.yaml") +
                          "\nruns_per_point: 10\ndesign: {kind: grid}\n"
                          "factors:\n  spare_belief: {levels: [0.1, 0.9]}\n"
                          "outputs:\n  p_war: {reached_rung: war}\n");
  const Result st = run_geosim("validate " + shell_quote(at("study.yaml")));
  expect_no_crash(st, "validate study.yaml", /*error_expected=*/true);
  EXPECT_EQ(st.status, 2) << st.output;
  EXPECT_TRUE(has(st, "factors.spare_belief: expected a parameter that some field of toy_standoff "
                      "uses, got 'spare_belief', which no field uses: varying it changes nothing"))
      << st.output;

  const Result t = run_geosim("validate " + shell_quote(kToy));
  EXPECT_EQ(t.status, 0) << t.output;
  EXPECT_TRUE(has(t, "standoff.yaml: ok")) << t.output;
  EXPECT_FALSE(has(t, "warning")) << t.output;
}

// Endless or unseekable inputs: /dev/zero is refused as too large (the look for a study key used
// to read it line by line forever), and a scenario from a pipe is read once, by the loader.
TEST_F(CommandLine, EndlessFilesAreRefusedAndPipesAreRead) {
  for (const char* command : {"validate", "run"}) {
    const Result r = run_geosim(fmt::format("{} /dev/zero", command));
    expect_no_crash(r, fmt::format("{} /dev/zero", command), /*error_expected=*/true);
    EXPECT_EQ(r.status, 2) << command << ": " << r.output;
    EXPECT_TRUE(has(r, "/dev/zero: error: file too large")) << command << ": " << r.output;
  }
  const Result p = geosim::testing_cli::run_command(fmt::format(
      "bash -c {}", shell_quote(fmt::format("{} run <(cat {}) --runs 40 --quiet --json {}",
                                            shell_quote(GEOSIM_BINARY), shell_quote(kToy),
                                            shell_quote(at("piped.json"))))));
  expect_no_crash(p, "run <(cat toy)");
  EXPECT_EQ(p.status, 0) << p.output;
  EXPECT_TRUE(fs::is_regular_file(at("piped.json"))) << p.output;
}

// Outputs that are not regular files are written in place: renaming a finished file over
// /dev/stdout, a pipe or a symlink used to replace them with a regular file (as root it replaced
// /dev/full itself); a symlink's file is written and the link stays a link.
TEST_F(CommandLine, DevicesPipesAndSymlinksAsOutputsAreWrittenThroughNotReplaced) {
  const std::string fifo = at("pipe.json");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  const Result piped = geosim::testing_cli::run_command(fmt::format(
      "bash -c {}", shell_quote(fmt::format("cat {} > {} & {} run {} --runs 20 --quiet --json {}; wait",
                                            shell_quote(fifo), shell_quote(at("from_pipe.txt")),
                                            shell_quote(GEOSIM_BINARY), shell_quote(kToy),
                                            shell_quote(fifo)))));
  expect_no_crash(piped, "--json FIFO");
  EXPECT_EQ(piped.status, 0) << piped.output;
  ASSERT_TRUE(fs::is_fifo(fifo)) << "the pipe was replaced";
  std::ifstream from_pipe(at("from_pipe.txt"));
  const std::string got((std::istreambuf_iterator<char>(from_pipe)), std::istreambuf_iterator<char>());
  EXPECT_NE(got.find("\"format\": \"geosim-summary/1\""), std::string::npos) << got;

  fs::create_symlink("real.json", at("link.json"));  // relative, and its file does not exist yet
  const Result linked = run_geosim(
      fmt::format("run {} --runs 20 --quiet --json {}", shell_quote(kToy), shell_quote(at("link.json"))));
  EXPECT_EQ(linked.status, 0) << linked.output;
  ASSERT_TRUE(fs::is_symlink(at("link.json"))) << "the link was replaced";
  EXPECT_TRUE(fs::is_regular_file(at("real.json")));

  // Last, and only if the pipe and the link survived: a build that renames over its output would
  // replace the machine's /dev/stdout link (as root).
  const Result out = run_geosim(fmt::format("run {} --runs 20 --quiet --json /dev/stdout", shell_quote(kToy)));
  expect_no_crash(out, "--json /dev/stdout");
  EXPECT_EQ(out.status, 0) << out.output;
  EXPECT_TRUE(has(out, "\"format\": \"geosim-summary/1\"")) << out.output;
}

TEST_F(CommandLine, UnknownCommandsAndMistypedNumbersAreNamed) {
  const Result u = run_geosim("rnu " + shell_quote(kToy));
  expect_no_crash(u, "geosim rnu", true);
  EXPECT_EQ(u.status, 2);
  EXPECT_TRUE(has(u, "unknown command 'rnu' (did you mean 'run'?)")) << u.output;

  for (const std::string bad : {"--seed -3", "--runs 1e3", "--runs abc", "--threads -1"}) {
    const Result r = run_geosim("run " + shell_quote(kToy) + " " + bad);
    expect_no_crash(r, bad);
    EXPECT_NE(r.status, 0) << bad << " was accepted:\n" << r.output;
    EXPECT_TRUE(has(r, "expected a whole number")) << bad << ":\n" << r.output;
    EXPECT_FALSE(has(r, "How the runs ended")) << bad;
  }
  // analyze's numbers have ranges: 10^8 bootstrap resamples ran for minutes, 0 printed [nan, nan].
  for (const std::string bad : {"--bootstrap 0", "--bootstrap 100000000", "--min-density -1",
                                "--min-density 2"}) {
    const Result r = run_geosim("analyze " + shell_quote(at("none")) + " " + bad);
    expect_no_crash(r, bad);
    EXPECT_NE(r.status, 0) << bad << " was accepted:\n" << r.output;
    EXPECT_TRUE(has(r, "not in range")) << bad << ":\n" << r.output;
  }
}

// Command-line mistakes exit with 2, like any other invalid input, and a mistyped option gets a
// "did you mean": CLI11 alone said only "The following arguments were not expected: 50 --run" and
// exited with 109. `report --runs 0` is refused by geosim itself, not by the script it runs.
TEST_F(CommandLine, CommandLineMistakesExitWithTwoAndMistypedOptionsAreNamed) {
  const Result r = run_geosim("run " + shell_quote(kToy) + " --run 50");
  expect_no_crash(r, "--run 50", true);
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(has(r, "'--run' is not an option of 'geosim run' (did you mean '--runs'?)")) << r.output;
  EXPECT_FALSE(has(r, "How the runs ended"));

  const Result z = run_geosim("report " + shell_quote(kToy) + " --runs 0 -o " + shell_quote(at("r.html")));
  expect_no_crash(z, "report --runs 0");
  EXPECT_EQ(z.status, 2) << z.output;
  EXPECT_FALSE(has(z, "usage: report.py")) << z.output;
  EXPECT_FALSE(fs::exists(at("r.html")));

  const Result h = run_geosim("run --help");
  EXPECT_EQ(h.status, 0);
  EXPECT_FALSE(has(h, "UINT:UINT")) << h.output;  // one type per option, not one per check

  // Under an MPI launcher only the first rank says it: not one copy of the message per rank.
  const Result other = geosim::testing_cli::run_command(
      "env OMPI_COMM_WORLD_RANK=1 " + shell_quote(GEOSIM_BINARY) + " run " + shell_quote(kToy) +
      " --run 50");
  EXPECT_EQ(other.status, 2) << other.output;
  EXPECT_EQ(other.output, "");
}

// An output or a name given empty (`--json "$OUT"` with OUT unset) is a command-line mistake (exit
// 2, nothing run): an empty --json or --csv used to read as "not given", so the command wrote
// nothing and exited 0, and an empty --pick told run 0.
TEST_F(CommandLine, AnEmptyOutputOrPickIsAMistakeNotAnOmission) {
  for (const std::string& args :
       {"run " + shell_quote(kToy) + " --runs 20 --json ''", "run " + shell_quote(kToy) + " --runs 20 --csv ''",
        "compare " + shell_quote(kToy) + " " + shell_quote(kToy) + " --runs 20 --json ''",
        "story " + shell_quote(kToy) + " --json ''", "story " + shell_quote(kToy) + " --pick ''",
        "report " + shell_quote(kToy) + " -o ''", "sweep " + shell_quote(kStudy) + " --out ''"}) {
    const Result r = run_geosim(args);
    expect_no_crash(r, args);
    EXPECT_EQ(r.status, 2) << args << "\n" << r.output;
    EXPECT_TRUE(has(r, "expected a value, got '' (an unset shell variable?)")) << args << "\n" << r.output;
    EXPECT_FALSE(has(r, "How the runs ended")) << args;
    EXPECT_FALSE(has(r, "Week 0")) << args;
  }
}

// A child's out-of-range override is reported in the child, where the value was set, with the
// field of the base file that uses it: it used to be reported at the base's field only.
TEST_F(CommandLine, AChildsBadOverrideIsReportedWhereItWasSet) {
  write("child.yaml", "geosim: 1\nextends: " + kBaseline +
                          "\nparameters:\n  ceasefire_success: {value: 1.5}\n");
  const Result r = run_geosim("validate " + shell_quote(at("child.yaml")));
  expect_no_crash(r, "child override");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(has(r, "child.yaml:4:3: error: parameters.ceasefire_success: expected a probability in "
                     "[0, 1], got 1.5, for end_states.ceasefire.probability (")) << r.output;
  EXPECT_TRUE(has(r, "baseline.yaml:")) << r.output;
}

// A study factor whose range the scenario partly refuses is said before any point runs (validate
// and sweep warn; the points there then fail, as FailedSweepPointsAreSaidWithTheirReason shows).
TEST_F(CommandLine, AFactorRangeTheScenarioPartlyRefusesIsWarnedOf) {
  write_toy_study("study.yaml", "{low: 0.2, high: 1.3}");
  const Result v = run_geosim("validate " + shell_quote(at("study.yaml")));
  expect_no_crash(v, "validate study");
  EXPECT_EQ(v.status, 0) << v.output;
  EXPECT_TRUE(has(v, "study.yaml:7:3: warning: factors.talks_succeed: the scenario refuses part of "
                     "this range: at talks_succeed = 1.3")) << v.output;
  EXPECT_TRUE(has(v, "ok (study)")) << v.output;
  // Inside the domain: no warning.
  write_toy_study("ok.yaml", "{low: 0.2, high: 1.0}");
  const Result ok = run_geosim("validate " + shell_quote(at("ok.yaml")));
  EXPECT_EQ(ok.status, 0) << ok.output;
  EXPECT_FALSE(has(ok, "warning")) << ok.output;
}

// `sources` run from a scenario's own folder finds the articles above it, as `report` does.
TEST_F(CommandLine, SourcesFindsTheArticlesNearTheScenario) {
  const std::string folder = std::string(GEOSIM_SOURCE_DIR) + "/scenarios/dprk_russia_2024";
  const Result r = geosim::testing_cli::run_command(
      "sh -c " + shell_quote(fmt::format("cd {} && {} sources baseline.yaml", shell_quote(folder),
                                         shell_quote(GEOSIM_BINARY))));
  expect_no_crash(r, "sources from the scenario's folder");
  EXPECT_TRUE(has(r, "using ")) << r.output;
  EXPECT_FALSE(has(r, "no folder '../shared/seeds' (the folder")) << r.output;
}

TEST_F(CommandLine, PickWithTheWrongPrefixSaysWhichKindTheNameIs) {
  const Result e = run_geosim("story " + shell_quote(kBaseline) + " --pick end:regional_spillover");
  EXPECT_EQ(e.status, 2);
  EXPECT_TRUE(has(e, "'regional_spillover' is a rung of the ladder, not an end state")) << e.output;
  EXPECT_TRUE(has(e, "'rung:regional_spillover'")) << e.output;
  const Result r = run_geosim("story " + shell_quote(kBaseline) + " --pick rung:ceasefire");
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(has(r, "'ceasefire' is an end state, not a rung")) << r.output;
  const Result t = run_geosim("story " + shell_quote(kBaseline) + " --pick cesefire");
  EXPECT_EQ(t.status, 2);
  EXPECT_TRUE(has(t, "(did you mean 'ceasefire'?)")) << t.output;
  EXPECT_TRUE(has(t, "end states: nuclear_use, great_power_clash, ceasefire, dprk_withdrawal, ongoing; "
                     "rungs: material_support,"))
      << t.output;
}

TEST_F(CommandLine, AStoryWithoutACalendarHasNoEmptyDates) {
  write("minimal.yaml",
        "geosim: 1\nname: minimal\ntime: {horizon: 10}\n"
        "ladder:\n  rungs: [{name: calm}, {name: crisis, danger: 2}]\n"
        "end_states:\n  crisis: {rung: crisis}\n"
        "actors:\n  a:\n    rationality: 1\n    actions:\n"
        "      wait: {class: status_quo}\n      push: {class: posturing, step: 1}\n");
  const Result r = run_geosim("story " + shell_quote(at("minimal.yaml")) + " --pick crisis");
  expect_no_crash(r, "story of a scenario without time.start");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(has(r, "The run ends in")) << r.output;
  EXPECT_FALSE(has(r, "()")) << r.output;
  EXPECT_FALSE(has(r, ", )")) << r.output;
}

TEST_F(CommandLine, FailedSweepPointsAreSaidWithTheirReason) {
  write_toy_study("study.yaml", "{levels: [0.5, 1.5]}");
  const Result r = run_geosim("sweep " + shell_quote(at("study.yaml")) + " --threads 2 --out " +
                              shell_quote(at("out")));
  expect_no_crash(r, "sweep with failing points");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(has(r, "point(s) failed")) << r.output;
  EXPECT_TRUE(has(r, "expected a probability in [0, 1], got 1.5 (parameter 'talks_succeed')")) << r.output;
  // Lowest-numbered first, whatever order the threads finished in.
  const auto first = r.output.find("  point ");
  ASSERT_NE(first, std::string::npos);
  const auto second = r.output.find("  point ", first + 1);
  ASSERT_NE(second, std::string::npos) << r.output;
  EXPECT_LT(std::stoul(r.output.substr(first + 8)), std::stoul(r.output.substr(second + 8)));
}

// A scenario whose numbers overflow a double (docs/model.md, section 14): `pressure` gains
// big = 1e307 on half the weeks and passes DBL_MAX to +inf in most runs. run says so on stderr
// (also with --quiet), naming the indicator, the runs and the first tick, and still exits 0 with
// its outputs written; compare says so too; a sweep point whose output reads the indicator fails
// with the reason (an inf or NaN output would spoil the analysis), while one that reads `calm` is
// computed.
TEST_F(CommandLine, AnIndicatorThatOverflowsIsWarnedOfWithItsTickAndRuns) {
  const std::string yaml =
      "geosim: 1\nname: overflow\ntime: {horizon: 52}\n"
      "parameters:\n  big: {value: 1e307}\n"
      "state:\n  pressure: {initial: 1}\n  calm: {initial: 0}\n"
      "ladder:\n  rungs: [{name: low}, {name: high, danger: 1}]\n"
      "end_states:\n  top: {rung: high}\n"
      "actors:\n  a:\n    rationality: 1\n    actions:\n"
      "      wait: {class: status_quo}\n      push: {class: posturing, step: 1, cost: 5}\n"
      "events:\n  surge: {kind: bernoulli, probability: 0.5, effects: [{var: pressure, add: big}]}\n";
  write("overflow.yaml", yaml);
  const Result r = run_geosim("run " + shell_quote(at("overflow.yaml")) + " --runs 300 --quiet --json " +
                              shell_quote(at("o.json")));
  expect_no_crash(r, "run of an overflowing scenario");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(has(r, "geosim: warning: indicator 'pressure' was not a finite number (+inf, -inf or "
                     "NaN) in ")) << r.output;
  EXPECT_TRUE(has(r, " of 300 runs, first at tick ")) << r.output;
  EXPECT_TRUE(has(r, "an effect or rate too large for a double?")) << r.output;
  EXPECT_FALSE(has(r, "indicator 'calm'")) << r.output;
  std::ifstream json(at("o.json"));
  const std::string j((std::istreambuf_iterator<char>(json)), std::istreambuf_iterator<char>());
  EXPECT_NE(j.find("\"non_finite_runs\": "), std::string::npos) << j;

  const Result t = run_geosim("run " + shell_quote(at("overflow.yaml")) + " --runs 300");
  EXPECT_EQ(t.status, 0) << t.output;
  EXPECT_TRUE(has(t, "(not a finite number in ")) << t.output;
  EXPECT_FALSE(has(t, "-nan")) << t.output;

  const Result c = run_geosim("compare " + shell_quote(at("overflow.yaml")) + " " +
                              shell_quote(at("overflow.yaml")) + " --runs 300");
  EXPECT_EQ(c.status, 0) << c.output;
  EXPECT_TRUE(has(c, "geosim: warning: indicator 'pressure' of overflow")) << c.output;
  EXPECT_TRUE(has(c, "at the horizon in ")) << c.output;

  write("study.yaml", "study: 1\nname: overflow_study\nscenario: " + at("overflow.yaml") +
                          "\nruns_per_point: 50\ndesign: {kind: grid}\n"
                          "factors:\n  big: {levels: [1e307, 1.0]}\n"
                          "outputs:\n  pressure: {indicator: pressure}\n");
  const Result s = run_geosim("sweep " + shell_quote(at("study.yaml")) + " --threads 1 --out " +
                              shell_quote(at("out")));
  expect_no_crash(s, "sweep of an overflowing scenario");
  ASSERT_EQ(s.status, 0) << s.output;
  EXPECT_TRUE(has(s, "2 point(s) failed")) << s.output;  // 4 grid levels: 2 points at big = 1e307
  EXPECT_TRUE(has(s, "(4 computed now, 0 already in the store, 2 failed)")) << s.output;
  EXPECT_TRUE(has(s, "point 0: indicator 'pressure' was not a finite number")) << s.output;
}

}  // namespace
