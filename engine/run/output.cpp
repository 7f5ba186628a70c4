// Summary -> JSON, tidy CSV and terminal text. Formats are documented in docs/output-format.md.
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <unistd.h>

#include <fmt/format.h>

#include "run/readable.h"
#include <nlohmann/json.hpp>

#include "geosim/summary.h"

namespace geosim {

namespace {

nlohmann::ordered_json num(double x) {
  if (std::isnan(x)) return nullptr;
  return x;
}

nlohmann::ordered_json outcome_json(const OutcomeProbability& o) {
  return {{"count", o.count}, {"p", o.p}, {"ci95", {o.ci.lo, o.ci.hi}}};
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Shortest text that reads back to the same double (as JSON writes it).
std::string g(double x) {
  if (std::isnan(x)) return "";
  return fmt::format("{}", x);
}

}  // namespace

std::string summary_to_json(const Summary& s) {
  nlohmann::ordered_json j;
  j["format"] = "geosim-summary/1";
  j["scenario"] = s.scenario;
  j["master_seed"] = s.master_seed;
  j["runs"] = s.runs;
  j["block_size"] = s.block_size;
  j["quantile_every"] = s.quantile_every;
  j["horizon_ticks"] = s.horizon;
  j["tick_days"] = s.tick_days;
  j["actor_decisions"] = s.decisions;
  auto& ends = j["end_states"] = nlohmann::ordered_json::array();
  for (std::size_t e = 0; e < s.end_states.size(); ++e) {
    nlohmann::ordered_json o;
    o["name"] = s.end_states[e].name;
    o.update(outcome_json(s.end_states[e]));
    o["median_end_tick"] = s.end_state_median_tick[e];
    ends.push_back(o);
  }
  auto& rungs = j["rungs"] = nlohmann::ordered_json::array();
  for (const auto& r : s.rungs) {
    nlohmann::ordered_json o;
    o["name"] = r.name;
    o["reached"] = outcome_json(r.reached);
    o["highest"] = outcome_json(r.highest);
    o["first_tick"] = {{"p05", r.first_tick_p05}, {"p50", r.first_tick_p50}, {"p95", r.first_tick_p95}};
    o["p_reached_by_tick"] = r.reached_by_tick;
    rungs.push_back(o);
  }
  auto& inds = j["indicators"] = nlohmann::ordered_json::array();
  for (const auto& ind : s.indicators) {
    nlohmann::ordered_json o;
    o["name"] = ind.name;
    o["unit"] = ind.unit;
    o["non_finite_runs"] = ind.non_finite_runs;
    o["first_non_finite_tick"] = ind.first_non_finite_tick;
    const auto& h = ind.by_tick.back();
    o["at_horizon"] = {{"mean", num(h.mean)}, {"sd", num(h.sd)}, {"p05", num(h.p05)},
                       {"p50", num(h.p50)},   {"p95", num(h.p95)}};
    nlohmann::ordered_json bt;
    for (const char* k : {"mean", "sd", "p05", "p50", "p95"}) bt[k] = nlohmann::ordered_json::array();
    for (const auto& t : ind.by_tick) {
      bt["mean"].push_back(num(t.mean));
      bt["sd"].push_back(num(t.sd));
      bt["p05"].push_back(num(t.p05));
      bt["p50"].push_back(num(t.p50));
      bt["p95"].push_back(num(t.p95));
    }
    o["by_tick"] = bt;
    inds.push_back(o);
  }
  return j.dump(1) + "\n";
}

namespace {

std::string describe(const std::error_code& ec) { return ec ? ec.message() : "unknown error"; }

// Creates `dir` (and its parents) unless it is already a folder; names `what` and `shown` in the
// error.
void make_folder(const std::string& what, const std::filesystem::path& dir, const std::string& shown) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return;
  if (fs::exists(dir, ec))
    throw std::runtime_error(fmt::format("{}: cannot write into '{}': '{}' is a file, not a folder",
                                         what, shown, dir.string()));
  fs::create_directories(dir, ec);
  if (ec)
    throw std::runtime_error(fmt::format("{}: cannot create the folder '{}' for '{}': {}", what,
                                         dir.string(), shown, describe(ec)));
}

// Opens and removes a temporary file in `dir`: the rename of an atomic write will work there.
void try_writing_in(const std::string& what, const std::filesystem::path& dir, const std::string& shown) {
  const auto probe = dir / fmt::format(".geosim-probe.{}", ::getpid());
  {
    std::ofstream out(probe, std::ios::binary | std::ios::trunc);
    if (!out) {
      const int err = errno;
      throw std::runtime_error(fmt::format("{}: cannot write '{}': {}", what, shown,
                                           err ? std::strerror(err) : "cannot create a file there"));
    }
  }
  std::error_code ec;
  std::filesystem::remove(probe, ec);
}

std::filesystem::path parent_of(const std::filesystem::path& p) {
  return p.has_parent_path() ? p.parent_path() : std::filesystem::path(".");
}

// An existing output that is neither a regular file nor a folder: a device (/dev/stdout,
// /dev/null), a pipe or a socket. It is written in place: renaming a finished file over it, as
// for a regular file, would replace the device or pipe with a file.
bool is_special_file(const std::filesystem::path& target) {
  std::error_code ec;
  const auto st = std::filesystem::status(target, ec);  // through symlinks
  return !ec && std::filesystem::exists(st) && !std::filesystem::is_regular_file(st) &&
         !std::filesystem::is_directory(st);
}

// Where a regular output really goes: through symlinks (followed here, up to 40 deep, even when
// the file they point to does not exist yet), so that a link stays a link. Not for special files:
// /dev/stdout's link into /proc names no path.
std::filesystem::path real_target(const std::filesystem::path& target) {
  namespace fs = std::filesystem;
  fs::path p = target;
  std::error_code ec;
  for (int depth = 0; depth < 40 && fs::is_symlink(fs::symlink_status(p, ec)); ++depth) {
    const fs::path to = fs::read_symlink(p, ec);
    if (ec) break;
    p = to.is_absolute() ? to : parent_of(p) / to;
  }
  return p;
}

}  // namespace

void check_output_file(const std::string& what, const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty()) throw std::runtime_error(fmt::format("{}: expected a file name, got ''", what));
  if (is_special_file(path)) {
    if (::access(path.c_str(), W_OK) != 0)
      throw std::runtime_error(
          fmt::format("{}: cannot write '{}': {}", what, path, std::strerror(errno)));
    return;
  }
  const fs::path target = real_target(path);
  std::error_code ec;
  if (fs::is_directory(target, ec))
    throw std::runtime_error(
        fmt::format("{}: cannot write '{}': it is a folder (give a file name)", what, path));
  make_folder(what, parent_of(target), path);
  try_writing_in(what, parent_of(target), path);
}

