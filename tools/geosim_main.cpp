// The geosim command-line program. Built with GEOSIM_WITH_MPI, `run` and `sweep` spread their work
// over the ranks of an MPI job (started without mpirun: one rank); every other command is the
// same as in the serial build and does not start MPI.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "geosim/compare.h"
#include "geosim/error.h"
#include "geosim/model.h"
#ifdef GEOSIM_WITH_MPI
#include "geosim/mpi.h"
#endif
#include "geosim/scenario.h"
#include "geosim/sources.h"
#include "geosim/story.h"
#include "geosim/sweep.h"
#include "geosim/summary.h"

namespace {

constexpr int kExitInvalidInput = 2;

#ifdef GEOSIM_WITH_MPI
constexpr const char* kThreadsHelp =
    "Worker threads (0: all cores); for run and sweep under mpirun, per rank (0: the cores the "
    "rank is bound to, or unbound, the machine's cores shared by its ranks)";
#else
constexpr const char* kThreadsHelp = "Worker threads (0: all cores)";
#endif

// A progress bar with ETA on stderr, shown only when stderr is a terminal.
class Progress {
 public:
  explicit Progress(std::uint64_t total) : total_(total), enabled_(::isatty(2) == 1), start_(clock::now()) {}
  void update(std::uint64_t done) {
    if (!enabled_) return;
    std::lock_guard lock(mutex_);
    const auto now = clock::now();
    if (done < total_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double secs = std::chrono::duration<double>(now - start_).count();
    const double frac = total_ ? static_cast<double>(done) / static_cast<double>(total_) : 1.0;
    const double eta = frac > 0 ? secs * (1 - frac) / frac : 0;
    const int width = 30;
    const int filled = static_cast<int>(frac * width);
    std::fprintf(stderr, "\r[%s%s] %5.1f%%  %llu/%llu runs  %.0f runs/s  ETA %.0fs ",
                 std::string(static_cast<std::size_t>(filled), '#').c_str(),
                 std::string(static_cast<std::size_t>(width - filled), ' ').c_str(), 100 * frac,
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
                 secs > 0 ? static_cast<double>(done) / secs : 0.0, eta);
    std::fflush(stderr);
  }
  void finish() {
    if (enabled_) std::fprintf(stderr, "\r%*s\r", 100, "");
  }

 private:
  using clock = std::chrono::steady_clock;
  std::uint64_t total_;
  bool enabled_;
  clock::time_point start_, last_{};
  std::mutex mutex_;
};

void print_diagnostics(const geosim::InputError& e) {
  for (const auto& d : e.diagnostics()) std::cerr << d.to_string() << '\n';
}

// A study file starts a line with "study:" within its first 200 lines; anything else is read as a
// scenario. Only a regular file is looked into, and only its first 64 KiB: a pipe (`geosim run
// <(...)`) or a device is left for the loader to read once, within its size limit, and a huge
// file with no line breaks is not read whole into one line.
bool is_study_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  std::ifstream in(path, std::ios::binary);
  std::string head(64 * 1024, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  std::size_t begin = 0;
  for (int i = 0; i < 200 && begin < head.size(); ++i) {
    if (head.compare(begin, 6, "study:") == 0) return true;
    const std::size_t end = head.find('\n', begin);
    if (end == std::string::npos) break;
    begin = end + 1;
  }
  return false;
}

// A command's input of the wrong kind (a study where a scenario is wanted, or the reverse): said
// in one line, with the command that reads it, instead of a list of unknown keys.
struct WrongKindOfFile : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void require_scenario(const std::string& command, const std::string& path) {
  if (is_study_file(path))
    throw WrongKindOfFile(fmt::format(
        "geosim {}: error: '{}' is a study file (it has a 'study:' key), not a scenario: run it with "
        "'geosim sweep {} --out DIR' (docs/studies.md)",
        command, path, path));
}

void require_study(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec) && !is_study_file(path))
    throw WrongKindOfFile(fmt::format(
        "geosim sweep: error: '{}' is not a study file (a study file has a 'study:' key naming its "
        "scenario; docs/studies.md): to run a scenario, use 'geosim run {}'",
        path, path));
}

// A model's warnings (Model::warnings) on stderr, less those `said` has given already.
void say_warnings(const geosim::Model& model, const geosim::Model* said = nullptr) {
  for (const auto& d : model.warnings) {
    const std::string line = d.to_string();
    if (said && std::any_of(said->warnings.begin(), said->warnings.end(),
                            [&](const geosim::Diagnostic& e) { return e.to_string() == line; }))
      continue;
    std::cerr << line << '\n';
  }
}

