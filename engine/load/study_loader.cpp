// Reads a study file (the YAML that says which parameters vary, how, and what to measure).
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "geosim/rng.h"
#include "geosim/sweep.h"
#include "load/yaml_tree.h"

namespace geosim::study {

namespace {

using load::DocNode;

class StudyReader {
 public:
  StudyReader(StudySpec& spec, DiagnosticSink& sink) : s_(spec), sink_(sink) {}

  void read(const DocNode& root);

 private:
  StudySpec& s_;
  DiagnosticSink& sink_;

  void error(const Location& w, const std::string& path, std::string msg, std::string hint = {}) {
    sink_.error(w, path, std::move(msg), std::move(hint));
  }

  void check_keys(const DocNode& map, const std::string& path,
                  const std::vector<std::string>& allowed) {
    load::report_unknown_keys(map, path, allowed, sink_);
  }

  bool number(const DocNode& n, const std::string& path, double& out) {
    if (n.is_scalar() && !n.quoted) {
      const char* b = n.scalar.data();
      const char* e = b + n.scalar.size();
      if (b != e && *b == '+') ++b;
      auto [p, ec] = std::from_chars(b, e, out);
      if (ec == std::errc() && p == e && std::isfinite(out)) return true;
    }
    error(n.where, path, fmt::format("expected a finite number, got {}", load::describe(n)));
    return false;
  }

  bool whole(const DocNode& map, const std::string& key, const std::string& path,
             std::uint64_t& out, std::uint64_t lo, std::uint64_t hi) {
    const DocNode* n = map.find(key);
    if (!n) return false;
    const std::string p = path.empty() ? key : path + "." + key;
    std::uint64_t v = 0;
    bool ok = n->is_scalar() && !n->quoted;
    if (ok) {
      auto [ptr, ec] = std::from_chars(n->scalar.data(), n->scalar.data() + n->scalar.size(), v);
      ok = ec == std::errc() && ptr == n->scalar.data() + n->scalar.size();
    }
    if (!ok || v < lo || v > hi) {
      error(n->where, p, fmt::format("expected a whole number in [{}, {}], got {}", lo, hi,
                                     load::describe(*n)));
      return false;
    }
    out = v;
    return true;
  }

  std::string text(const DocNode& map, const std::string& key, const std::string& path,
                   bool required) {
    const DocNode* n = map.find(key);
    const std::string p = path.empty() ? key : path + "." + key;
    if (!n) {
      if (required) error(map.where, p, "missing required key (expected a text value)");
      return {};
    }
    if (!n->is_scalar()) {
      error(n->where, p, fmt::format("expected a text value, got {}", load::describe(*n)));
      return {};
    }
    return n->scalar;
  }

  void read_design(const DocNode& n) {
    if (!n.is_map()) {
      error(n.where, "design", fmt::format("expected a mapping {{kind: ..., ...}}, got {}", load::describe(n)));
      return;
    }
    check_keys(n, "design", {"kind", "points", "base_points", "levels", "trajectories", "file"});
    const std::string kind = text(n, "kind", "design", true);
    static const std::vector<std::string> kinds = {"grid", "lhs", "sobol", "morris", "csv"};
    std::uint64_t v = 0;
    if (kind == "grid") {
      s_.design = DesignKind::grid;
      if (whole(n, "levels", "design", v, 1, 1000)) s_.levels = static_cast<int>(v);
    } else if (kind == "lhs") {
      s_.design = DesignKind::latin_hypercube;
      if (whole(n, "points", "design", v, 2, 10'000'000)) s_.points = v;
      else if (!n.find("points")) error(n.where, "design.points", "missing required key (expected the number of points)");
    } else if (kind == "sobol") {
      s_.design = DesignKind::sobol_saltelli;
      if (whole(n, "base_points", "design", v, 2, 1u << 24)) {
        if ((v & (v - 1)) != 0) {
          std::uint64_t below = 1;
          while (below * 2 <= v) below *= 2;
          error(n.find("base_points")->where, "design.base_points",
                fmt::format("expected a power of two (the Sobol' sequence is balanced only over "
                            "2^m points), got {}",
                            v),
                fmt::format("use {} or {}", below, below * 2));
        }
        s_.points = v;
      } else if (!n.find("base_points")) {
        error(n.where, "design.base_points", "missing required key (expected N, a power of two)");
      }
    } else if (kind == "morris") {
      s_.design = DesignKind::morris;
      s_.points = 10;
      if (whole(n, "trajectories", "design", v, 2, 100000)) s_.points = v;
      if (whole(n, "levels", "design", v, 2, 100)) s_.levels = static_cast<int>(v);
      if (s_.levels % 2 != 0) error(n.where, "design.levels", fmt::format("expected an even number of Morris levels, got {}", s_.levels));
    } else if (kind == "csv") {
      s_.design = DesignKind::user;
      const std::string f = text(n, "file", "design", true);
      if (!f.empty()) s_.design_csv = s_.file.parent_path() / f;
    } else if (!kind.empty()) {
      std::string hint = did_you_mean(kind, kinds);
      if (hint.empty()) hint = "one of: grid, lhs, sobol, morris, csv";
      error(n.find("kind")->where, "design.kind", fmt::format("expected a design kind, got '{}'", kind), hint);
    }
  }

