// Sweeps: evaluate every design point, record each as it finishes in a SQLite store (so a killed
// sweep resumes), export tidy CSV, and analyse a finished store.
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <map>
#include <numeric>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "geosim/summary.h"
#include "geosim/sweep.h"

namespace geosim::study {

// ---------------------------------------------------------------------------------------------
// Designs and the scenario evaluator

Design make_design(const StudySpec& spec) {
  switch (spec.design) {
    case DesignKind::grid:
      return full_factorial(spec.factors,
                            std::vector<std::size_t>(spec.factors.size(),
                                                     static_cast<std::size_t>(spec.levels)));
    case DesignKind::latin_hypercube: return latin_hypercube(spec.factors, spec.points, spec.seed);
    case DesignKind::sobol_saltelli: return sobol_saltelli(spec.factors, spec.points, spec.seed);
    case DesignKind::morris: {
      MorrisDesignOptions o;
      o.trajectories = spec.points;
      o.levels = spec.levels;
      o.seed = spec.seed;
      return morris(spec.factors, o);
    }
    case DesignKind::user: return read_design_csv(spec.design_csv.string(), spec.factors);
  }
  throw std::logic_error("unknown design kind");
}

namespace {

constexpr double kZ95 = 1.959963984540054;

// The value, standard error and 95% interval of every output, from one point's runs.
void measure(const StudySpec& spec, const Model& m, const Accumulator& acc, PointResult& out) {
  const double n = static_cast<double>(acc.runs);
  out.value.clear();
  out.se.clear();
  out.lo.clear();
  out.hi.clear();
  auto proportion = [&](std::uint64_t k) {
    const double p = n > 0 ? static_cast<double>(k) / n : 0.0;
    const Interval ci = wilson_interval(k, acc.runs);
    out.value.push_back(p);
    out.se.push_back(n > 1 ? std::sqrt(p * (1 - p) / (n - 1)) : kNaN);
    out.lo.push_back(ci.lo);
    out.hi.push_back(ci.hi);
  };
  auto cumulative = [](const IntHistogram& h, int tick) {
    std::uint64_t k = 0;
    for (int t = 0; t <= tick && t < static_cast<int>(h.counts().size()); ++t)
      k += h.counts()[static_cast<std::size_t>(t)];
    return k;
  };
  const std::size_t stride = static_cast<std::size_t>(m.horizon + 1);
  for (const auto& o : spec.outputs) {
    const int tick = o.by_tick < 0 ? m.horizon : std::min(o.by_tick, m.horizon);
    switch (o.kind) {
      case StudyOutput::Kind::end_state: {
        std::size_t e = 0;
        while (e < m.names.end_states.size() && m.names.end_states[e] != o.target) ++e;
        proportion(cumulative(acc.end_tick[e], tick));  // e == n_end: "ongoing"
        break;
      }
      case StudyOutput::Kind::reached_rung: {
        std::size_t k = 0;
        while (m.names.rungs[k] != o.target) ++k;
        proportion(cumulative(acc.first_arrival[k], tick));
        break;
      }
      case StudyOutput::Kind::indicator_mean:
      case StudyOutput::Kind::indicator_quantile: {
        std::size_t i = 0;
        while (m.names.indicators[i] != o.target) ++i;
        const std::size_t idx = i * stride + static_cast<std::size_t>(m.horizon);
        if (o.kind == StudyOutput::Kind::indicator_mean) {
          const Welford w = acc.moments(idx);
          const double se = n > 1 ? std::sqrt(w.variance() / n) : kNaN;
          out.value.push_back(w.mean);
          out.se.push_back(se);
          out.lo.push_back(w.mean - kZ95 * se);
          out.hi.push_back(w.mean + kZ95 * se);
        } else {
          // Distribution-free interval of a quantile from the ranks n q -+ z sqrt(n q (1 - q)).
          const QuantileSketch& s = acc.ind_sketch[idx];
          const double half = kZ95 * std::sqrt(o.q * (1 - o.q) / std::max(1.0, n));
          const double lo = s.quantile(std::max(0.0, o.q - half));
          const double hi = s.quantile(std::min(1.0, o.q + half));
          out.value.push_back(s.quantile(o.q));
          out.se.push_back((hi - lo) / (2 * kZ95));
          out.lo.push_back(lo);
          out.hi.push_back(hi);
        }
        break;
      }
    }
  }
}

// Why a point's outputs cannot be trusted: an indicator output whose indicator was +-inf or NaN,
// in some run, at or before the tick the output reads (an overflow; docs/model.md, section 14).
// Empty when every such indicator was finite. Its mean or quantile would be inf or NaN, which no
// analysis can use, so the point fails and counts as missing.
std::string non_finite_output(const StudySpec& spec, const Model& m, const Accumulator& acc) {
  for (const auto& o : spec.outputs) {
    if (o.kind != StudyOutput::Kind::indicator_mean && o.kind != StudyOutput::Kind::indicator_quantile)
      continue;
    const int tick = o.by_tick < 0 ? m.horizon : std::min(o.by_tick, m.horizon);
    std::size_t i = 0;
    while (m.names.indicators[i] != o.target) ++i;
    const std::int32_t first = acc.non_finite_first_tick[i];
    if (acc.non_finite_runs[i] == 0 || first > tick) continue;
    return fmt::format(
        "indicator '{}' was not a finite number (+inf, -inf or NaN) in {} of {} runs, first at "
        "tick {}: an effect or rate too large for a double? (bound the state variable with "
        "min/max; docs/model.md, section 14)",
        o.target, acc.non_finite_runs[i], acc.runs, first);
  }
  return {};
}

// The index in `s.parameters` of the parameter named `name`, or s.parameters.size() if none.
std::size_t parameter_index(const Scenario& s, const std::string& name) {
  const Parameter* p = find_parameter(s, name);
  return p ? static_cast<std::size_t>(p - s.parameters.data()) : s.parameters.size();
}

// A design point's value for parameter i: a constant in place of its distribution.
void set_constant(Scenario& s, std::size_t i, double x) {
  s.parameters[i].dist = Distribution{DistKind::constant, {x}, {}, {}};
}

}  // namespace

Evaluator scenario_evaluator(const StudySpec& spec) {
  auto base = std::make_shared<const Scenario>(load_scenario(spec.base_scenario));
  // Every factor names a parameter of the scenario; every output names something in it.
  DiagnosticSink sink;
  std::vector<std::size_t> param_index;
  for (std::size_t f = 0; f < spec.parameters.size(); ++f) {
    const std::size_t i = parameter_index(*base, spec.parameters[f]);
    if (i == base->parameters.size())
      sink.error(spec.factor_where[f], "factors." + spec.factors[f].name,
                 fmt::format("expected the name of a parameter of {} (a declared parameter, or "
                             "the key path of a field holding a number), got '{}'",
                             base->name, spec.parameters[f]),
                 did_you_mean_parameter(*base, spec.parameters[f]));
    param_index.push_back(i);
  }
  const Model probe = compile(*base);
  // A factor on a declared parameter that no field uses (compile's warning) varies nothing.
  for (std::size_t f = 0; f < spec.parameters.size(); ++f) {
    if (param_index[f] == base->parameters.size()) continue;
    const Parameter& p = base->parameters[param_index[f]];
    const bool unused = std::any_of(probe.warnings.begin(), probe.warnings.end(),
                                    [&](const Diagnostic& d) { return d.key_path == p.key_path; });
    if (unused)
      sink.error(spec.factor_where[f], "factors." + spec.factors[f].name,
                 fmt::format("expected a parameter that some field of {} uses, got '{}', which no "
                             "field uses: varying it changes nothing",
                             base->name, spec.parameters[f]),
                 "use the parameter in a field of the scenario, or drop the factor");
  }
  for (const auto& o : spec.outputs) {
    const std::vector<std::string>* names = nullptr;
    std::vector<std::string> ends = probe.names.end_states;
    ends.push_back("ongoing");
    const char* what = "";
    switch (o.kind) {
      case StudyOutput::Kind::end_state: names = &ends; what = "an end state"; break;
      case StudyOutput::Kind::reached_rung: names = &probe.names.rungs; what = "a rung"; break;
      default: names = &probe.names.indicators; what = "an indicator"; break;
    }
    if (std::find(names->begin(), names->end(), o.target) == names->end())
      sink.error(o.where, "outputs." + o.name,
                 fmt::format("expected the name of {} of {}, got '{}'", what, base->name, o.target),
                 did_you_mean(o.target, *names));
  }
  sink.throw_if_any();

  return [spec, base, param_index](std::size_t, std::span<const double> x) {
    PointResult out;
    Scenario s = *base;
    for (std::size_t f = 0; f < param_index.size(); ++f) set_constant(s, param_index[f], x[f]);
    Model m;
    try {
      m = compile(s);
    } catch (const InputError& e) {
      out.ok = false;
      out.error = e.what();
      return out;
    }
    // Sketch only the ticks the study's quantile outputs read (the sketches are the reduction's
    // main cost): every multiple of the gcd of those ticks and the horizon, which includes all of
    // them; with no quantile output, only ticks 0 and the horizon.
    std::int32_t quantile_every = std::max(1, m.horizon);
    for (const auto& o : spec.outputs)
      if (o.kind == StudyOutput::Kind::indicator_quantile)
        quantile_every = std::gcd(quantile_every, o.by_tick < 0 ? m.horizon : std::min(o.by_tick, m.horizon));
    quantile_every = std::max(1, quantile_every);
    Accumulator total(m, quantile_every);
    const std::uint64_t round = spec.runs_per_point;
    const std::uint64_t limit = spec.adaptive ? spec.max_runs : round;
    for (std::uint64_t first = 0; first < limit; first += round) {
      MonteCarloOptions opt;
      opt.master_seed = spec.seed;
      opt.first_run = first;
      opt.runs = std::min(round, limit - first);
      opt.threads = 1;
      opt.block_size = spec.block_size;
      opt.quantile_every = quantile_every;
      total.merge(run_monte_carlo(m, opt));  // rounds in order: deterministic
      measure(spec, m, total, out);
      if (!spec.adaptive) break;
      // Adaptive replication stops once every probability output is known well enough.
      bool narrow = true;
      for (std::size_t k = 0; k < spec.outputs.size(); ++k) {
        const auto kind = spec.outputs[k].kind;
        if (kind != StudyOutput::Kind::end_state && kind != StudyOutput::Kind::reached_rung) continue;
        narrow = narrow && (out.hi[k] - out.lo[k] <= spec.target_width);
      }
      if (narrow) break;
    }
    out.runs = total.runs;
    if (std::string why = non_finite_output(spec, m, total); !why.empty()) {
      out.ok = false;
      out.error = std::move(why);
    }
    return out;
  };
}

// ---------------------------------------------------------------------------------------------
// The store

namespace {

// An error of the store, named by its file: "'DIR/study.sqlite': file is not a database (...)".
std::runtime_error store_error(sqlite3* db, const std::string& what) {
  const char* file = db ? sqlite3_db_filename(db, "main") : nullptr;
  return std::runtime_error(fmt::format(
      "results store '{}': {} (a damaged store, or not one geosim wrote: move it away and run the "
      "sweep again)",
      file && *file ? file : "?", what));
}

class Db {
 public:
  explicit Db(const std::filesystem::path& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) {
      const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw std::runtime_error(fmt::format("cannot open the results store '{}': {}", path.string(), msg));
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  ~Db() { sqlite3_close(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      const std::string msg = err ? err : "?";
      sqlite3_free(err);
      throw store_error(db_, msg);
    }
  }

  class Stmt {
   public:
    Stmt(sqlite3* db, const std::string& sql) : db_(db) {
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s_, nullptr) != SQLITE_OK)
        throw store_error(db, sqlite3_errmsg(db));
    }
    ~Stmt() { sqlite3_finalize(s_); }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    Stmt& bind(int i, double v) {
      if (std::isnan(v)) sqlite3_bind_null(s_, i);
      else sqlite3_bind_double(s_, i, v);
      return *this;
    }
    Stmt& bind(int i, std::int64_t v) {
      sqlite3_bind_int64(s_, i, v);
      return *this;
    }
    Stmt& bind(int i, const std::string& v) {
      sqlite3_bind_text(s_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
      return *this;
    }
    bool step() {
      const int rc = sqlite3_step(s_);
      if (rc == SQLITE_ROW) return true;
      if (rc != SQLITE_DONE) throw store_error(db_, sqlite3_errmsg(db_));
      return false;
    }
    void run() {
      step();
      sqlite3_reset(s_);
      sqlite3_clear_bindings(s_);
    }
    double real(int c) { return sqlite3_column_type(s_, c) == SQLITE_NULL ? kNaN : sqlite3_column_double(s_, c); }
    std::int64_t integer(int c) { return sqlite3_column_int64(s_, c); }
    std::string text(int c) {
      const auto* t = sqlite3_column_text(s_, c);
      return t ? reinterpret_cast<const char*>(t) : "";
    }

   private:
    sqlite3* db_;
    sqlite3_stmt* s_ = nullptr;
  };