// Loads and compiles a scenario; its warnings go to stderr when `warn`.
geosim::Model load_and_compile(const std::string& path, bool warn = true) {
  geosim::Model model = geosim::compile(geosim::load_scenario(path));
  if (warn) say_warnings(model);
  return model;
}

// A whole number as typed: digits only. (CLI11 reads "-3" into an unsigned option as 2^64 - 3, and
// "1e3" or "abc" fail with a message about the range.)
const CLI::Validator kWholeNumber(
    [](std::string& text) {
      const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
      return digits ? std::string() : "expected a whole number (digits only), got '" + text + "'";
    },
    "");

// A path or a name given empty (`--json "$OUT"` with OUT unset) is a mistake: without this, an
// empty --json or --csv read as "not given" (the command wrote nothing and exited 0), and an
// empty --pick told run 0.
const CLI::Validator kNotEmpty(
    [](std::string& text) {
      return text.empty() ? std::string("expected a value, got '' (an unset shell variable?)")
                          : std::string();
    },
    "");

// CLI::Range without its description: --help would otherwise show "UINT:UINT in [1 - 1099511627776]"
// as an option's type. The help texts state the ranges that matter in words.
template <class T>
CLI::Validator range(T lo, T hi) {
  CLI::Validator r = CLI::Range(lo, hi);
  r.description("");
  return r;
}

// The Monte Carlo options shared by run and compare.
struct McArgs {
  std::uint64_t runs = 10000;
  std::uint64_t seed = 1;
  int threads = 0;
  std::int32_t block_size = 256;
  std::int32_t quantile_every = 0;  // 0: default_quantile_every(model)

  geosim::MonteCarloOptions options(Progress& progress, const geosim::Model& model) const {
    geosim::MonteCarloOptions opt;
    opt.master_seed = seed;
    opt.runs = runs;
    opt.threads = threads;
    opt.block_size = block_size;
    opt.quantile_every = quantile_every > 0 ? quantile_every : geosim::default_quantile_every(model);
    opt.progress = [&progress](std::uint64_t done) { progress.update(done); };
    return opt;
  }
  void add_to(CLI::App* cmd, const char* runs_help) {
    cmd->add_option("-n,--runs", runs, runs_help)->capture_default_str()
        ->check(kWholeNumber)->check(range(std::uint64_t{1}, std::uint64_t{1} << 40));
    cmd->add_option("-s,--seed", seed, "Master seed: the same seed gives the same numbers")
        ->capture_default_str()->check(kWholeNumber);
    cmd->add_option("-t,--threads", threads, kThreadsHelp)
        ->capture_default_str()->check(kWholeNumber)->check(range(0, 1024));
    cmd->add_option("--block-size", block_size,
                    "Runs per reduction block (part of the result's identity)")
        ->capture_default_str()->check(kWholeNumber)->check(range(1, 1 << 20));
    cmd->add_option("--quantile-every", quantile_every,
                    "Indicator quantiles every K ticks and at the horizon (1: every tick; "
                    "default 0: about four weeks). Means and sds are kept at every tick")
        ->capture_default_str()->check(kWholeNumber)->check(range(0, 1 << 20));
  }
};

struct RunArgs {
  std::string scenario;
  McArgs mc;
  std::string json, csv;
  bool quiet = false;
};

// Every output is checked (and its folder made) before the work starts: an error there must not
// throw the work away, nor leave some outputs written and others not.
void check_run_outputs(const RunArgs& a) {
  if (!a.json.empty()) geosim::check_output_file("--json", a.json);
  if (!a.csv.empty()) geosim::check_output_dir("--csv", a.csv);
}

void write_run(const RunArgs& a, const geosim::Model& model, const geosim::Accumulator& acc) {
  const auto summary = geosim::summarize(model, acc, a.mc.seed, a.mc.block_size);
  // Said first, on stderr, so that --quiet and a redirected stdout still show it.
  for (const auto& w : geosim::non_finite_warnings(summary)) std::cerr << w << '\n';
  if (!a.json.empty()) geosim::write_file_atomic(a.json, geosim::summary_to_json(summary));
  if (!a.csv.empty()) geosim::write_summary_csv(summary, a.csv);
  if (!a.quiet) std::cout << geosim::summary_to_text(summary);
}

int cmd_run(const RunArgs& a) {
  require_scenario("run", a.scenario);
  const geosim::Model model = load_and_compile(a.scenario);
  check_run_outputs(a);
  Progress progress(a.mc.runs);
  const auto acc = geosim::run_monte_carlo(model, a.mc.options(progress, model));
  progress.finish();
  write_run(a, model, acc);
  return 0;
}

struct CompareArgs {
  std::string a, b;
  McArgs mc{20000};
  std::string json;
};