  // The number of design points the design and the factors make together, against a limit a
  // laptop's memory holds (the design matrix is points x factors numbers, and every point is a
  // Monte Carlo of runs_per_point runs): said at the key that sets the size, not as an
  // allocation failure when the design is built.
  void check_design_size(const DocNode& n) {
    constexpr double kMaxPoints = 10'000'000;
    const auto k = static_cast<double>(s_.factors.size());
    if (k == 0) return;
    double points = 0;
    std::string key, how, hint;
    if (s_.design == DesignKind::sobol_saltelli) {
      points = static_cast<double>(s_.points) * (k + 2);
      key = "base_points";
      how = fmt::format("N x (factors + 2) = {} x {}", s_.points, s_.factors.size() + 2);
      hint = "a smaller N: 256 to 4,096 is usual for Sobol' indices";
    } else if (s_.design == DesignKind::morris) {
      points = static_cast<double>(s_.points) * (k + 1);
      key = "trajectories";
      how = fmt::format("r x (factors + 1) = {} x {}", s_.points, s_.factors.size() + 1);
      hint = "fewer trajectories: 10 to 50 is usual for Morris screening";
    } else if (s_.design == DesignKind::grid) {
      points = 1;
      for (const Factor& f : s_.factors)
        points *= f.kind == Factor::Kind::levels ? static_cast<double>(f.levels.size())
                                                 : static_cast<double>(s_.levels);
      key = "levels";
      how = fmt::format("the product of every factor's levels ({} factors)", s_.factors.size());
      hint = "fewer levels or factors, or a sampling design (lhs, sobol)";
    } else {
      return;
    }
    if (points <= kMaxPoints) return;
    const DocNode* at = n.find(key);
    error(at ? at->where : n.where, "design." + key,
          fmt::format("expected a design of at most 10,000,000 points, got {}: {:.3g} points",
                      how, points),
          hint);
  }

  void read_factor(const load::MapEntry& e) {
    const std::string p = "factors." + e.key;
    const DocNode& n = e.value;
    if (!n.is_map()) {
      error(n.where, p, fmt::format("expected a mapping such as {{low: 0, high: 1}}, got {}", load::describe(n)));
      return;
    }
    check_keys(n, p, {"parameter", "low", "high", "levels", "normal", "lognormal", "triangular", "beta"});
    std::string param = text(n, "parameter", p, false);
    if (param.empty()) param = e.key;
    Factor f;
    try {
      double lo = 0, hi = 0;
      if (n.find("low") || n.find("high")) {
        if (!n.find("low") || !n.find("high")) {
          error(n.where, p, "expected both 'low' and 'high'");
          return;
        }
        if (!number(*n.find("low"), p + ".low", lo) || !number(*n.find("high"), p + ".high", hi)) return;
        if (!(lo < hi)) {
          error(n.find("high")->where, p + ".high", fmt::format("expected high > low, got low = {} and high = {}", lo, hi));
          return;
        }
        f = Factor::uniform(e.key, lo, hi);
      } else if (const DocNode* lv = n.find("levels")) {
        std::vector<double> levels;
        if (!lv->is_seq() || lv->seq.empty()) {
          error(lv->where, p + ".levels", fmt::format("expected a non-empty list of numbers, got {}", load::describe(*lv)));
          return;
        }
        for (std::size_t i = 0; i < lv->seq.size(); ++i) {
          double x = 0;
          if (!number(lv->seq[i], fmt::format("{}.levels[{}]", p, i), x)) return;
          levels.push_back(x);
        }
        f = Factor::discrete(e.key, levels);
      } else {
        auto args = [&](const char* kind, std::vector<std::string> names, std::vector<double>& out) {
          const DocNode* d = n.find(kind);
          if (!d) return false;
          const std::string dp = p + "." + kind;
          if (!d->is_map()) {
            error(d->where, dp, fmt::format("expected a mapping of {}, got {}", fmt::join(names, ", "), load::describe(*d)));
            return true;
          }
          check_keys(*d, dp, names);
          for (const auto& a : names) {
            const DocNode* x = d->find(a);
            double v = 0;
            if (!x) {
              error(d->where, dp + "." + a, "missing required key (expected a number)");
              return true;
            }
            if (!number(*x, dp + "." + a, v)) return true;
            out.push_back(v);
          }
          return true;
        };
        std::vector<double> a;
        if (args("normal", {"mean", "sd"}, a)) {
          if (a.size() == 2) f = Factor::normal(e.key, a[0], a[1]);
        } else if (args("lognormal", {"mu", "sigma"}, a)) {
          if (a.size() == 2) f = Factor::lognormal(e.key, a[0], a[1]);
        } else if (args("triangular", {"low", "mode", "high"}, a)) {
          if (a.size() == 3) f = Factor::triangular(e.key, a[0], a[1], a[2]);
        } else if (args("beta", {"alpha", "beta"}, a)) {
          if (a.size() == 2) f = Factor::beta(e.key, a[0], a[1]);
        } else {
          error(n.where, p, "expected a range (low, high), levels, or a distribution (normal, lognormal, triangular, beta)");
          return;
        }
        if (a.empty()) return;
      }
      f.validate();
    } catch (const std::invalid_argument& ex) {
      error(n.where, p, ex.what());
      return;
    }
    s_.factors.push_back(f);
    s_.parameters.push_back(param);
    // Where the parameter's name is written: the value of `parameter:`, else the factor's key.
    const DocNode* named = n.find("parameter");
    s_.factor_where.push_back(named ? named->where : e.key_where);
  }