void check_output_dir(const std::string& what, const std::string& dir) {
  if (dir.empty()) throw std::runtime_error(fmt::format("{}: expected a folder name, got ''", what));
  make_folder(what, dir, dir);
  try_writing_in(what, dir, dir);
}

void write_file_atomic(const std::string& path, const std::string& content) {
  namespace fs = std::filesystem;
  if (is_special_file(path)) {
    errno = 0;  // so that a failure below names its own cause
    std::ofstream out(path, std::ios::binary);
    if (out) {
      out.write(content.data(), static_cast<std::streamsize>(content.size()));
      out.flush();
    }
    if (!out)
      throw std::runtime_error(fmt::format("cannot write '{}': {}", path,
                                           errno ? std::strerror(errno) : "write failed"));
    return;
  }
  const fs::path target = real_target(path);
  const fs::path dir = parent_of(target);
  {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) fs::create_directories(dir, ec);
  }
  const fs::path tmp = dir / fmt::format(".{}.tmp.{}", target.filename().string(), ::getpid());
  const auto fail = [&](const std::string& why) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw std::runtime_error(fmt::format("cannot write '{}': {}", path, why));
  };
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) fail(errno ? std::strerror(errno) : "cannot create a file there");
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) fail(errno ? std::strerror(errno) : "write failed");
  }
  std::error_code ec;
  if (fs::is_directory(target, ec)) fail("it is a folder");
  fs::rename(tmp, target, ec);
  if (ec) fail(describe(ec));
}

void write_summary_csv(const Summary& s, const std::string& dir) {
  make_folder("--csv", dir, dir);
  const auto path = [&](const char* f) { return (std::filesystem::path(dir) / f).string(); };

  std::string outcomes = "scenario,kind,outcome,count,runs,probability,ci95_low,ci95_high\n";
  auto row = [&](const char* kind, const OutcomeProbability& o) {
    outcomes += fmt::format("{},{},{},{},{},{},{},{}\n", csv_field(s.scenario), kind,
                            csv_field(o.name), o.count, s.runs, g(o.p), g(o.ci.lo), g(o.ci.hi));
  };
  for (const auto& e : s.end_states) row("end_state", e);
  for (const auto& r : s.rungs) row("highest_rung", r.highest);
  for (const auto& r : s.rungs) row("reached_rung", r.reached);
  write_file_atomic(path("outcomes.csv"), outcomes);

  std::string rungs =
      "scenario,rung_index,rung,p_reached,ci95_low,ci95_high,first_tick_p05,first_tick_p50,"
      "first_tick_p95\n";
  for (std::size_t k = 0; k < s.rungs.size(); ++k) {
    const auto& r = s.rungs[k];
    auto t = [](int x) { return x < 0 ? std::string{} : std::to_string(x); };
    rungs += fmt::format("{},{},{},{},{},{},{},{},{}\n", csv_field(s.scenario), k, r.name,
                         g(r.reached.p), g(r.reached.ci.lo), g(r.reached.ci.hi),
                         t(r.first_tick_p05), t(r.first_tick_p50), t(r.first_tick_p95));
  }
  write_file_atomic(path("rungs.csv"), rungs);

  std::string by_tick = "scenario,rung,tick,day,p_reached\n";
  for (const auto& r : s.rungs)
    for (std::size_t t = 0; t < r.reached_by_tick.size(); ++t)
      by_tick += fmt::format("{},{},{},{},{}\n", csv_field(s.scenario), r.name, t,
                             static_cast<long>(t) * s.tick_days, g(r.reached_by_tick[t]));
  write_file_atomic(path("rung_by_tick.csv"), by_tick);

  std::string inds = "scenario,indicator,unit,tick,day,mean,sd,p05,p50,p95\n";
  for (const auto& ind : s.indicators)
    for (std::size_t t = 0; t < ind.by_tick.size(); ++t) {
      const auto& v = ind.by_tick[t];
      inds += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", csv_field(s.scenario), ind.name,
                          csv_field(ind.unit), t, static_cast<long>(t) * s.tick_days, g(v.mean),
                          g(v.sd), g(v.p05), g(v.p50), g(v.p95));
    }
  write_file_atomic(path("indicators.csv"), inds);
}