int cmd_compare(const CompareArgs& c) {
  require_scenario("compare", c.a);
  require_scenario("compare", c.b);
  const geosim::Model a = load_and_compile(c.a);
  const geosim::Model b = load_and_compile(c.b, false);
  say_warnings(b, &a);  // less what a said already (b often extends a)
  if (!c.json.empty()) geosim::check_output_file("--json", c.json);
  Progress progress(c.mc.runs);
  auto cmp = geosim::compare_scenarios(a, b, c.mc.options(progress, a));
  progress.finish();
  cmp.scenario_a = fmt::format("{} ({})", cmp.scenario_a, c.a);
  cmp.scenario_b = fmt::format("{} ({})", cmp.scenario_b, c.b);
  for (const auto& w : geosim::comparison_warnings(cmp)) std::cerr << w << '\n';
  if (!c.json.empty()) geosim::write_file_atomic(c.json, geosim::comparison_to_json(cmp));
  std::cout << geosim::comparison_to_text(cmp);
  return 0;
}

// The articles' folder when --seeds is not given: `shared/seeds` or `seeds` in the scenario's folder
// or a folder above it, holding at least one .txt (report.py's find_seeds looks the same way).
std::string seeds_near(const std::string& scenario) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path d = fs::absolute(scenario, ec).parent_path();
  if (ec) return {};
  for (int depth = 0; depth < 64; ++depth) {
    for (const fs::path& c : {d / "shared" / "seeds", d / "seeds"}) {
      std::error_code ignored;  // an unreadable folder is one that is not there
      if (!fs::is_directory(c, ignored)) continue;
      for (const auto& e : fs::directory_iterator(c, ignored))
        if (e.path().extension() == ".txt") return c.string();
    }
    if (d == d.parent_path()) break;
    d = d.parent_path();
  }
  return {};
}

int cmd_sources(const std::vector<std::string>& files, std::string seeds, bool seeds_given,
                bool strict, bool table) {
  int status = 0;
  if (!seeds_given && !std::filesystem::is_directory(seeds)) {
    // The default is relative to where geosim runs; from elsewhere, look near the scenario.
    const std::string near = seeds_near(files.front());
    if (!near.empty()) {
      std::cerr << "geosim sources: no folder '" << seeds << "' here; using " << near << '\n';
      seeds = near;
    }
  }
  if (!std::filesystem::is_directory(seeds)) {
    std::cerr << "geosim sources: error: --seeds: no folder '" << seeds
              << "' (the folder holding the source articles)\n";
    return kExitInvalidInput;
  }
  for (const auto& f : files) {
    if (is_study_file(f)) {
      std::cout << f << ": a study file (its scenario's sources are checked on their own)\n";
      continue;
    }
    const auto scenario = geosim::load_scenario(f);
    geosim::compile(scenario);  // a scenario that does not compile has no trustworthy sources
    const auto report = geosim::check_sources(scenario, seeds);
    if (table) {
      std::cout << geosim::parameter_table_markdown(scenario);
    } else {
      std::cout << geosim::source_report_to_text(scenario, report);
    }
    if (report.missing_quotes() > 0 || (strict && !report.bare.empty())) status = kExitInvalidInput;
  }
  return status;
}

struct StoryArgs {
  std::string scenario;
  std::uint64_t seed = 1;
  std::uint64_t run = 0;
  std::string pick;
  std::uint64_t search = 100000;
  std::string json;
};

int cmd_story(const StoryArgs& a) {
  require_scenario("story", a.scenario);
  const auto scenario = geosim::load_scenario(a.scenario);
  const auto model = geosim::compile(scenario);
  say_warnings(model);
  if (!a.json.empty()) geosim::check_output_file("--json", a.json);
  std::uint64_t run = a.run;
  if (!a.pick.empty()) {
    std::optional<std::uint64_t> found;
    try {
      found = geosim::find_run(model, a.seed, a.pick, a.search);
    } catch (const std::invalid_argument& e) {
      std::cerr << "geosim story: error: --pick: " << e.what() << '\n';
      return kExitInvalidInput;
    }
    if (!found) {
      std::cerr << fmt::format("geosim story: error: no run among the first {} of seed {} ends in '{}'\n",
                               a.search, a.seed, a.pick);
      return 1;
    }
    run = *found;
  }
  const auto story = geosim::tell_story(model, a.seed, run);
  if (!a.json.empty()) geosim::write_file_atomic(a.json, geosim::story_to_json(scenario, model, story));
  std::cout << geosim::story_to_text(scenario, model, story);
  return 0;
}

struct ReportArgs {
  std::string scenario, out = "report.html", seeds = "../shared/seeds";
  std::uint64_t runs = 20000, seed = 1;
};