  Stmt prepare(const std::string& sql) { return Stmt(db_, sql); }
  // An error of this store, named by its file.
  [[nodiscard]] std::runtime_error error(const std::string& what) const { return store_error(db_, what); }

 private:
  sqlite3* db_ = nullptr;
};

const char* kSchema = R"(
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS factors (factor INTEGER PRIMARY KEY, name TEXT NOT NULL, parameter TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outputs (output INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, target TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS design (point INTEGER NOT NULL, factor INTEGER NOT NULL, unit REAL NOT NULL, value REAL NOT NULL, PRIMARY KEY (point, factor));
CREATE TABLE IF NOT EXISTS status (point INTEGER PRIMARY KEY, state TEXT NOT NULL, runs INTEGER NOT NULL, message TEXT);
CREATE TABLE IF NOT EXISTS results (point INTEGER NOT NULL, output INTEGER NOT NULL, estimate REAL, se REAL, ci_low REAL, ci_high REAL, PRIMARY KEY (point, output));
)";

const char* kind_name(StudyOutput::Kind k) {
  switch (k) {
    case StudyOutput::Kind::end_state: return "end_state";
    case StudyOutput::Kind::reached_rung: return "reached_rung";
    case StudyOutput::Kind::indicator_mean: return "indicator_mean";
    case StudyOutput::Kind::indicator_quantile: return "indicator_quantile";
  }
  return "?";
}

std::string meta_value(Db& db, const std::string& key) {
  auto q = db.prepare("SELECT value FROM meta WHERE key = ?");
  q.bind(1, key);
  return q.step() ? q.text(0) : std::string{};
}

}  // namespace

std::vector<Diagnostic> factor_range_warnings(const StudySpec& spec) {
  const Scenario base = load_scenario(spec.base_scenario);
  std::vector<Diagnostic> out;
  for (std::size_t f = 0; f < spec.parameters.size(); ++f) {
    const Factor& fac = spec.factors[f];
    const std::size_t i = parameter_index(base, spec.parameters[f]);
    if (i == base.parameters.size()) continue;  // scenario_evaluator reports it
    const std::vector<double> ends =
        fac.kind == Factor::Kind::levels ? fac.levels : std::vector<double>{fac.value(0.0), fac.value(1.0)};
    for (const double x : ends) {
      Scenario s = base;
      set_constant(s, i, x);
      try {
        (void)compile(s);
      } catch (const InputError& e) {
        const Diagnostic& d = e.diagnostics().front();
        Diagnostic w;
        w.where = spec.factor_where[f];
        w.key_path = "factors." + fac.name;
        w.message = fmt::format(
            "the scenario refuses part of this range: at {} = {}, {}: {}; the design points "
            "there will fail",
            spec.parameters[f], x, d.key_path, d.message);
        w.hint = "narrow the factor's range to the parameter's domain";
        w.warning = true;
        out.push_back(std::move(w));
        break;
      }
    }
  }
  return out;
}

std::vector<double> point_values(const Design& design, std::size_t point) {
  std::vector<double> x(design.k());
  for (std::size_t f = 0; f < design.k(); ++f)
    x[f] = design.values(static_cast<Eigen::Index>(point), static_cast<Eigen::Index>(f));
  return x;
}

namespace {

// One writer per store: an exclusive lock on STORE.lock, held while the store is open for a sweep
// and released by the kernel however the process ends (kill -9 included). Readers (export,
// analyze, a script watching progress) do not take it.
class WriterLock {
 public:
  explicit WriterLock(const std::filesystem::path& store) {
    const std::string path = store.string() + ".lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0)
      throw std::runtime_error(fmt::format("cannot open the lock file '{}': {}", path, std::strerror(errno)));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      ::close(fd_);
      if (error == EWOULDBLOCK)
        throw std::runtime_error(fmt::format(
            "the results store '{}' is being written by another geosim sweep (still running, or a "
            "rank of an MPI job whose launcher was killed); wait for it to end or stop it, then run "
            "the command again",
            store.string()));
      throw std::runtime_error(fmt::format("cannot lock '{}': {}", path, std::strerror(error)));
    }
  }
  ~WriterLock() { ::close(fd_); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace

struct SweepStore::Impl {
  explicit Impl(const std::filesystem::path& path) : lock(path), db(path) {}
  WriterLock lock;  // taken before the store is touched
  Db db;
  std::size_t points = 0;
};

SweepStore::SweepStore(const StudySpec& spec, const Design& design, const std::filesystem::path& path) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  impl_ = std::make_unique<Impl>(path);
  Db& db = impl_->db;
  impl_->points = design.points();
  db.exec(kSchema);
  const std::string have = meta_value(db, "fingerprint");
  if (!have.empty() && have != spec.fingerprint)
    throw std::runtime_error(fmt::format(
        "the results store '{}' was made by a different study (or the study, its scenario or its "
        "design file changed since); write to a new --out folder, or delete the store to start over",
        path.string()));
  if (have.empty()) {
    db.exec("BEGIN");
    auto meta = db.prepare("INSERT INTO meta (key, value) VALUES (?, ?)");
    const std::map<std::string, std::string> values = {
        {"format", "geosim-study-store/1"},
        {"fingerprint", spec.fingerprint},
        {"study", spec.name},
        {"study_file", spec.file.empty() ? std::string() : std::filesystem::absolute(spec.file).string()},
        {"scenario", spec.base_scenario.string()},
        {"seed", std::to_string(spec.seed)},
        {"runs_per_point", std::to_string(spec.runs_per_point)},
        {"design", std::to_string(static_cast<int>(design.kind))},
        {"points", std::to_string(design.points())}};
    for (const auto& [k, v] : values) meta.bind(1, k).bind(2, v).run();
    auto fac = db.prepare("INSERT INTO factors (factor, name, parameter) VALUES (?, ?, ?)");
    for (std::size_t f = 0; f < spec.factors.size(); ++f)
      fac.bind(1, static_cast<std::int64_t>(f)).bind(2, spec.factors[f].name).bind(3, spec.parameters[f]).run();
    auto out = db.prepare("INSERT INTO outputs (output, name, kind, target) VALUES (?, ?, ?, ?)");
    for (std::size_t o = 0; o < spec.outputs.size(); ++o)
      out.bind(1, static_cast<std::int64_t>(o)).bind(2, spec.outputs[o].name)
          .bind(3, std::string(kind_name(spec.outputs[o].kind))).bind(4, spec.outputs[o].target).run();
    auto des = db.prepare("INSERT INTO design (point, factor, unit, value) VALUES (?, ?, ?, ?)");
    for (std::size_t p = 0; p < design.points(); ++p)
      for (std::size_t f = 0; f < design.k(); ++f)
        des.bind(1, static_cast<std::int64_t>(p)).bind(2, static_cast<std::int64_t>(f))
            .bind(3, design.unit(static_cast<Eigen::Index>(p), static_cast<Eigen::Index>(f)))
            .bind(4, design.values(static_cast<Eigen::Index>(p), static_cast<Eigen::Index>(f))).run();
    db.exec("COMMIT");
  }
}

SweepStore::~SweepStore() = default;

std::vector<std::size_t> SweepStore::remaining() const {
  std::vector<char> done(impl_->points, 0);
  auto q = impl_->db.prepare("SELECT point FROM status");
  while (q.step()) {
    const auto p = static_cast<std::size_t>(q.integer(0));
    if (p < done.size()) done[p] = 1;
  }
  std::vector<std::size_t> remaining;
  for (std::size_t p = 0; p < done.size(); ++p)
    if (!done[p]) remaining.push_back(p);
  return remaining;
}

void SweepStore::record(std::size_t point, const PointResult& r) {
  Db& db = impl_->db;
  const auto p = static_cast<std::int64_t>(point);
  db.exec("BEGIN");
  auto result = db.prepare(
      "INSERT OR REPLACE INTO results (point, output, estimate, se, ci_low, ci_high) VALUES (?, ?, ?, ?, ?, ?)");
  for (std::size_t o = 0; r.ok && o < r.value.size(); ++o)
    result.bind(1, p).bind(2, static_cast<std::int64_t>(o))
        .bind(3, r.value[o]).bind(4, r.se[o]).bind(5, r.lo[o]).bind(6, r.hi[o]).run();
  db.prepare("INSERT INTO status (point, state, runs, message) VALUES (?, ?, ?, ?)")
      .bind(1, p).bind(2, std::string(r.ok ? "done" : "failed"))
      .bind(3, static_cast<std::int64_t>(r.runs)).bind(4, r.error).run();
  db.exec("COMMIT");
}

SweepReport run_sweep(const StudySpec& spec, const Design& design, const Evaluator& evaluate,
                      const std::filesystem::path& store_path, const SweepOptions& options) {
  SweepStore store(spec, design, store_path);
  const std::vector<std::size_t> remaining = store.remaining();

  SweepReport report;
  report.points = design.points();
  report.resumed = design.points() - remaining.size();
  if (options.progress) options.progress(report.resumed, report.points);

  // Workers evaluate points; this thread writes each finished point in its own transaction.
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<std::pair<std::size_t, PointResult>> finished;
  std::atomic<std::size_t> next{0};
  std::atomic<int> running{0};
  std::exception_ptr failure;
  int threads = options.threads > 0 ? options.threads
                                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(threads), std::max<std::size_t>(1, remaining.size())));
  std::vector<std::thread> workers;
  running = threads;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      try {
        for (;;) {
          const std::size_t i = next.fetch_add(1);
          if (i >= remaining.size()) break;
          const std::size_t p = remaining[i];
          PointResult r = evaluate(p, point_values(design, p));
          std::lock_guard lock(mutex);
          finished.emplace_back(p, std::move(r));
          ready.notify_one();
        }
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!failure) failure = std::current_exception();
        next = remaining.size();
      }
      std::lock_guard lock(mutex);
      --running;
      ready.notify_one();
    });
  }

  std::size_t written = 0;
  for (;;) {
    std::pair<std::size_t, PointResult> item;
    {
      std::unique_lock lock(mutex);
      ready.wait(lock, [&] { return !finished.empty() || running == 0; });
      if (finished.empty()) break;
      item = std::move(finished.front());
      finished.pop_front();
    }
    const auto& [p, r] = item;
    store.record(p, r);
    ++written;
    report.runs += r.runs;
    if (!r.ok) report.count_failure(p, r.error);
    if (options.progress) options.progress(report.resumed + written, report.points);
  }
  for (auto& w : workers) w.join();
  if (failure) std::rethrow_exception(failure);
  report.computed = written;
  return report;
}