  void read_output(const load::MapEntry& e) {
    const std::string p = "outputs." + e.key;
    const DocNode& n = e.value;
    if (!n.is_map()) {
      error(n.where, p, fmt::format("expected a mapping such as {{end_state: ceasefire}}, got {}", load::describe(n)));
      return;
    }
    check_keys(n, p, {"end_state", "reached_rung", "indicator", "stat", "by_tick"});
    StudyOutput o;
    o.name = e.key;
    o.where = e.key_where;
    int kinds = 0;
    // The target's name is located at its value, where an unknown name is reported.
    auto target = [&](const char* key) {
      ++kinds;
      o.where = n.find(key)->where;
      return text(n, key, p, true);
    };
    if (n.find("end_state")) {
      o.kind = StudyOutput::Kind::end_state;
      o.target = target("end_state");
    }
    if (n.find("reached_rung")) {
      o.kind = StudyOutput::Kind::reached_rung;
      o.target = target("reached_rung");
    }
    if (n.find("indicator")) {
      o.kind = StudyOutput::Kind::indicator_mean;
      o.target = target("indicator");
      const std::string stat = text(n, "stat", p, false);
      if (!stat.empty() && stat != "mean") {
        double q = 0;
        if (stat.size() == 3 && stat[0] == 'p' && std::isdigit(static_cast<unsigned char>(stat[1])) &&
            std::isdigit(static_cast<unsigned char>(stat[2]))) {
          q = (stat[1] - '0') * 0.1 + (stat[2] - '0') * 0.01;
          o.kind = StudyOutput::Kind::indicator_quantile;
          o.q = q;
        } else {
          error(n.find("stat")->where, p + ".stat", fmt::format("expected 'mean' or a percentile such as p05, p50, p95, got '{}'", stat));
        }
      }
    }
    if (kinds != 1)
      error(n.where, p, fmt::format("expected exactly one of end_state, reached_rung, indicator, got {}", kinds));
    if (n.find("by_tick")) {
      std::uint64_t t = 0;
      if (whole(n, "by_tick", p, t, 0, 100000)) o.by_tick = static_cast<int>(t);
      if (o.kind == StudyOutput::Kind::indicator_mean || o.kind == StudyOutput::Kind::indicator_quantile)
        error(n.find("by_tick")->where, p + ".by_tick", "by_tick applies to end_state and reached_rung outputs; indicators are taken at the horizon");
    }
    s_.outputs.push_back(o);
  }
};

void StudyReader::read(const DocNode& root) {
  if (!root.is_map()) {
    if (sink_.empty())
      error(root.where, "", fmt::format("expected a study mapping, got {}", load::describe(root)));
    return;
  }
  check_keys(root, "", {"study", "name", "description", "scenario", "seed", "runs_per_point",
                        "block_size", "design", "factors", "outputs", "adaptive"});
  std::uint64_t v = 0;
  if (root.find("study") && whole(root, "study", "", v, 1, 1)) {
  }
  s_.name = text(root, "name", "", true);
  const std::string scen = text(root, "scenario", "", true);
  if (!scen.empty()) {
    s_.base_scenario = (s_.file.parent_path() / scen).lexically_normal();
    std::error_code ec;
    if (!std::filesystem::exists(s_.base_scenario, ec))
      error(root.find("scenario")->where, "scenario",
            fmt::format("expected an existing scenario file, got '{}' (looked for '{}')", scen,
                        std::filesystem::absolute(s_.base_scenario, ec).lexically_normal().string()),
            load::did_you_mean_file(s_.base_scenario, scen));
  }
  if (whole(root, "seed", "", v, 0, UINT64_MAX)) s_.seed = v;
  if (whole(root, "runs_per_point", "", v, 1, 100'000'000)) s_.runs_per_point = v;
  if (whole(root, "block_size", "", v, 1, 1 << 20)) s_.block_size = static_cast<std::int32_t>(v);
  if (const DocNode* d = root.find("design")) read_design(*d);
  else error(root.where, "design", "missing required key (expected {kind: grid|lhs|sobol|morris|csv, ...})");
  if (const DocNode* f = root.find("factors"); f && f->is_map() && !f->map.empty()) {
    for (const auto& e : f->map) read_factor(e);
  } else {
    error(f ? f->where : root.where, "factors", "expected a non-empty mapping of factors (parameter name: {low, high} ...)");
  }
  if (const DocNode* d = root.find("design"); d && d->is_map()) check_design_size(*d);
  if (const DocNode* o = root.find("outputs"); o && o->is_map() && !o->map.empty()) {
    for (const auto& e : o->map) read_output(e);
  } else {
    error(o ? o->where : root.where, "outputs", "expected a non-empty mapping of outputs (name: {end_state: ...} ...)");
  }
  if (const DocNode* a = root.find("adaptive")) {
    if (!a->is_map()) {
      error(a->where, "adaptive", fmt::format("expected {{target_width: 0.02, max_runs: 10000}}, got {}", load::describe(*a)));
    } else {
      check_keys(*a, "adaptive", {"target_width", "max_runs"});
      s_.adaptive = true;
      if (const DocNode* w = a->find("target_width"); w && number(*w, "adaptive.target_width", s_.target_width)) {
        if (!(s_.target_width > 0 && s_.target_width < 1))
          error(w->where, "adaptive.target_width", fmt::format("expected a width in (0, 1), got {}", s_.target_width));
      } else if (!w) {
        error(a->where, "adaptive.target_width", "missing required key (expected the 95% interval width to reach)");
      }
      if (!whole(*a, "max_runs", "adaptive", v, 1, 1'000'000'000)) {
        if (!a->find("max_runs")) error(a->where, "adaptive.max_runs", "missing required key");
      } else {
        s_.max_runs = v;
        if (s_.max_runs < s_.runs_per_point)
          error(a->find("max_runs")->where, "adaptive.max_runs", fmt::format("expected at least runs_per_point ({}), got {}", s_.runs_per_point, s_.max_runs));
      }
    }
  }
}

// A file's text for the fingerprint, read no further than `max_bytes` past its start (a file too
// large to use is refused by its own reader).
std::string read_text(const std::filesystem::path& p,
                      std::size_t max_bytes = load::ParseLimits{}.max_bytes) {
  std::string text;
  (void)load::read_file_limited(p, max_bytes, text);
  return text;
}

}  // namespace

StudySpec load_study(const std::filesystem::path& file) {
  DiagnosticSink sink;
  StudySpec spec;
  spec.file = file;
  const DocNode root = load::parse_yaml_file(file, sink);
  if (!sink.empty() && !root.is_map()) sink.throw_if_any();
  StudyReader(spec, sink).read(root);
  sink.throw_if_any();
  // The fingerprint covers the study file, every scenario file it builds on and the design CSV:
  // a store made from other inputs is not resumed.
  std::string all = read_text(file);
  for (const auto& f : load_scenario(spec.base_scenario).files) all += "\n--\n" + read_text(f);
  if (!spec.design_csv.empty()) all += "\n--\n" + read_text(spec.design_csv, kMaxDesignCsvBytes);
  spec.fingerprint = fmt::format("{:016x}", stream_key_of(all.data(), all.size()));
  return spec;
}

}  // namespace geosim::study