// The report is assembled by tools/report.py (matplotlib for the figures); this command finds
// the script next to the sources or in the installed share folder and hands over to it.
int cmd_report(const ReportArgs& a, const char* self) {
  namespace fs = std::filesystem;
  require_scenario("report", a.scenario);
  geosim::check_output_file("-o/--out", a.out);
  std::vector<fs::path> candidates = {fs::path(GEOSIM_TOOLS_DIR) / "report.py",
                                      fs::path(GEOSIM_INSTALL_DATADIR) / "report.py"};
  fs::path script;
  for (const auto& c : candidates)
    if (fs::exists(c)) {
      script = c;
      break;
    }
  if (script.empty()) {
    std::cerr << "geosim report: error: cannot find report.py (looked in " << candidates[0]
              << " and " << candidates[1] << ")\n";
    return 1;
  }
  std::error_code ec;
  const fs::path me = fs::canonical("/proc/self/exe", ec);
  const std::string geosim = ec ? std::string(self) : me.string();
  const std::string runs = std::to_string(a.runs), seed = std::to_string(a.seed);
  std::vector<std::string> args = {"/usr/bin/python3", script.string(), "--geosim", geosim,
                                   "--scenario", a.scenario, "--out", a.out, "--runs", runs,
                                   "--seed", seed, "--seeds", a.seeds};
  std::vector<char*> argv;
  for (auto& x : args) argv.push_back(x.data());
  argv.push_back(nullptr);
  ::execv(argv[0], argv.data());
  std::cerr << "geosim report: error: cannot run /usr/bin/python3: " << std::strerror(errno) << '\n';
  return 1;
}

// What a command stopped by a signal says before it ends: SIGTERM is what an MPI launcher sends
// the surviving ranks when one rank dies (and what Slurm sends on scancel or at the time limit),
// SIGINT is Ctrl-C. The handler may only use async-signal-safe calls: it formats by hand and
// write(2)s the text prepared before it was installed.
struct StopNotice {
  std::string before, after;  // the message around the number of committed points
  bool counts_points = false;
  std::atomic<std::size_t> committed{0};
  // A sweep's phase: computing points, writing the exports (`exporting`, whose message is
  // `exporting_text`), or done (a signal then ends the process quietly with status 0: the work is
  // complete, and saying "run the command again to compute the rest" would be false).
  enum Phase : int { computing, exporting, done };
  std::atomic<int> phase{computing};
  std::string exporting_text;
};
StopNotice g_stop;

extern "C" void on_stop_signal(int sig) {
  char text[2048];
  std::size_t n = 0;
  const auto add = [&](const char* s, std::size_t len) {
    for (std::size_t i = 0; i < len && n < sizeof text; ++i) text[n++] = s[i];
  };
  const auto add_number = [&](std::size_t v) {
    char digits[24];
    std::size_t k = 0;
    do {
      digits[k++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v > 0);
    while (k > 0 && n < sizeof text) text[n++] = digits[--k];
  };
  const int phase = g_stop.phase.load();
  if (phase == StopNotice::done) ::_exit(0);
  const char* name = sig == SIGTERM ? "\ngeosim: stopped by SIGTERM (the job was cancelled, or under MPI a rank died); "
                                    : "\ngeosim: stopped by SIGINT; ";
  add(name, std::strlen(name));
  if (phase == StopNotice::exporting) {
    add(g_stop.exporting_text.data(), g_stop.exporting_text.size());
  } else {
    add(g_stop.before.data(), g_stop.before.size());
  }
  if (phase != StopNotice::exporting && g_stop.counts_points) {
    add_number(g_stop.committed.load());
    add(g_stop.after.data(), g_stop.after.size());
  }
  [[maybe_unused]] const ssize_t written = ::write(2, text, n);
  ::_exit(128 + sig);
}

void install_stop_notice() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGTERM, &action, nullptr);
  ::sigaction(SIGINT, &action, nullptr);
}

struct SweepArgs {
  std::string study, out;
  int threads = 0;
};

struct SweepInputs {
  geosim::study::StudySpec spec;
  geosim::study::Evaluator evaluate;
  geosim::study::Design design;
  std::filesystem::path store;

  explicit SweepInputs(const SweepArgs& a)
      : spec(geosim::study::load_study(a.study)),
        evaluate(geosim::study::scenario_evaluator(spec)),
        design(geosim::study::make_design(spec)),
        store(std::filesystem::path(a.out) / "study.sqlite") {}
};