// ---------------------------------------------------------------------------------------------
// Export and analysis

namespace {

struct StoreContents {
  std::vector<std::string> factors, outputs;
  std::size_t points = 0;
  std::vector<std::string> state;          // per point: done / failed / "" (missing)
  std::vector<std::vector<double>> value;  // [output][point]
  std::vector<std::vector<double>> se, lo, hi;
};

// A point or output number read from the store, checked against how many there are: a damaged or
// hand-edited store must not index past the tables built from it.
std::size_t store_index(Db& db, std::int64_t i, std::size_t n, const char* what) {
  if (i < 0 || static_cast<std::uint64_t>(i) >= n)
    throw db.error(fmt::format("{} {} is out of range (the store has {})", what, i, n));
  return static_cast<std::size_t>(i);
}

StoreContents read_store(Db& db) {
  StoreContents c;
  // An empty value: a sweep stopped before it wrote the store's description (or not a store).
  const std::string points = meta_value(db, "points");
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(points.data(), points.data() + points.size(), n);
  if (points.empty() || ec != std::errc() || end != points.data() + points.size() ||
      n > (std::uint64_t{1} << 40))
    throw db.error(points.empty() ? std::string("it records no number of design points")
                                  : fmt::format("its number of design points is '{}'", points));
  c.points = static_cast<std::size_t>(n);
  for (auto q = db.prepare("SELECT name FROM factors ORDER BY factor"); q.step();) c.factors.push_back(q.text(0));
  for (auto q = db.prepare("SELECT name FROM outputs ORDER BY output"); q.step();) c.outputs.push_back(q.text(0));
  c.state.assign(c.points, "");
  for (auto q = db.prepare("SELECT point, state FROM status"); q.step();)
    c.state[store_index(db, q.integer(0), c.points, "point")] = q.text(1);
  auto blank = std::vector<std::vector<double>>(c.outputs.size(), std::vector<double>(c.points, kNaN));
  c.value = c.se = c.lo = c.hi = blank;
  for (auto q = db.prepare("SELECT point, output, estimate, se, ci_low, ci_high FROM results"); q.step();) {
    const auto p = store_index(db, q.integer(0), c.points, "point");
    const auto o = store_index(db, q.integer(1), c.outputs.size(), "output");
    c.value[o][p] = q.real(2);
    c.se[o][p] = q.real(3);
    c.lo[o][p] = q.real(4);
    c.hi[o][p] = q.real(5);
  }
  return c;
}

std::string g(double x) { return std::isnan(x) ? std::string{} : fmt::format("{}", x); }

void write_atomic(const std::filesystem::path& path, const std::string& content) {
  write_file_atomic(path.string(), content);
}

}  // namespace

