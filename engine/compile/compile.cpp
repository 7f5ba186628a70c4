// Scenario -> Model: resolves names to indices, checks meaning, flattens into arrays.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>
#include <unordered_map>

#include <boost/random/beta_distribution.hpp>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/triangle_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <fmt/format.h>

#include "geosim/model.h"
#include "geosim/rng.h"

namespace geosim {

std::int32_t Model::max_actions_per_actor() const {
  std::int32_t m = 0;
  for (const auto& a : actors) m = std::max(m, a.action_end - a.action_begin);
  return m;
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The set of values a field accepts.
struct Domain {
  double lo = -kInf, hi = kInf;
  bool lo_open = false;
  const char* words = "a number";
};
constexpr Domain kAny{};
constexpr Domain kProbability{0.0, 1.0, false, "a probability in [0, 1]"};
constexpr Domain kUnit{0.0, 1.0, false, "a value in [0, 1]"};
constexpr Domain kNonNegative{0.0, kInf, false, "a value >= 0"};
constexpr Domain kPositive{0.0, kInf, true, "a value > 0"};

std::uint64_t key_of(const std::string& s) { return stream_key_of(s.data(), s.size()); }

class Compiler {
 public:
  Compiler(const Scenario& s, DiagnosticSink& sink) : s_(s), sink_(sink) {}
  Model run();

 private:
  const Scenario& s_;
  DiagnosticSink& sink_;
  Model m_;
  std::unordered_map<std::string, std::int32_t> param_, var_, rung_, actor_, action_;
  std::vector<std::string> declared_params_, var_names_, rung_names_, actor_names_, action_names_;
  std::vector<char> param_used_;  // by index into Scenario::parameters: some field reads it

  void error(const Location& w, const std::string& path, std::string msg, std::string hint = {}) {
    sink_.error(w, path, std::move(msg), std::move(hint));
  }

  // "did you mean 'x'?" or "". Skipped once the sink is full: nothing more is shown, and with
  // thousands of unknown names among thousands of candidates the search would take minutes.
  std::string suggest(const std::string& word, const std::vector<std::string>& names) const {
    return sink_.full() ? std::string{} : did_you_mean(word, names);
  }

  // Where a whole section is, for "expected at least one ..." (the file when it is not known).
  Location section_where(const Location& w) const {
    if (!w.file.empty()) return w;
    return Location{s_.files.empty() ? "" : s_.files[0], 0, 0};
  }

  static std::string describe_support(const Distribution& d) {
    switch (d.kind) {
      case DistKind::constant: return fmt::format("{}", d.args.empty() ? 0.0 : d.args[0]);
      case DistKind::normal: return "a normal distribution (unbounded)";
      case DistKind::lognormal: return "a lognormal distribution (unbounded above)";
      default: return fmt::format("a {} distribution", to_string(d.kind));
    }
  }

  // For a normal where a positive value is needed: the lognormal to write instead, with the
  // normal's mean and sd when its mean is positive (a lognormal is positive, and accepted there).
  static std::string lognormal_hint(const Distribution& normal) {
    const double mean = normal.args.size() == 2 ? normal.args[0] : 0.0;
    const double sd = normal.args.size() == 2 ? normal.args[1] : 0.0;
    if (!(mean > 0 && sd > 0))
      return "for an uncertain positive value use a lognormal distribution: {dist: lognormal, "
             "mu: ..., sigma: ...} (the mean and sd of the value's logarithm)";
    const double sigma2 = std::log1p((sd / mean) * (sd / mean));
    return fmt::format("for an uncertain positive value use a lognormal distribution: {{dist: "
                       "lognormal, mu: {:.3g}, sigma: {:.3g}}} has this mean and sd",
                       std::log(mean) - sigma2 / 2, std::sqrt(sigma2));
  }

  // The smallest and largest value a distribution can produce.
  static std::pair<double, double> support(const Distribution& d) {
    switch (d.kind) {
      case DistKind::constant: return {d.args[0], d.args[0]};
      case DistKind::uniform: return {d.args[0], d.args[1]};
      case DistKind::triangular: return {d.args[0], d.args[2]};
      case DistKind::normal: return {-kInf, kInf};
      case DistKind::lognormal: return {0.0, kInf};
      case DistKind::beta: return {0.0, 1.0};
      case DistKind::choice: {
        if (d.values.empty()) return {0.0, 0.0};
        auto [lo, hi] = std::minmax_element(d.values.begin(), d.values.end());
        return {*lo, *hi};
      }
    }
    return {-kInf, kInf};
  }

  bool check_distribution(const Parameter& p) {
    const auto& d = p.dist;
    const auto& a = d.args;
    auto bad = [&](std::string msg) {
      error(p.where, p.key_path, std::move(msg));
      return false;
    };
    switch (d.kind) {
      case DistKind::constant:
        if (a.size() != 1) return false;
        break;
      case DistKind::uniform:
        if (a.size() != 2) return false;
        if (!(a[0] < a[1]))
          return bad(fmt::format("uniform: expected low < high, got low = {} and high = {}", a[0], a[1]));
        break;
      case DistKind::normal:
        if (a.size() != 2) return false;
        if (!(a[1] > 0)) return bad(fmt::format("normal: expected sd > 0, got sd = {}", a[1]));
        break;
      case DistKind::lognormal:
        if (a.size() != 2) return false;
        if (!(a[1] > 0))
          return bad(fmt::format("lognormal: expected sigma > 0, got sigma = {}", a[1]));
        break;
      case DistKind::beta:
        if (a.size() != 2) return false;
        if (!(a[0] > 0 && a[1] > 0))
          return bad(fmt::format("beta: expected alpha > 0 and beta > 0, got alpha = {} and beta = {}",
                                 a[0], a[1]));
        break;
      case DistKind::triangular:
        if (a.size() != 3) return false;
        if (!(a[0] < a[2]))
          return bad(fmt::format("triangular: expected low < high, got low = {} and high = {}", a[0], a[2]));
        if (!(a[0] <= a[1] && a[1] <= a[2]))
          return bad(fmt::format("triangular: expected low <= mode <= high, got mode = {} outside [{}, {}]",
                                 a[1], a[0], a[2]));
        break;
      case DistKind::choice: {
        if (d.values.empty()) return bad("choice: expected at least one value in 'values'");
        if (d.values.size() != d.weights.size())
          return bad(fmt::format("choice: expected as many weights as values, got {} values and {} weights",
                                 d.values.size(), d.weights.size()));
        double total = 0;
        for (double w : d.weights) {
          if (w < 0) return bad(fmt::format("choice: expected weights >= 0, got {}", w));
          total += w;
        }
        if (!(total > 0)) return bad("choice: expected weights that are not all zero");
        break;
      }
    }
    return true;
  }

  void compile_parameters() {
    for (const auto& p : s_.parameters) {
      if (p.declared) declared_params_.push_back(p.name);
      CompiledDistribution cd;
      cd.kind = p.dist.kind;
      if (check_distribution(p)) {
        for (std::size_t i = 0; i < p.dist.args.size() && i < 3; ++i) cd.args[i] = p.dist.args[i];
        if (cd.kind == DistKind::choice) {
          cd.choice_begin = static_cast<std::int32_t>(m_.choice_values.size());
          // Weights are relative. Finite weights whose sum overflows (1e308 and 1e308) are divided
          // by the largest first: summed as they are, the total is inf and every cumulative share
          // but the last would be 0 or NaN. Weights that sum finitely are used as they are.
          double top = 1.0;
          double total = 0;
          for (double w : p.dist.weights) total += w;
          if (!std::isfinite(total)) {
            top = *std::max_element(p.dist.weights.begin(), p.dist.weights.end());
            total = 0;
            for (double w : p.dist.weights) total += w / top;
          }
          double acc = 0;
          for (std::size_t i = 0; i < p.dist.values.size(); ++i) {
            acc += p.dist.weights[i] / top;
            m_.choice_values.push_back(p.dist.values[i]);
            m_.choice_cdf.push_back(acc / total);
          }
          m_.choice_cdf.back() = 1.0;
          cd.choice_end = static_cast<std::int32_t>(m_.choice_values.size());
        }
      } else {
        cd.kind = DistKind::constant;
      }
      param_[p.name] = static_cast<std::int32_t>(m_.params.size());
      param_used_.push_back(0);
      m_.params.push_back(cd);
      m_.param_stream_keys.push_back(key_of("param:" + p.name));
      m_.names.params.push_back(p.name);
    }
  }

  ParamIndex value(const ValueRef& v, const Domain& dom = kAny) {
    if (v.empty()) return kNone;
    auto it = param_.find(v.param);
    if (it == param_.end()) {
      std::string hint = var_.count(v.param)
                             ? fmt::format("'{}' is a state variable; numeric fields take parameters",
                                           v.param)
                             : suggest(v.param, declared_params_);
      error(v.where, v.key_path,
            fmt::format("expected a number or the name of a declared parameter, got '{}' (no such "
                        "parameter)",
                        v.param),
            hint);
      return kNone;
    }
    param_used_[static_cast<std::size_t>(it->second)] = 1;
    const Parameter& p = s_.parameters[static_cast<std::size_t>(it->second)];
    const auto [lo, hi] = support(p.dist);
    // A lognormal never reaches 0: its support is open there.
    const bool open_at_zero = p.dist.kind == DistKind::lognormal && lo == 0.0;
    const bool below = dom.lo_open ? !(lo > dom.lo || open_at_zero) : !(lo >= dom.lo);
    if (below || hi > dom.hi) {
      std::string via = p.name == v.key_path ? std::string{} : fmt::format(" (parameter '{}')", p.name);
      std::string hint;
      if (dom.hi == 1.0 && dom.lo == 0.0 && p.dist.kind != DistKind::constant)
        hint = "for an uncertain value in [0, 1] use a beta or a uniform distribution within [0, 1]";
      else if (dom.lo_open && dom.lo == 0.0 && p.dist.kind == DistKind::normal)
        hint = lognormal_hint(p.dist);
      if (p.declared && p.where.line > 0 && p.where.file != v.where.file) {
        // The value was set in another file (a child's override, or the base's value used by a
        // child's field): the error points where it was set, and names the field that needs it.
        error(p.where, p.key_path,
              fmt::format("expected {}, got {}, for {} ({}:{}:{}), which uses parameter '{}'",
                          dom.words, describe_support(p.dist), v.key_path, v.where.file,
                          v.where.line, v.where.column, p.name),
              hint);
      } else {
        error(v.where, v.key_path,
              fmt::format("expected {}, got {}{}", dom.words, describe_support(p.dist), via), hint);
      }
    }
    return it->second;
  }

  // The words for one kind of name in messages: "a rung" / "rungs".
  struct Kind {
    const char* a;       // with its article: "a rung", "an actor"
    const char* plural;  // "rungs"
    const char* noun;    // "rung"
  };
  static constexpr Kind kVar{"a state variable", "state variables", "state variable"};
  static constexpr Kind kRung{"a rung", "rungs", "rung"};
  static constexpr Kind kActor{"an actor", "actors", "actor"};
  static constexpr Kind kAction{"an action (written actor.action)", "actions", "action"};

  std::int32_t lookup(const std::unordered_map<std::string, std::int32_t>& map,
                      const std::vector<std::string>& names, const std::string& name,
                      const Location& w, const std::string& path, const Kind& kind) {
    auto it = map.find(name);
    if (it != map.end()) return it->second;
    std::string hint = suggest(name, names);
    if (hint.empty() && !names.empty() && names.size() <= 12) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      hint = fmt::format("known {}: {}", kind.plural, list);
    }
    error(w, path, fmt::format("expected the name of {}, got '{}' (no such {})", kind.a, name, kind.noun),
          hint);
    return kNone;
  }

  std::int32_t var(const std::string& name, const Location& w, const std::string& path) {
    return lookup(var_, var_names_, name, w, path, kVar);
  }
  std::int32_t rung(const std::string& name, const Location& w, const std::string& path) {
    if (rung_names_.empty()) return kNone;  // already reported: the ladder has no rungs
    return lookup(rung_, rung_names_, name, w, path, kRung);
  }
  std::int32_t actor(const std::string& name, const Location& w, const std::string& path) {
    if (actor_names_.empty()) return kNone;  // already reported: there are no actors
    return lookup(actor_, actor_names_, name, w, path, kActor);
  }
  // The part of `owner.action` after the owner.
  static std::string_view short_name(const std::string& full) {
    return std::string_view(full).substr(full.find('.') + 1);
  }

  std::int32_t action(const std::string& name, const Location& w, const std::string& path) {
    if (actor_names_.empty()) return kNone;  // already reported: there are no actors
    if (name.find('.') == std::string::npos) {
      // Unqualified: accept if exactly one actor has an action of that name.
      std::vector<std::string> owners;
      std::int32_t found = kNone;
      for (std::size_t i = 0; i < action_names_.size(); ++i) {
        if (short_name(action_names_[i]) == name) {
          found = static_cast<std::int32_t>(i);
          owners.push_back(action_names_[i]);
        }
      }
      if (owners.size() == 1) return found;
      if (owners.size() > 1) {
        std::string list;
        for (const auto& o : owners) list += (list.empty() ? "" : " or ") + ("'" + o + "'");
        error(w, path,
              fmt::format("expected an action written actor.action, got '{}', which several actors "
                          "have",
                          name),
              "write " + list);
        return kNone;
      }
      // No action has that name: a typo of a short name (`tlak`) is suggested in full.
      if (!sink_.full()) {
        std::vector<std::string> shorts;
        for (const auto& full : action_names_) shorts.emplace_back(short_name(full));
        if (const std::string near = closest_match(name, shorts); !near.empty()) {
          std::string list;
          for (const auto& full : action_names_)
            if (short_name(full) == near) list += (list.empty() ? "'" : "' or '") + full;
          error(w, path,
                fmt::format("expected the name of {}, got '{}' (no such {})", kAction.a, name,
                            kAction.noun),
                fmt::format("did you mean {}'?", list));
          return kNone;
        }
      }
    }
    return lookup(action_, action_names_, name, w, path, kAction);
  }

  std::pair<std::int32_t, std::int32_t> conditions(const std::vector<Condition>& cs) {
    const auto begin = static_cast<std::int32_t>(m_.conditions.size());
    for (const auto& c : cs) {
      CompiledCondition cc{var(c.var, c.var_where, c.key_path + ".var"), c.op, value(c.value)};
      if (cc.var != kNone && cc.value != kNone) m_.conditions.push_back(cc);
    }
    return {begin, static_cast<std::int32_t>(m_.conditions.size())};
  }

  std::pair<std::int32_t, std::int32_t> effects(const std::vector<Effect>& es) {
    const auto begin = static_cast<std::int32_t>(m_.effects.size());
    for (const auto& e : es) {
      CompiledEffect ce{var(e.var, e.var_where, e.key_path + ".var"), e.op, value(e.value), kNone};
      if (!e.times_var.empty()) ce.times_var = var(e.times_var, e.times_where, e.key_path + ".times");
      if (ce.var != kNone && ce.value != kNone && (e.times_var.empty() || ce.times_var != kNone))
        m_.effects.push_back(ce);
    }
    return {begin, static_cast<std::int32_t>(m_.effects.size())};
  }

  CompiledMove move(const RungMove& mv) {
    CompiledMove c;
    c.kind = mv.kind;
    if (mv.kind == RungMove::Kind::step) c.value = mv.step;
    if (mv.kind == RungMove::Kind::to) {
      c.value = rung(mv.to_rung, mv.where, mv.key_path);
      if (c.value == kNone) c.kind = RungMove::Kind::none;
    }
    return c;
  }

  template <class T>  // Action or Event
  std::pair<std::int32_t, std::int32_t> rung_range(const T& x) {
    std::int32_t a = 0, b = m_.n_rungs - 1;
    if (m_.n_rungs == 0) return {a, b};  // no ladder to be on: reported once, at ladder.rungs
    if (!x.min_rung.empty()) {
      auto r = rung(x.min_rung, x.min_rung_where, x.key_path + ".min_rung");
      if (r != kNone) a = r;
    }
    if (!x.max_rung.empty()) {
      auto r = rung(x.max_rung, x.max_rung_where, x.key_path + ".max_rung");
      if (r != kNone) b = r;
    }
    if (a > b)
      error(x.min_rung_where, x.key_path + ".min_rung",
            fmt::format("expected min_rung at or below max_rung on the ladder, got min_rung '{}' "
                        "above max_rung '{}'",
                        x.min_rung, x.max_rung),
            "the ladder's rungs are listed lowest first");
    return {a, b};
  }

  // A declared parameter that no field uses changes nothing when it is changed: said as a warning
  // (the file may keep it for later use), so that someone who edits a belief to see what it does
  // learns that it does nothing. New parameters of an `extends:` file are errors instead (below).
  void warn_of_unused_parameters() {
    for (const auto& p : s_.parameters) {
      if (!p.declared || p.new_in_child) continue;
      const auto it = param_.find(p.name);
      if (it == param_.end() || param_used_[static_cast<std::size_t>(it->second)]) continue;
      Diagnostic d{p.where, p.key_path,
                   "declared but no field uses it: changing it changes nothing",
                   "use it in a field, or remove it"};
      d.warning = true;
      m_.warnings.push_back(std::move(d));
    }
  }

  // A parameter that a file of an `extends:` chain adds and no field uses can only be a misspelt
  // override of a base parameter (which then silently keeps its value) or dead: an error, with the
  // base parameter it most likely meant. (In a file that extends nothing an unused parameter is
  // only a warning, above: it may be kept for later use.)
  void check_new_parameters_are_used() {
    std::vector<std::string> base_params;
    for (const auto& p : s_.parameters)
      if (p.declared && !p.new_in_child) base_params.push_back(p.name);
    for (const auto& p : s_.parameters) {
      if (!p.new_in_child) continue;
      const auto it = param_.find(p.name);
      if (it == param_.end() || param_used_[static_cast<std::size_t>(it->second)]) continue;
      std::string hint = suggest(p.name, base_params);
      if (hint.empty())
        hint = "to change a parameter of the base, give its name; a new parameter must be used by "
               "some field";
      error(p.where, p.key_path,
            fmt::format("expected the name of a parameter of the base scenario (or a new parameter "
                        "that some field uses), got '{}', which the base does not declare and no "
                        "field uses",
                        p.name),
            hint);
    }
  }

  // A run's tables hold an entry per rung and action or event (the ladder moves), and the
  // reduction one per tick and rung, end state or indicator (histograms, moments, quantile
  // sketches). A file well within the loader's limits (50,000 rungs and 50,000 actions, 3 MB) can
  // ask for billions of entries: tens of gigabytes, and more than 32-bit indices address. Such a
  // scenario is refused here, named, instead of exhausting the memory when it runs.
  static constexpr std::uint64_t kMaxLadderCells = std::uint64_t{1} << 23;
  static constexpr std::uint64_t kMaxTickCells = std::uint64_t{1} << 22;

  void check_size() {
    const auto n_rungs = static_cast<std::uint64_t>(s_.rungs.size());
    std::uint64_t n_actions = 0;
    for (const auto& a : s_.actors) n_actions += a.actions.size();
    const auto n_events = static_cast<std::uint64_t>(s_.events.size());
    if (n_rungs * (n_actions + n_events) > kMaxLadderCells)
      error(section_where(s_.rungs_where), "ladder.rungs",
            fmt::format("expected a scenario whose ladder tables fit in memory, got {} rungs x ({} "
                        "actions + {} events) = {} entries (the limit is {})",
                        n_rungs, n_actions, n_events, n_rungs * (n_actions + n_events),
                        kMaxLadderCells),
            "a ladder has tens of rungs, and an actor tens of actions");
    std::uint64_t reported = 0;
    for (const auto& v : s_.state) reported += v.report ? 1 : 0;
    const std::uint64_t per_tick =
        n_rungs + static_cast<std::uint64_t>(s_.end_states.size()) + 1 + reported + s_.actors.size();
    const auto ticks = static_cast<std::uint64_t>(std::max(0, s_.horizon)) + 1;
    if (per_tick * ticks > kMaxTickCells)
      error(s_.horizon_where.file.empty() ? section_where(s_.rungs_where) : s_.horizon_where,
            "time.horizon",
            fmt::format("expected a scenario whose per-tick results fit in memory, got {} ticks x "
                        "{} rungs, end states and indicators = {} entries (the limit is {})",
                        ticks, per_tick, per_tick * ticks, kMaxTickCells),
            "a shorter horizon, longer ticks (tick_days), or fewer rungs, end states or reported "
            "state variables");
  }

  // The rungs the ladder can reach from the start by any sequence of moves (state conditions
  // are taken to allow everything, so this is an upper bound), and an error for each end state
  // that needs a rung, or an action, the ladder can never get to.
  void check_reachability() {
    if (m_.n_rungs == 0 || !sink_.empty()) return;
    std::vector<char> reach(static_cast<std::size_t>(m_.n_rungs), 0);
    // Downward moves reach every rung below one that is reached, so the reachable set is
    // [0, highest reachable]; find the highest by repeated relaxation.
    std::int32_t top = m_.start_rung;
    for (bool grew = true; grew;) {
      grew = false;
      auto push = [&](const CompiledMove& mv, std::int32_t lo, std::int32_t hi) {
        for (std::int32_t r = lo; r <= std::min(hi, top); ++r) {
          std::int32_t to = r;
          if (mv.kind == RungMove::Kind::step) to = std::clamp(r + mv.value, 0, m_.n_rungs - 1);
          if (mv.kind == RungMove::Kind::to) to = std::max(r, mv.value);
          if (to > top) {
            top = to;
            grew = true;
          }
        }
      };
      for (const auto& a : m_.actions) push(a.move, a.min_rung, a.max_rung);
      for (const auto& e : m_.events) push(e.move, e.min_rung, e.max_rung);
    }
    for (std::size_t i = 0; i < s_.end_states.size(); ++i) {
      const auto& e = s_.end_states[i];
      const auto& c = m_.end_states[i];
      if (e.kind == EndState::Kind::rung && c.rung > top)
        error(e.rung_where, e.key_path + ".rung",
              fmt::format("expected a rung the ladder can reach, got '{}': no action or event moves "
                          "the ladder above '{}' (this end state can never happen)",
                          e.rung, m_.names.rungs[static_cast<std::size_t>(top)]),
              "give some action or event a step or to_rung that leads there");
      for (std::int32_t q = c.action_begin; q < c.action_end; ++q) {
        const auto a = m_.end_state_actions[static_cast<std::size_t>(q)];
        if (m_.actions[static_cast<std::size_t>(a)].min_rung > top) {
          const auto k = static_cast<std::size_t>(q - c.action_begin);
          // Runs only when nothing else failed, so every listed action was found: k is its
          // place in the list as written.
          error(k < e.action_where.size() ? e.action_where[k] : e.where,
                fmt::format("{}.{}[{}]", e.key_path,
                            e.kind == EndState::Kind::all_chosen ? "all_chosen" : "any_chosen", k),
                fmt::format("expected an action that can be chosen, got '{}', available only from a "
                            "rung the ladder never reaches (this end state {})",
                            m_.names.actions[static_cast<std::size_t>(a)],
                            e.kind == EndState::Kind::all_chosen ? "can never happen"
                                                                 : "cannot happen through it"));
        }
      }
    }
  }
};

Model Compiler::run() {
  m_.names.scenario = s_.name;
  m_.horizon = s_.horizon;
  m_.tick_days = s_.tick_days;
  m_.class_weights = s_.class_weights;
  compile_parameters();

  // Names first, so that references can point forwards.
  for (const auto& v : s_.state) {
    if (var_.count(v.name)) error(v.where, v.key_path, fmt::format("duplicate state variable '{}'", v.name));
    var_[v.name] = static_cast<std::int32_t>(var_names_.size());
    var_names_.push_back(v.name);
  }
  for (const auto& r : s_.rungs) {
    if (rung_.count(r.name)) {
      error(r.name_where, r.key_path + ".name", fmt::format("duplicate rung name '{}'", r.name));
      continue;
    }
    rung_[r.name] = static_cast<std::int32_t>(rung_names_.size());
    rung_names_.push_back(r.name);
  }
  m_.n_rungs = static_cast<std::int32_t>(rung_names_.size());
  if (m_.n_rungs == 0)
    error(section_where(s_.rungs_where), "ladder.rungs", "expected at least one rung, got none");
  for (const auto& a : s_.actors) {
    actor_[a.name] = static_cast<std::int32_t>(actor_names_.size());
    actor_names_.push_back(a.name);
    for (const auto& act : a.actions) {
      const std::string full = a.name + "." + act.name;
      action_[full] = static_cast<std::int32_t>(action_names_.size());
      action_names_.push_back(full);
    }
  }
  if (s_.actors.empty())
    error(section_where(s_.actors_where), "actors", "expected at least one actor, got none");

  // State.
  for (const auto& v : s_.state) {
    CompiledStateVar c;
    c.initial = value(v.initial);
    c.min = v.min.value_or(-kInf);
    c.max = v.max.value_or(kInf);
    if (c.min > c.max)
      error(v.where, v.key_path, fmt::format("expected min <= max, got min = {} and max = {}", c.min, c.max));
    m_.vars.push_back(c);
    m_.names.vars.push_back(v.name);
    if (v.report) {
      m_.indicator_vars.push_back(static_cast<std::int32_t>(m_.vars.size() - 1));
      m_.names.indicators.push_back(v.name);
      m_.names.indicator_units.push_back(v.unit);
    }
  }

  // Ladder.
  for (const auto& r : s_.rungs) {
    m_.rung_danger.push_back(value(r.danger));
    m_.names.rungs.push_back(r.name);
  }
  if (!s_.start_rung.empty() && m_.n_rungs > 0) {
    auto r = rung(s_.start_rung, s_.start_rung_where, "ladder.start");
    m_.start_rung = r == kNone ? 0 : r;
  }

  // Actors and actions.
  for (const auto& a : s_.actors) {
    CompiledActor ca;
    ca.action_begin = static_cast<std::int32_t>(m_.actions.size());
    ca.rationality = value(a.rationality, kNonNegative);
    ca.resolve = value(a.resolve);
    ca.risk_tolerance = value(a.risk_tolerance, kUnit);
    ca.capacity = value(a.capacity, kPositive);
    ca.reciprocity = value(a.reciprocity);
    ca.stream_key = key_of("actor:" + a.name);
    if (a.actions.empty())
      error(a.where, a.key_path + ".actions", "expected at least one action, got none");
    const auto owner = static_cast<std::int32_t>(m_.actors.size());
    for (const auto& act : a.actions) {
      CompiledAction c{};
      c.owner = owner;
      std::tie(c.min_rung, c.max_rung) = rung_range(act);
      c.escalation_class = act.escalation_class;
      c.cost = value(act.cost);
      c.gain = value(act.gain);
      c.move = move(act.move);
      std::tie(c.cond_begin, c.cond_end) = conditions(act.requires_);
      std::tie(c.effect_begin, c.effect_end) = effects(act.effects);
      c.term_begin = static_cast<std::int32_t>(m_.utility_terms.size());
      for (const auto& t : act.utility) {
        CompiledUtilityTerm ct{var(t.var, t.var_where, t.key_path + ".var"), value(t.weight)};
        if (ct.var != kNone && ct.weight != kNone) m_.utility_terms.push_back(ct);
      }
      c.term_end = static_cast<std::int32_t>(m_.utility_terms.size());
      m_.actions.push_back(c);
      m_.names.actions.push_back(a.name + "." + act.name);
    }
    ca.action_end = static_cast<std::int32_t>(m_.actions.size());
    m_.actors.push_back(ca);
    m_.names.actors.push_back(a.name);
  }

  // Matrices.
  // An unknown row actor is reported once, at the row's key, not once per entry of the row.
  std::string last_row;
  auto row_actor = [&](const std::string& name, const Location& w,
                       const std::string& path) -> std::int32_t {
    if (const auto it = actor_.find(name); it != actor_.end()) return it->second;
    if (path != last_row) actor(name, w, path);
    last_row = path;
    return kNone;
  };
  auto matrix = [&](const std::vector<MatrixEntry>& in, std::vector<CompiledMatrixEntry>& out,
                    const Domain& dom) {
    for (const auto& e : in) {
      auto r = row_actor(e.row, e.row_where, e.row_path);
      auto c = actor(e.col, e.where, e.key_path);
      auto v = value(e.value, dom);
      if (r != kNone && c != kNone && r == c)
        error(e.where, e.key_path, "expected two different actors, got the same actor twice");
      if (r != kNone && c != kNone && v != kNone) out.push_back({r, c, v});
    }
  };
  matrix(s_.relations, m_.relations, Domain{-1.0, 1.0, false, "a value in [-1, 1]"});
  matrix(s_.leverage, m_.leverage, kAny);

  for (const auto& w : s_.wishes) {
    auto a = row_actor(w.actor, w.actor_where, w.actor_path);
    auto act = action(w.target_action, w.where, w.key_path);
    auto v = value(w.value);
    if (a != kNone && act != kNone && m_.actions[static_cast<std::size_t>(act)].owner == a)
      error(w.where, w.key_path,
            "expected a wish about another actor's action (an actor's own preferences are its "
            "action's gain)");
    if (a != kNone && act != kNone && v != kNone) m_.wishes.push_back({a, act, v});
  }

  // Events.
  for (const auto& e : s_.events) {
    CompiledEvent c{};
    c.kind = e.kind;
    c.rate = e.kind == Event::Kind::bernoulli ? value(e.rate, kProbability)
             : e.kind == Event::Kind::poisson ? value(e.rate, kNonNegative)
                                              : kNone;
    c.per_var = e.per_var.empty() ? kNone : var(e.per_var, e.per_where, e.key_path + ".per");
    std::tie(c.min_rung, c.max_rung) = rung_range(e);
    std::tie(c.cond_begin, c.cond_end) = conditions(e.requires_);
    std::tie(c.effect_begin, c.effect_end) = effects(e.effects);
    c.move = move(e.move);
    c.stream_key = key_of("event:" + e.name);
    m_.events.push_back(c);
    m_.names.events.push_back(e.name);
  }

  // End states.
  for (const auto& e : s_.end_states) {
    CompiledEndState c{};
    c.kind = e.kind;
    c.action_begin = static_cast<std::int32_t>(m_.end_state_actions.size());
    std::vector<std::int32_t> chosen;
    for (std::size_t q = 0; q < e.actions.size(); ++q) {
      const auto& a = e.actions[q];
      const std::string kind = e.kind == EndState::Kind::all_chosen ? "all_chosen" : "any_chosen";
      const Location& where = q < e.action_where.size() ? e.action_where[q] : e.where;
      const std::string path = fmt::format("{}.{}[{}]", e.key_path, kind, q);
      auto idx = action(a, where, path);
      if (idx == kNone) continue;
      // Each actor chooses one action a tick: two of one actor's actions are never chosen together.
      for (const auto other : chosen) {
        const auto owner = m_.actions[static_cast<std::size_t>(idx)].owner;
        if (e.kind == EndState::Kind::all_chosen && other != idx &&
            m_.actions[static_cast<std::size_t>(other)].owner == owner) {
          error(where, path,
                fmt::format("expected actions of different actors, got '{}' and '{}', both {}'s "
                            "(this end state can never happen)",
                            m_.names.actions[static_cast<std::size_t>(other)],
                            m_.names.actions[static_cast<std::size_t>(idx)],
                            m_.names.actors[static_cast<std::size_t>(owner)]),
                "an actor chooses one action a tick; list one action per actor, or use any_chosen");
          break;
        }
      }
      chosen.push_back(idx);
      m_.end_state_actions.push_back(idx);
    }
    c.action_end = static_cast<std::int32_t>(m_.end_state_actions.size());
    c.rung = e.kind == EndState::Kind::rung ? rung(e.rung, e.rung_where, e.key_path + ".rung") : kNone;
    std::tie(c.cond_begin, c.cond_end) = conditions(e.conditions);
    c.probability = value(e.probability, kProbability);
    m_.end_states.push_back(c);
    m_.names.end_states.push_back(e.name);
  }

  check_new_parameters_are_used();
  warn_of_unused_parameters();
  check_size();
  check_reachability();

  for (const auto& a : s_.actors) {
    m_.names.indicators.push_back("escalation_score." + a.name);
    m_.names.indicator_units.push_back("points (cumulative, Rivera et al. 2024 weights)");
  }
  return std::move(m_);
}

}  // namespace