// A study's warnings (a factor range the scenario partly refuses), on stderr.
void say_study_warnings(const geosim::study::StudySpec& spec) {
  for (const auto& d : geosim::study::factor_range_warnings(spec)) std::cerr << d.to_string() << '\n';
}

// Says, if the sweep is stopped by a signal, how many points are safe and how to go on.
void announce_sweep_stop(const SweepInputs& in) {
  g_stop.before = "";
#ifdef GEOSIM_WITH_MPI
  constexpr const char* again = "run the same command again (with any number of ranks)";
#else
  constexpr const char* again = "run the same command again";
#endif
  g_stop.after = fmt::format(" of {} design points are committed to {}; {} to compute the rest.\n",
                             in.design.points(), in.store.string(), again);
  g_stop.counts_points = true;
  g_stop.exporting_text = fmt::format(
      "all {} design points are committed to {}; the exports (results.csv, design.csv) may be "
      "unfinished: run the same command again to write them.\n",
      in.design.points(), in.store.string());
  install_stop_notice();
}

void finish_sweep(const SweepArgs& a, const SweepInputs& in, const geosim::study::SweepReport& r) {
  g_stop.phase = StopNotice::exporting;
  geosim::study::export_store_csv(in.store, a.out);
  g_stop.phase = StopNotice::done;  // the exports are written: nothing is left to lose
  std::cout << fmt::format(
      "Study {}: {} design points x {} runs ({} computed now, {} already in the store, {} failed), "
      "{} runs simulated now.\nResults: {} (SQLite), {}/results.csv and {}/design.csv. Next: geosim analyze {}\n",
      in.spec.name, r.points, in.spec.runs_per_point, r.computed, r.resumed, r.failed, r.runs,
      in.store.string(), a.out, a.out, a.out);
  if (r.failed == 0) return;
  std::cout << fmt::format("{} point(s) failed and count as missing outputs (NaN) in the analysis{}:\n",
                           r.failed, r.failed > r.failures.size() ? "; the lowest-numbered ones" : "");
  for (const auto& [point, why] : r.failures)
    std::cout << fmt::format("  point {}: {}\n", point, why);
  if (r.failed > r.failures.size())
    std::cout << fmt::format("  (every message is in the status table of {})\n", in.store.string());
}

int cmd_sweep(const SweepArgs& a) {
  require_study(a.study);
  const SweepInputs in(a);
  geosim::check_output_dir("--out", a.out);
  geosim::study::SweepOptions opt;
  opt.threads = a.threads;
  Progress progress(in.design.points());
  opt.progress = [&](std::size_t done, std::size_t) {
    g_stop.committed = done;
    progress.update(done);
  };
  say_study_warnings(in.spec);
  announce_sweep_stop(in);
  const auto r = geosim::study::run_sweep(in.spec, in.design, in.evaluate, in.store, opt);
  progress.finish();
  finish_sweep(a, in, r);
  return 0;
}

#ifdef GEOSIM_WITH_MPI
// Runs `load` on every rank. If it fails anywhere, every rank returns the same status (the first
// failing rank's) and the error is printed once: by rank 0, or by the rank that failed where rank
// 0 did not (files missing on one machine).
template <class Load>
int load_on_every_rank(const geosim::mpi::Session& session, Load load) {
  int status = 0;
  std::string message;
  try {
    load();
  } catch (const geosim::InputError& e) {
    status = kExitInvalidInput;
    for (const auto& d : e.diagnostics()) message += d.to_string() + '\n';
  } catch (const WrongKindOfFile& e) {
    status = kExitInvalidInput;
    message = std::string(e.what()) + '\n';
  } catch (const std::exception& e) {
    status = 1;
    message = fmt::format("geosim: error: {}\n", e.what());
  }
  const std::vector<int> all = session.all_statuses(status);
  if (status != 0 && (session.is_manager() || all[0] == 0))
    std::cerr << (session.is_manager() ? "" : fmt::format("geosim: rank {}: ", session.rank())) << message;
  for (const int s : all)
    if (s != 0) return s;
  return 0;
}

// Threads asked for beyond the cores a rank is bound to share those cores (Open MPI binds each
// rank to one core when it starts two ranks or fewer): say so once, with the way out.
void warn_if_bound(const geosim::mpi::Session& session, int threads) {
  if (!session.is_manager() || threads <= session.cores()) return;
  std::cerr << fmt::format(
      "geosim: warning: --threads {} but rank 0 may run on {} core(s) only (the launcher bound it); "
      "start mpirun with --bind-to none, or give each rank {} cores (mpirun --map-by slot:PE={}, "
      "srun --cpus-per-task={})\n",
      threads, session.cores(), threads, threads, threads);
}