void export_store_csv(const std::filesystem::path& store_path, const std::filesystem::path& dir) {
  Db db(store_path);
  const StoreContents c = read_store(db);
  std::string design = "point";
  for (const auto& f : c.factors) design.append(",").append(f);
  design += ",state,runs\n";
  std::vector<std::vector<double>> values(c.points, std::vector<double>(c.factors.size(), kNaN));
  for (auto q = db.prepare("SELECT point, factor, value FROM design"); q.step();)
    values[store_index(db, q.integer(0), c.points, "point")]
          [store_index(db, q.integer(1), c.factors.size(), "factor")] = q.real(2);
  std::vector<std::int64_t> runs(c.points, 0);
  for (auto q = db.prepare("SELECT point, runs FROM status"); q.step();)
    runs[store_index(db, q.integer(0), c.points, "point")] = q.integer(1);
  for (std::size_t p = 0; p < c.points; ++p) {
    design += std::to_string(p);
    for (double v : values[p]) design.append(",").append(g(v));
    design += fmt::format(",{},{}\n", c.state[p].empty() ? "pending" : c.state[p], runs[p]);
  }
  write_atomic(dir / "design.csv", design);
  std::string results = "point,output,estimate,se,ci95_low,ci95_high\n";
  for (std::size_t p = 0; p < c.points; ++p)
    for (std::size_t o = 0; o < c.outputs.size(); ++o)
      if (c.state[p] == "done")
        results += fmt::format("{},{},{},{},{},{}\n", p, c.outputs[o], g(c.value[o][p]), g(c.se[o][p]),
                               g(c.lo[o][p]), g(c.hi[o][p]));
  write_atomic(dir / "results.csv", results);
}