std::string summary_to_text(const Summary& s) {
  std::string out;
  out += fmt::format("Scenario {}: {} runs, seed {}, horizon {} ticks of {} days\n\n", s.scenario,
                     detail::readable(static_cast<double>(s.runs), 15), s.master_seed, s.horizon,
                     s.tick_days);
  // Weekly and daily scenarios say "week" and "day", as the story does.
  const std::string tick = s.tick_days == 7 ? "week" : s.tick_days == 1 ? "day" : "tick";
  out += fmt::format("How the runs ended (probability, 95% Wilson interval, median {} of ending):\n",
                     tick);
  for (std::size_t e = 0; e < s.end_states.size(); ++e) {
    const auto& o = s.end_states[e];
    out += fmt::format("  {:<32} {:7.2f}%  [{:6.2f}%, {:6.2f}%]  {} {}\n", o.name, 100 * o.p,
                       100 * o.ci.lo, 100 * o.ci.hi, tick,
                       o.count ? fmt::format("{:g}", s.end_state_median_tick[e]) : "-");
  }
  out += fmt::format("\nEscalation ladder (P reached with 95% interval; P it was the highest rung; "
                     "first {} reached p5/p50/p95):\n",
                     tick);
  for (const auto& r : s.rungs) {
    out += fmt::format("  {:<32} {:7.2f}%  [{:6.2f}%, {:6.2f}%]  highest {:6.2f}%  ", r.name,
                       100 * r.reached.p, 100 * r.reached.ci.lo, 100 * r.reached.ci.hi,
                       100 * r.highest.p);
    if (r.reached.count)
      out += fmt::format("first {} {}/{}/{}\n", tick, r.first_tick_p05, r.first_tick_p50,
                         r.first_tick_p95);
    else
      out += "never reached\n";
  }
  out += "\nIndicators at the horizon (mean; 5%, 50%, 95% quantiles, within 0.5%):\n";
  for (const auto& ind : s.indicators) {
    const auto& h = ind.by_tick.back();
    out += fmt::format("  {:<32} mean {:>12}  p05 {:>11}  p50 {:>11}  p95 {:>11}  {}\n", ind.name,
                       detail::readable(h.mean, 4), detail::readable(h.p05, 3),
                       detail::readable(h.p50, 3), detail::readable(h.p95, 3), ind.unit);
    if (ind.non_finite_runs > 0)
      out += fmt::format("  {:<32} (not a finite number in {} of {} runs, from {} {}: see the "
                         "warning)\n",
                         "", ind.non_finite_runs, s.runs, tick, ind.first_non_finite_tick);
  }
  return out;
}

std::vector<std::string> non_finite_warnings(const Summary& s) {
  std::vector<std::string> out;
  for (const auto& ind : s.indicators) {
    if (ind.non_finite_runs == 0) continue;
    const auto t = static_cast<long>(ind.first_non_finite_tick);
    out.push_back(fmt::format(
        "geosim: warning: indicator '{}' was not a finite number (+inf, -inf or NaN) in {} of {} "
        "runs, first at tick {} (day {}): an effect or rate too large for a double? Its mean, sd "
        "and quantiles are not meaningful from then on (JSON: null). Give the state variable "
        "bounds (min/max) or smaller numbers (docs/model.md, section 14)",
        ind.name, ind.non_finite_runs, s.runs, t, t * s.tick_days));
  }
  for (const auto& ind : s.indicators) {
    // One warning an indicator: the values' own, when some were not finite, says enough.
    if (ind.first_overflowed_moments_tick < 0 || ind.non_finite_runs > 0) continue;
    const auto t = static_cast<long>(ind.first_overflowed_moments_tick);
    out.push_back(fmt::format(
        "geosim: warning: indicator '{}' has values so large that its mean or sd overflows a double "
        "from tick {} (day {}) on, though every value is finite: an effect or rate too large? Its "
        "quantiles still hold (docs/model.md, section 14)",
        ind.name, t, t * s.tick_days));
  }
  return out;
}

}  // namespace geosim