int cmd_run_mpi(const RunArgs& a, const geosim::mpi::Session& session) {
  geosim::Model model;
  if (const int rc = load_on_every_rank(session, [&] {
        require_scenario("run", a.scenario);
        model = load_and_compile(a.scenario, session.is_manager());
        if (session.is_manager()) check_run_outputs(a);  // rank 0 writes the outputs
      }))
    return rc;
  if (session.is_manager()) {
    g_stop.before = "a run keeps no checkpoint and has written nothing: run the command again.\n";
    install_stop_notice();
  }
  warn_if_bound(session, a.mc.threads);
  Progress progress(a.mc.runs);
  const auto acc = geosim::mpi::run_monte_carlo(session, model, a.mc.options(progress, model));
  if (!acc) return 0;
  progress.finish();
  write_run(a, model, *acc);
  return 0;
}

int cmd_sweep_mpi(const SweepArgs& a, const geosim::mpi::Session& session) {
  std::optional<SweepInputs> in;
  if (const int rc = load_on_every_rank(session, [&] {
        require_study(a.study);
        in.emplace(a);
        if (session.is_manager()) geosim::check_output_dir("--out", a.out);
      }))
    return rc;
  warn_if_bound(session, a.threads);
  geosim::study::SweepOptions opt;
  opt.threads = a.threads;
  Progress progress(in->design.points());
  opt.progress = [&](std::size_t done, std::size_t) {
    g_stop.committed = done;
    progress.update(done);
  };
  if (session.is_manager()) {
    say_study_warnings(in->spec);
    announce_sweep_stop(*in);
  }
  const auto r = geosim::mpi::run_sweep(session, in->spec, in->design, in->evaluate, in->store, opt);
  if (!r) {
    g_stop.phase = StopNotice::done;  // a worker's part is over; rank 0 writes the exports
    return 0;
  }
  progress.finish();
  finish_sweep(a, *in, *r);
  return 0;
}

// `run` and `sweep` as one rank of an MPI job. A rank that fails once the ranks work apart ends
// the whole job: the others could not be told to stop.
template <class Command>
int as_mpi_rank(int& argc, char**& argv, Command command) {
  geosim::mpi::Session session(argc, argv);
  try {
    return command(session);
  } catch (const geosim::mpi::AbortJob& e) {
    std::cerr << "geosim: error: " << e.what() << '\n';
    if (session.size() > 1) session.abort(1);
    return 1;
  }
}
#endif

struct AnalyzeArgs {
  std::string dir;
  geosim::study::AnalyzeOptions options;
};

int cmd_analyze(const AnalyzeArgs& a) {
  const auto store = std::filesystem::path(a.dir) / "study.sqlite";
  if (!std::filesystem::exists(store)) {
    std::cerr << "geosim analyze: error: no results store at " << store << " (run geosim sweep first)\n";
    return kExitInvalidInput;
  }
  try {
    std::cout << geosim::study::analyze_store(store, a.options);
  } catch (const std::invalid_argument& e) {  // an option that names nothing in the study
    std::cerr << "geosim analyze: error: " << e.what() << '\n';
    return kExitInvalidInput;
  }
  return 0;
}

int cmd_validate(const std::vector<std::string>& files) {
  int status = 0;
  for (const auto& f : files) {
    try {
      if (is_study_file(f)) {
        const auto spec = geosim::study::load_study(f);
        geosim::study::scenario_evaluator(spec);  // every factor and output must name something
        geosim::study::make_design(spec);
        say_study_warnings(spec);
        std::cout << f << ": ok (study)\n";
      } else {
        load_and_compile(f);
        std::cout << f << ": ok\n";
      }
    } catch (const geosim::InputError& e) {
      print_diagnostics(e);
      status = kExitInvalidInput;
    } catch (const std::invalid_argument& e) {
      std::cerr << f << ": error: " << e.what() << '\n';
      status = kExitInvalidInput;
    }
  }
  return status;
}

}  // namespace

// True when an MPI launcher (Open MPI's mpirun, a PMI/PMIx launcher, Slurm's srun) started this
// process as a rank other than the first: read from the launcher's environment, since the command
// line is parsed before MPI starts.
bool launched_as_other_rank() {
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"}) {
    const char* v = std::getenv(name);
    if (v && *v) return std::string_view(v) != "0";
  }
  return false;
}