Model compile(const Scenario& scenario) {
  DiagnosticSink sink;
  Compiler c(scenario, sink);
  Model m = c.run();
  sink.throw_if_any();
  return m;
}

void sample_parameters(const Model& model, std::uint64_t master_seed, std::uint64_t run_index,
                       double* out) {
  const std::size_t n = model.params.size();
  for (std::size_t i = 0; i < n; ++i) {
    const CompiledDistribution& d = model.params[i];
    if (d.kind == DistKind::constant) {
      out[i] = d.args[0];
      continue;
    }
    Rng rng = make_stream(master_seed, run_index, model.param_stream_keys[i]);
    switch (d.kind) {
      case DistKind::constant: break;
      case DistKind::uniform:
        out[i] = boost::random::uniform_real_distribution<double>(d.args[0], d.args[1])(rng);
        break;
      case DistKind::normal:
        out[i] = boost::random::normal_distribution<double>(d.args[0], d.args[1])(rng);
        break;
      case DistKind::lognormal:
        out[i] = boost::random::lognormal_distribution<double>(d.args[0], d.args[1])(rng);
        break;
      case DistKind::beta:
        out[i] = boost::random::beta_distribution<double>(d.args[0], d.args[1])(rng);
        break;
      case DistKind::triangular:
        out[i] =
            boost::random::triangle_distribution<double>(d.args[0], d.args[1], d.args[2])(rng);
        break;
      case DistKind::choice: {
        const double u = rng.uniform01();
        std::int32_t k = d.choice_begin;
        while (k + 1 < d.choice_end && model.choice_cdf[static_cast<std::size_t>(k)] <= u) ++k;
        out[i] = model.choice_values[static_cast<std::size_t>(k)];
        break;
      }
    }
  }
}

}  // namespace geosim