std::string analyze_store(const std::filesystem::path& store_path, const AnalyzeOptions& options) {
  Db db(store_path);
  const StoreContents c = read_store(db);
  const StudySpec spec = load_study(meta_value(db, "study_file"));
  if (spec.fingerprint != meta_value(db, "fingerprint"))
    throw std::runtime_error("the study file (or its scenario) changed since this store was made; "
                             "analyse with the inputs that made it");
  const Design design = make_design(spec);
  if (design.points() != c.points)
    throw db.error(fmt::format("it records {} design points, its study makes {}", c.points,
                               design.points()));
  const auto dir = store_path.parent_path();
  std::size_t missing = 0, failed = 0;
  for (const auto& s : c.state) {
    missing += s.empty() ? 1 : 0;
    failed += s == "failed" ? 1 : 0;
  }
  std::string out = fmt::format("Study {}: {} design points ({} failed, {} not yet run), {} factors, {} outputs\n",
                                spec.name, c.points, failed, missing, c.factors.size(), c.outputs.size());
  if (missing) out += "  The sweep is not finished: run the same 'geosim sweep' command again to complete it.\n";
  if (failed) out += "  Failed points count as missing outputs (NaN): each estimator below says what it dropped.\n";

  if (design.kind == DesignKind::sobol_saltelli) {
    std::string csv = "output,factor,S1,S1_ci95_low,S1_ci95_high,ST,ST_ci95_low,ST_ci95_high,variance,noise_share,base_n,used,dropped\n";
    for (std::size_t o = 0; o < c.outputs.size(); ++o) {
      SobolOptions so;
      so.bootstrap = options.bootstrap;
      // A sweep gives every point the same run indices (common random numbers), so the Monte
      // Carlo errors of different points are positively correlated: the correction for
      // independent noise would over-correct (it drove indices of inert factors below zero).
      // The noise share is still reported, as an upper bound.
      so.correct_noise = false;
      const auto s = sobol_indices(design, c.value[o], c.se[o], so);
      out += fmt::format("\nSobol' indices of {} (N = {}, {} base rows used, {} dropped; Monte Carlo noise is at most {:.1f}% of the variance)\n",
                         c.outputs[o], s.base_n, s.used, s.dropped, 100 * s.noise_share);
      out += fmt::format("  {:<28} {:>8} {:>19} {:>8} {:>19}\n", "factor", "S1", "95% CI", "ST", "95% CI");
      for (std::size_t f = 0; f < s.names.size(); ++f) {
        out += fmt::format("  {:<28} {:>8.3f} [{:>7.3f}, {:>7.3f}] {:>8.3f} [{:>7.3f}, {:>7.3f}]\n", s.names[f],
                           s.first[f], s.first_ci[f].lo, s.first_ci[f].hi, s.total[f], s.total_ci[f].lo,
                           s.total_ci[f].hi);
        csv += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{}\n", c.outputs[o], s.names[f], g(s.first[f]),
                           g(s.first_ci[f].lo), g(s.first_ci[f].hi), g(s.total[f]), g(s.total_ci[f].lo),
                           g(s.total_ci[f].hi), g(s.variance), g(s.noise_share), s.base_n, s.used, s.dropped);
      }
      if (s.noise_share > 0.5) out += "  Warning: most of the variance is Monte Carlo noise; run more replicates per point.\n";
    }
    write_atomic(dir / "sobol.csv", csv);
  } else if (design.kind == DesignKind::morris) {
    std::string csv = "output,factor,mu,mu_star,mu_star_ci95_low,mu_star_ci95_high,sigma,noise_sd,effects\n";
    for (std::size_t o = 0; o < c.outputs.size(); ++o) {
      MorrisOptions mo;
      mo.bootstrap = options.bootstrap;
      const auto m = morris_indices(design, c.value[o], c.se[o], mo);
      out += fmt::format("\nMorris elementary effects of {} ({} effects dropped)\n", c.outputs[o], m.dropped);
      out += fmt::format("  {:<28} {:>10} {:>10} {:>10} {:>10}\n", "factor", "mu*", "mu", "sigma", "noise sd");
      for (std::size_t f = 0; f < m.names.size(); ++f) {
        out += fmt::format("  {:<28} {:>10.4g} {:>10.4g} {:>10.4g} {:>10.4g}\n", m.names[f], m.mu_star[f], m.mu[f],
                           m.sigma[f], m.noise_sd[f]);
        csv += fmt::format("{},{},{},{},{},{},{},{},{}\n", c.outputs[o], m.names[f], g(m.mu[f]), g(m.mu_star[f]),
                           g(m.mu_star_ci[f].lo), g(m.mu_star_ci[f].hi), g(m.sigma[f]), g(m.noise_sd[f]),
                           m.effects[f]);
      }
    }
    write_atomic(dir / "morris.csv", csv);
  } else {
    out += "\nSensitivity indices need a Sobol' or Morris design; this study's design supports scenario discovery (PRIM).\n";
  }

  if (!options.prim_output.empty()) {
    const auto it = std::find(c.outputs.begin(), c.outputs.end(), options.prim_output);
    if (it == c.outputs.end())
    {
      std::string why = fmt::format("the outputs are: {}", fmt::join(c.outputs, ", "));
      const std::string hint = did_you_mean(options.prim_output, c.outputs);
      if (!hint.empty()) {
        why[0] = 'T';
        why = hint + " " + why;
      }
      throw std::invalid_argument(
          fmt::format("--prim: no output '{}' in this study ({})", options.prim_output, why));
    }
    const std::size_t o = static_cast<std::size_t>(it - c.outputs.begin());
    const auto r = prim(design.values, c.value[o], options.prim_threshold, {}, design.names(), c.lo[o], c.hi[o]);
    const std::size_t pick = prim_select(r, options.prim_min_density);
    out += fmt::format("\nPRIM: where is {} above {}? ({} points, {} of interest, {} dropped)\n", options.prim_output,
                       options.prim_threshold, r.n, r.n_interest, r.dropped);
    std::string csv = "step,coverage,density,mass,coverage_conservative,density_conservative,coverage_liberal,density_liberal,restricted\n";
    for (std::size_t k = 0; k < r.trajectory.size(); ++k) {
      const auto& b = r.trajectory[k];
      std::string lims;
      for (const auto& l : b.restricted) lims += fmt::format("{}{} in [{:.4g}, {:.4g}]", lims.empty() ? "" : "; ", l.name, l.lo, l.hi);
      csv += fmt::format("{},{},{},{},{},{},{},{},\"{}\"\n", k, g(b.coverage), g(b.density), g(b.mass),
                         g(b.coverage_conservative), g(b.density_conservative), g(b.coverage_liberal),
                         g(b.density_liberal), lims);
    }
    write_atomic(dir / "prim.csv", csv);
    if (r.n_interest == 0) {
      // Nothing to explain: say where the output lies, so that a threshold can be chosen.
      double lo = HUGE_VAL, hi = -HUGE_VAL;
      for (const double v : c.value[o])
        if (!std::isnan(v)) lo = std::min(lo, v), hi = std::max(hi, v);
      out += fmt::format("  No point has {} above {}: nothing to explain. Across the points it runs "
                         "from {:.4g} to {:.4g}; choose a --threshold inside that range.\n",
                         options.prim_output, options.prim_threshold, lo, hi);
    } else if (pick >= r.trajectory.size()) {
      out += fmt::format("  No box reaches density {}; see prim.csv for the whole peeling trajectory.\n", options.prim_min_density);
    } else {
      const auto& b = r.trajectory[pick];
      out += fmt::format("  Box (step {}): coverage {:.1f}%, density {:.1f}% (with the Monte Carlo intervals: density {:.1f}% to {:.1f}%), mass {:.1f}%\n",
                         pick, 100 * b.coverage, 100 * b.density, 100 * b.density_conservative,
                         100 * b.density_liberal, 100 * b.mass);
      for (const auto& l : b.restricted)
        out += fmt::format("    {:<28} in [{:.4g}, {:.4g}]   (quasi-p {:.3g})\n", l.name, l.lo, l.hi, l.quasi_p);
    }
  }
  return out;
}

}  // namespace geosim::study