// After a command-line mistake: for each `--name` the command does not know, the closest option
// it does know ("--run 50" for "--runs 50"): CLI11 says only that the arguments were not expected.
void say_unknown_options(CLI::App& app, int argc, char** argv) {
  if (argc < 2) return;
  CLI::App* cmd = &app;
  for (auto* sub : app.get_subcommands({}))
    if (sub->get_name() == argv[1]) cmd = sub;
  std::vector<std::string> known;
  for (const auto* app_of : {cmd, &app})
    for (const auto* opt : app_of->get_options())
      for (const auto& l : opt->get_lnames()) known.push_back("--" + l);
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0 || arg.size() == 2) continue;
    const std::string name = arg.substr(0, arg.find('='));
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    const std::string hint = geosim::did_you_mean(name, known);
    std::cerr << fmt::format("geosim: error: '{}' is not an option of 'geosim{}'{}\n", name,
                             cmd == &app ? std::string{} : " " + cmd->get_name(),
                             hint.empty() ? "" : " (" + hint + ")");
  }
}

int main(int argc, char** argv) {
  CLI::App app{
      "geosim: Monte Carlo simulation of a geopolitical crisis as interacting actors.\n"
      "A scenario file (YAML) declares the actors, their actions, the escalation ladder and every\n"
      "parameter with its source; geosim runs it many times and reports how likely each path is."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "geosim 0.1.0");
  app.footer("Run 'geosim <command> --help' for a command's options. Docs: README.md, docs/.");

  RunArgs run;
  auto* run_cmd = app.add_subcommand(
      "run", "Run a scenario many times and print how likely each outcome is, with 95% intervals");
  run_cmd->add_option("scenario", run.scenario, "Scenario file (YAML)")->required();
  run.mc.add_to(run_cmd, "Number of runs");
  run_cmd->add_option("--json", run.json, "Write the summary as JSON to this file")->check(kNotEmpty);
  run_cmd->add_option("--csv", run.csv, "Write tidy CSV tables into this directory")->check(kNotEmpty);
  run_cmd->add_flag("-q,--quiet", run.quiet, "Do not print the summary");

  std::vector<std::string> validate_files;
  auto* validate_cmd = app.add_subcommand(
      "validate",
      "Check scenario and study files and print every problem found (exit 0 clean, 2 invalid)");
  validate_cmd->add_option("files", validate_files, "Scenario and study files")->required();

  CompareArgs cmp;
  auto* compare_cmd = app.add_subcommand(
      "compare",
      "Run two scenarios on the same random numbers and report how every outcome probability "
      "moves, with paired 95% intervals");
  compare_cmd->add_option("a", cmp.a, "Scenario A (the reference)")->required();
  compare_cmd->add_option("b", cmp.b, "Scenario B (the change)")->required();
  cmp.mc.add_to(compare_cmd, "Number of paired runs");
  compare_cmd->add_option("--json", cmp.json, "Write the comparison as JSON to this file")
      ->check(kNotEmpty);

  std::vector<std::string> source_files;
  std::string seeds_dir = "../shared/seeds";
  bool strict = false;
  auto* sources_cmd = app.add_subcommand(
      "sources",
      "Check that every quoted source appears verbatim in its article; list parameters by source");
  sources_cmd->add_option("files", source_files, "Scenario files")->required();
  auto* seeds_opt = sources_cmd->add_option("--seeds", seeds_dir,
                                            "Folder holding the source articles (if the default is "
                                            "not there, shared/seeds or seeds above the scenario)")
      ->capture_default_str();
  sources_cmd->add_flag("--strict", strict,
                        "Also fail when a number has neither a source nor an assumption");
  bool table = false;
  sources_cmd->add_flag("--table", table,
                        "Print the declared parameters as a Markdown table (unit, value, source)");

  StoryArgs story;
  auto* story_cmd = app.add_subcommand(
      "story", "Tell one sampled run week by week: who did what, how likely it was, and why");
  story_cmd->add_option("scenario", story.scenario, "Scenario file (YAML)")->required();
  story_cmd->add_option("-s,--seed", story.seed, "Master seed (as given to 'geosim run')")
      ->capture_default_str()->check(kWholeNumber);
  auto* run_opt = story_cmd->add_option("-r,--run", story.run, "Run index to tell")
      ->capture_default_str()->check(kWholeNumber);
  story_cmd->add_option("--pick", story.pick,
                        "Tell the first run that ends in this end state (or 'ongoing'), or "
                        "reaches this rung")
      ->excludes(run_opt)->check(kNotEmpty);
  story_cmd->add_option("--search", story.search, "How many runs --pick may look through")
      ->capture_default_str()->check(kWholeNumber)
      ->check(range(std::uint64_t{1}, std::uint64_t{1} << 40));
  story_cmd->add_option("--json", story.json, "Also write the full trace as JSON to this file")
      ->check(kNotEmpty);

  ReportArgs report;
  auto* report_cmd = app.add_subcommand(
      "report",
      "Write one self-contained HTML report: the question, the summary, plots, one story per "
      "headline outcome and the sources behind the numbers");
  report_cmd->add_option("scenario", report.scenario, "Scenario file (YAML)")->required();
  report_cmd->add_option("-o,--out", report.out, "HTML file to write")->capture_default_str()
      ->check(kNotEmpty);
  report_cmd->add_option("-n,--runs", report.runs, "Number of runs (at least 1)")->capture_default_str()
      ->check(kWholeNumber)->check(range(std::uint64_t{1}, std::uint64_t{1} << 40));
  report_cmd->add_option("-s,--seed", report.seed, "Master seed")->capture_default_str()
      ->check(kWholeNumber);
  report_cmd->add_option("--seeds", report.seeds, "Folder holding the source articles")
      ->capture_default_str();

  SweepArgs sweep;
  auto* sweep_cmd = app.add_subcommand(
      "sweep", "Run a study: every design point of a study file, recorded in a resumable results store");
  sweep_cmd->add_option("study", sweep.study, "Study file (YAML)")->required();
  sweep_cmd->add_option("-o,--out", sweep.out, "Folder for study.sqlite, results.csv and design.csv")
      ->required()->check(kNotEmpty);
  sweep_cmd->add_option("-t,--threads", sweep.threads, kThreadsHelp)
      ->capture_default_str()->check(kWholeNumber)->check(range(0, 1024));

  AnalyzeArgs analyze;
  auto* analyze_cmd = app.add_subcommand(
      "analyze", "Sensitivity indices (Sobol', Morris) and scenario discovery (PRIM) from a finished sweep");
  analyze_cmd->add_option("dir", analyze.dir, "The --out folder of geosim sweep")->required();
  analyze_cmd->add_option("--bootstrap", analyze.options.bootstrap, "Bootstrap resamples for intervals")
      ->capture_default_str()->check(kWholeNumber)->check(range(100, 100000));
  analyze_cmd->add_option("--prim", analyze.options.prim_output, "Output to explain with PRIM boxes");
  analyze_cmd->add_option("--threshold", analyze.options.prim_threshold,
                          "PRIM: an output above this is of interest")->capture_default_str();
  analyze_cmd->add_option("--min-density", analyze.options.prim_min_density,
                          "PRIM: choose the widest box at least this dense")
      ->capture_default_str()->check(range(0.0, 1.0));

  // An unknown command: CLI11 alone would say only "A subcommand is required".
  if (argc > 1 && argv[1][0] != '-') {
    std::vector<std::string> names;
    for (const auto* sub : app.get_subcommands({})) names.push_back(sub->get_name());
    if (std::find(names.begin(), names.end(), argv[1]) == names.end()) {
      const std::string hint = geosim::did_you_mean(argv[1], names);
      std::cerr << fmt::format("geosim: error: unknown command '{}'{}; the commands are {}. "
                               "'geosim --help' says what each does.\n",
                               argv[1], hint.empty() ? "" : " (" + hint + ")",
                               fmt::join(names, ", "));
      return kExitInvalidInput;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Under an MPI launcher every rank parses the same command line: only the first says what is
    // wrong (or prints the help), not one copy per rank.
    if (launched_as_other_rank()) return e.get_exit_code() == 0 ? 0 : kExitInvalidInput;
    const int parser_status = app.exit(e);  // CLI11's message (or the help asked for)
    if (e.get_exit_code() == 0) return parser_status;
    say_unknown_options(app, argc, argv);
    return kExitInvalidInput;  // a command-line mistake is invalid input too
  }

  try {
#ifdef GEOSIM_WITH_MPI
    if (*run_cmd) return as_mpi_rank(argc, argv, [&](const auto& s) { return cmd_run_mpi(run, s); });
    if (*sweep_cmd) return as_mpi_rank(argc, argv, [&](const auto& s) { return cmd_sweep_mpi(sweep, s); });
#endif
    if (*run_cmd) return cmd_run(run);
    if (*validate_cmd) return cmd_validate(validate_files);
    if (*compare_cmd) return cmd_compare(cmp);
    if (*story_cmd) return cmd_story(story);
    if (*report_cmd) return cmd_report(report, argv[0]);
    if (*sweep_cmd) return cmd_sweep(sweep);
    if (*analyze_cmd) return cmd_analyze(analyze);
    if (*sources_cmd) return cmd_sources(source_files, seeds_dir, seeds_opt->count() > 0, strict, table);
  } catch (const geosim::InputError& e) {
    print_diagnostics(e);
    return kExitInvalidInput;
  } catch (const WrongKindOfFile& e) {
    std::cerr << e.what() << '\n';
    return kExitInvalidInput;
  } catch (const std::exception& e) {
    std::cerr << "geosim: error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
