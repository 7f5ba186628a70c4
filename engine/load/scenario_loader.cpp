// Reads a scenario document (after `extends:` is resolved) into a Scenario. This file and
// yaml_tree.cpp are the only code that sees YAML. Structure is checked here (known keys, types,
// numbers that parse); names and meaning are checked by compile().
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <string_view>

#include <fmt/format.h>

#include "geosim/scenario.h"
#include "load/yaml_tree.h"

namespace geosim {

const char* to_string(DistKind k) {
  switch (k) {
    case DistKind::constant: return "constant";
    case DistKind::uniform: return "uniform";
    case DistKind::normal: return "normal";
    case DistKind::lognormal: return "lognormal";
    case DistKind::beta: return "beta";
    case DistKind::triangular: return "triangular";
    case DistKind::choice: return "choice";
  }
  return "?";
}

const char* to_string(EscalationClass c) {
  switch (c) {
    case EscalationClass::status_quo: return "status_quo";
    case EscalationClass::de_escalation: return "de_escalation";
    case EscalationClass::posturing: return "posturing";
    case EscalationClass::nonviolent_escalation: return "nonviolent_escalation";
    case EscalationClass::violent_escalation: return "violent_escalation";
    case EscalationClass::nuclear: return "nuclear";
  }
  return "?";
}

const Parameter* find_parameter(const Scenario& s, const std::string& name) {
  for (const auto& p : s.parameters)
    if (p.name == name) return &p;
  return nullptr;
}

std::string did_you_mean_parameter(const Scenario& s, std::string_view name) {
  std::vector<std::string> declared, others;
  for (const auto& p : s.parameters) (p.declared ? declared : others).push_back(p.name);
  std::string hint = did_you_mean(name, declared);
  return hint.empty() ? did_you_mean(name, others) : hint;
}

namespace {

using load::DocNode;
using load::MapEntry;

const std::vector<std::string> kClassNames = {"status_quo",          "de_escalation",
                                              "posturing",           "nonviolent_escalation",
                                              "violent_escalation",  "nuclear"};

// The distribution kinds and the arguments each takes, in the order of Distribution::args.
struct DistributionSpec {
  std::string name;
  DistKind kind;
  std::vector<std::string> args;
};
const std::vector<DistributionSpec> kDistributions = {
    {"uniform", DistKind::uniform, {"low", "high"}},
    {"normal", DistKind::normal, {"mean", "sd"}},
    {"lognormal", DistKind::lognormal, {"mu", "sigma"}},
    {"beta", DistKind::beta, {"alpha", "beta"}},
    {"triangular", DistKind::triangular, {"low", "mode", "high"}},
    {"choice", DistKind::choice, {"values", "weights"}}};
// Every key that is an argument of some distribution.
const std::vector<std::string> kDistributionArguments = {
    "low", "high", "mean", "sd", "mu", "sigma", "alpha", "beta", "mode", "values", "weights"};

std::string join_path(const std::string& a, const std::string& b) {
  return a.empty() ? b : a + "." + b;
}

// A calendar date written YYYY-MM-DD (the Gregorian calendar, years 0000 to 9999).
bool is_date(const std::string& t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return false;
  for (const std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (!std::isdigit(static_cast<unsigned char>(t[i]))) return false;
  const int year = std::stoi(t.substr(0, 4));
  const int month = std::stoi(t.substr(5, 2));
  const int day = std::stoi(t.substr(8, 2));
  if (month < 1 || month > 12 || day < 1) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

std::string join_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

class Reader {
 public:
  // `new_in_child`: the parameters that a file of the `extends:` chain adds to its bases.
  Reader(Scenario& s, DiagnosticSink& sink, const std::set<std::string>& new_in_child)
      : s_(s), sink_(sink), new_in_child_(new_in_child) {}

  void read(const DocNode& root);

 private:
  Scenario& s_;
  DiagnosticSink& sink_;
  const std::set<std::string>& new_in_child_;
  int anon_count_ = 0;

  void error(const Location& w, const std::string& path, std::string msg, std::string hint = {}) {
    sink_.error(w, path, std::move(msg), std::move(hint));
  }

  // "did you mean 'x'?", or `otherwise` when no name is close. Once the sink is full nothing more
  // is shown, so the search is skipped: with thousands of errors it would cost minutes.
  std::string suggest(const std::string& word, const std::vector<std::string>& names,
                      std::string otherwise = {}) const {
    if (sink_.full()) return {};
    std::string hint = did_you_mean(word, names);
    return hint.empty() ? otherwise : hint;
  }

  // Reports keys of `map` that are not in `allowed`, with a suggestion.
  void check_keys(const DocNode& map, const std::string& path,
                  const std::vector<std::string>& allowed) {
    load::report_unknown_keys(map, path, allowed, sink_);
  }

  // Where the value of `key` in `map` is (or the map itself when the key is absent).
  static Location where_of(const DocNode& map, const std::string& key) {
    const DocNode* n = map.find(key);
    return n ? n->where : map.where;
  }

  bool expect_map(const DocNode& n, const std::string& path, const char* what) {
    if (n.is_map()) return true;
    error(n.where, path, fmt::format("expected {}, got {}", what, load::describe(n)));
    return false;
  }

  // A text field. `expected` words what a missing or empty required value should have been.
  std::string read_string(const DocNode& map, const std::string& key, const std::string& path,
                          bool required, const std::string& expected = "a text value") {
    const MapEntry* e = map.entry(key);
    if (!e) {
      if (required)
        error(map.where, join_path(path, key), fmt::format("missing required key (expected {})", expected));
      return {};
    }
    const DocNode& n = e->value;
    if (n.is_null()) {  // `key:` with nothing after it
      if (required)
        error(e->key_where, join_path(path, key), fmt::format("expected {}, got nothing", expected));
      return {};
    }
    if (!n.is_scalar()) {
      error(n.where, join_path(path, key),
            fmt::format("expected a text value, got {}", load::describe(n)));
      return {};
    }
    return n.scalar;
  }

  // A file that extends another but sets no `name` (or no `title`) is not its base: without this,
  // its outputs, report and story would carry the base's name and title ("baseline: the articles'
  // central reading") for numbers the base never gave. The name gains the file's stem
  // (`dprk_russia_2024_weak_pull` for weak_pull.yaml), the title says which file changed it.
  void name_a_child_after_its_file(const DocNode& root) {
    if (s_.files.size() < 2) return;
    const std::string& top = s_.files.front();
    const DocNode* name = root.find("name");
    const DocNode* title = root.find("title");
    const std::string file = std::filesystem::path(top).filename().string();
    if (name && name->where.file != top && !s_.name.empty()) {
      std::string stem = std::filesystem::path(top).stem().string();
      for (char& c : stem)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      s_.name += "_" + stem;
    }
    if (title && title->where.file != top && !s_.title.empty())
      s_.title += " (changed by " + file + ")";
  }

  // A name used to refer to something: letters, digits, underscores; not starting with a digit.
  bool check_name(const std::string& name, const Location& w, const std::string& path) {
    bool ok = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
    for (char c : name)
      ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (!ok)
      error(w, path,
            fmt::format("expected a name made of letters, digits and '_' (not starting with a "
                        "digit), got '{}'",
                        name));
    return ok;
  }

  // What a scalar's text is as a number: the one place that decides. A text that starts like a
  // number but is not one is `malformed`, with a hint on how to write it when one is clear.
  struct NumberText {
    enum Kind { number, not_a_number, non_finite, too_large, too_small, malformed } kind;
    double value = 0;
    std::string hint;  // for `malformed`: e.g. "write decimals with a point: 1.5"
  };

  // The text as a finite double, if all of it is one (an optional sign, digits, a point, an
  // exponent; YAML's spellings of infinity and NaN are not finite).
  static std::optional<double> plain_number(std::string_view t) {
    if (t.size() > 1 && t[0] == '+' && t[1] != '-') t.remove_prefix(1);
    double v = 0;
    const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || p != t.data() + t.size() || ec != std::errc() || !std::isfinite(v))
      return std::nullopt;
    return v;
  }

  // How to write a text that starts like a number but is not one, or "" when it is not clear.
  static std::string malformed_number_hint(const std::string& t) {
    auto without = [&](std::string_view chars) {
      std::string out;
      for (char c : t)
        if (chars.find(c) == std::string_view::npos) out += c;
      return out;
    };
    const auto commas = std::count(t.begin(), t.end(), ',');
    if (commas == 1 && t.find('.') == std::string::npos) {
      std::string point = t;
      point[point.find(',')] = '.';
      if (plain_number(point)) {
        if (t.size() - t.find(',') - 1 == 3)  // 1,000: a decimal comma or a thousands separator
          return fmt::format("write decimals with a point ({}) and thousands without a separator ({})",
                             point, without(","));
        return fmt::format("write decimals with a point: {}", point);
      }
    }
    if (commas > 0 && plain_number(without(",")))
      return fmt::format("write thousands without a separator: {}", without(","));
    if (t.size() > 1 && t.back() == '%')
      if (const auto v = plain_number(t.substr(0, t.size() - 1)))
        return fmt::format("write a fraction: {}", *v / 100);
    const std::size_t sign = (t[0] == '-' || t[0] == '+') ? 1 : 0;
    if (t.size() > sign + 2 && t[sign] == '0') {
      const char base_char = static_cast<char>(std::tolower(static_cast<unsigned char>(t[sign + 1])));
      const int base = base_char == 'x' ? 16 : base_char == 'o' ? 8 : base_char == 'b' ? 2 : 0;
      long long v = 0;
      const char* b = t.data() + sign + 2;
      const char* e = t.data() + t.size();
      if (base != 0) {
        const auto [p, ec] = std::from_chars(b, e, v, base);
        if (p == e && ec == std::errc())
          return fmt::format("write numbers in decimal: {}{}", sign && t[0] == '-' ? "-" : "", v);
      }
    }
    if (const std::string digits = without("_' "); digits != t && plain_number(digits))
      return fmt::format("write the digits without separators: {}", digits);
    // `10 days`: a number followed by words.
    if (const auto space = t.find(' '); space != std::string::npos && plain_number(t.substr(0, space)))
      return fmt::format("write only the number: {}", t.substr(0, space));
    return {};
  }

  // YAML 1.2 spells infinity and NaN .inf/.Inf/.INF (with an optional sign) and .nan/.NaN/.NAN;
  // those, and plain nan/inf/infinity, are non-finite.
  static NumberText classify(const std::string& text) {
    static const std::vector<std::string> special = {".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN",
                                                     "nan",  "NaN",  "inf",  "Inf",  "infinity",
                                                     "Infinity"};
    std::string_view body = text;
    if (!body.empty() && (body[0] == '+' || body[0] == '-')) body.remove_prefix(1);
    for (const auto& sp : special)
      if (body == sp) return {NumberText::non_finite, 0, {}};
    if (const auto v = plain_number(text)) return {NumberText::number, *v, {}};
    std::string_view t = text;
    if (t.size() > 1 && t[0] == '+' && t[1] != '-') t.remove_prefix(1);
    double v = 0;
    const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (!t.empty() && p == t.data() + t.size() && ec == std::errc::result_out_of_range) {
      // Too far from zero or too near it: an exponent below zero or a leading "0." says which.
      const bool tiny = body.rfind("0.", 0) == 0 || body.rfind(".", 0) == 0 ||
                        text.find("e-") != std::string::npos || text.find("E-") != std::string::npos;
      return {tiny ? NumberText::too_small : NumberText::too_large, 0, {}};
    }
    const bool starts_like_a_number =
        !body.empty() && (std::isdigit(static_cast<unsigned char>(body[0])) ||
                          (body[0] == '.' && body.size() > 1 &&
                           std::isdigit(static_cast<unsigned char>(body[1]))));
    if (!starts_like_a_number) return {NumberText::not_a_number, 0, {}};
    return {NumberText::malformed, 0, malformed_number_hint(text)};
  }

  // Reports a scalar that cannot be the number a field needs (`what`: "a number" or "a whole
  // number"; `or_name`: a parameter name is allowed too). Returns true if it reported.
  bool report_bad_number(const DocNode& n, const std::string& path, const NumberText& t,
                         const char* what, bool or_name) {
    switch (t.kind) {
      case NumberText::non_finite:
        error(n.where, path, fmt::format("expected a finite number, got '{}'", n.scalar));
        return true;
      case NumberText::too_large:
        error(n.where, path,
              fmt::format("expected a number within the range of a double (about 1e308), got '{}'",
                          n.scalar));
        return true;
      case NumberText::too_small:
        error(n.where, path,
              fmt::format("expected a number within the range of a double, got '{}' (too small to "
                          "represent)",
                          n.scalar),
              "write 0 if you mean zero");
        return true;
      case NumberText::number:
        if (!n.quoted) return false;
        error(n.where, path, fmt::format("expected {}, got the text \"{}\" (in quotes)", what, n.scalar),
              "remove the quotes");
        return true;
      case NumberText::malformed:
        if (t.hint.empty() && or_name)
          error(n.where, path, fmt::format("expected a number or a parameter name, got '{}'", n.scalar),
                "it is not a number, and a name cannot start with a digit");
        else
          error(n.where, path, fmt::format("expected {}, got '{}'", what, n.scalar), t.hint);
        return true;
      case NumberText::not_a_number: return false;
    }
    return false;
  }

  bool number_of(const DocNode& n, const std::string& path, double& out) {
    if (n.is_scalar()) {
      const NumberText t = classify(n.scalar);
      if (report_bad_number(n, path, t, "a number", false)) return false;
      if (t.kind == NumberText::number) {
        out = t.value;
        return true;
      }
    }
    error(n.where, path, fmt::format("expected a number, got {}", load::describe(n)));
    return false;
  }

  bool read_number(const DocNode& map, const std::string& key, const std::string& path,
                   double& out, bool required) {
    const DocNode* n = map.find(key);
    if (!n) {
      if (required) error(map.where, join_path(path, key), "missing required key (expected a number)");
      return false;
    }
    return number_of(*n, join_path(path, key), out);
  }

  bool read_int(const DocNode& map, const std::string& key, const std::string& path, int& out,
                bool required, int lo, int hi) {
    const DocNode* n = map.find(key);
    const std::string p = join_path(path, key);
    if (!n) {
      if (required) error(map.where, p, "missing required key (expected a whole number)");
      return false;
    }
    if (!n->is_scalar()) {
      error(n->where, p, fmt::format("expected a whole number, got {}", load::describe(*n)));
      return false;
    }
    const NumberText t = classify(n->scalar);
    if ((t.kind == NumberText::number && n->quoted) ||
        (t.kind == NumberText::malformed && !t.hint.empty())) {
      report_bad_number(*n, p, t, "a whole number", false);
      return false;
    }
    long long v = 0;
    const char* b = n->scalar.data();
    const char* e = b + n->scalar.size();
    auto [ptr, ec] = std::from_chars(b, e, v);
    if (ec == std::errc::result_out_of_range) {
      error(n->where, p, fmt::format("expected a whole number in [{}, {}], got '{}' (out of range)",
                                     lo, hi, n->scalar));
      return false;
    }
    if (ec != std::errc() || ptr != e) {
      error(n->where, p, fmt::format("expected a whole number, got {}", load::describe(*n)));
      return false;
    }
    if (v < lo || v > hi) {
      error(n->where, p, fmt::format("expected a whole number in [{}, {}], got {}", lo, hi, v));
      return false;
    }
    out = static_cast<int>(v);
    return true;
  }

  std::optional<Source> read_source(const DocNode& n, const std::string& path) {
    if (!expect_map(n, path, "a source mapping {file: ..., quote: ...}")) return std::nullopt;
    check_keys(n, path, {"file", "quote"});
    Source src;
    src.file = read_string(n, "file", path, true);
    src.quote = read_string(n, "quote", path, true);
    src.where = n.where;
    return src;
  }

  // Reads the distribution keys of a parameter mapping.
  void read_distribution(const DocNode& n, const std::string& path, Distribution& d) {
    const DocNode* value = n.find("value");
    const DocNode* dist = n.find("dist");
    if (value && dist) {
      error(dist->where, join_path(path, "dist"), "give either 'value' or 'dist', not both");
      return;
    }
    if (!value && !dist) {
      error(n.where, path, "expected 'value: <number>' or 'dist: <kind>' with its parameters");
      return;
    }
    // Arguments of another kind of distribution are mistakes, not extras to ignore.
    auto reject_other_arguments = [&](const std::vector<std::string>& takes, const std::string& what,
                                      std::string hint) {
      const auto& all = kDistributionArguments;
      for (const auto& e : n.map) {
        const bool argument = std::find(all.begin(), all.end(), e.key) != all.end();
        if (argument && std::find(takes.begin(), takes.end(), e.key) == takes.end())
          error(e.key_where, join_path(path, e.key), fmt::format("unknown key for {}", what), hint);
      }
    };
    if (value) {
      d.kind = DistKind::constant;
      double v = 0;
      if (number_of(*value, join_path(path, "value"), v)) d.args = {v};
      reject_other_arguments({}, "a fixed value",
                             "distribution arguments need 'dist: <kind>' instead of 'value'");
      return;
    }
    const std::string kind = dist->is_scalar() ? dist->scalar : std::string{};
    static const std::vector<std::string> kinds = [] {
      std::vector<std::string> out;
      for (const auto& spec : kDistributions) out.push_back(spec.name);
      return out;
    }();
    const auto& specs = kDistributions;
    std::size_t idx = kinds.size();
    for (std::size_t i = 0; i < kinds.size(); ++i)
      if (kinds[i] == kind) idx = i;
    if (idx == kinds.size()) {
      error(dist->where, join_path(path, "dist"),
            fmt::format("expected a distribution kind, got {}", load::describe(*dist)),
            suggest(kind, kinds, "one of: " + join_list(kinds)));
      return;
    }
    d.kind = specs[idx].kind;
    reject_other_arguments(specs[idx].args, fmt::format("a {} distribution", kind),
                           "it takes " + join_list(specs[idx].args));
    if (d.kind == DistKind::choice) {
      auto read_list = [&](const char* key, std::vector<double>& out) {
        const DocNode* l = n.find(key);
        const std::string p = join_path(path, key);
        if (!l) {
          error(n.where, p, "missing required key (expected a list of numbers)");
          return;
        }
        if (!l->is_seq()) {
          error(l->where, p, fmt::format("expected a list of numbers, got {}", load::describe(*l)));
          return;
        }
        for (std::size_t i = 0; i < l->seq.size(); ++i) {
          double v = 0;
          if (number_of(l->seq[i], fmt::format("{}[{}]", p, i), v)) out.push_back(v);
        }
      };
      read_list("values", d.values);
      read_list("weights", d.weights);
      return;
    }
    for (const auto& a : specs[idx].args) {
      double v = 0;
      if (read_number(n, a, path, v, true)) d.args.push_back(v);
    }
  }

  static const std::vector<std::string>& param_keys() {
    static const std::vector<std::string> keys = {
        "value", "dist",   "low",    "high",   "mean", "sd",          "mu",
        "sigma", "alpha",  "beta",   "mode",   "values", "weights",   "unit",
        "source", "assumption", "description"};
    return keys;
  }

  void read_parameter_body(const DocNode& n, const std::string& path, Parameter& p) {
    check_keys(n, path, param_keys());
    read_distribution(n, path, p.dist);
    p.unit = read_string(n, "unit", path, false);
    p.description = read_string(n, "description", path, false);
    p.assumption = read_string(n, "assumption", path, false);
    if (const DocNode* src = n.find("source")) p.source = read_source(*src, join_path(path, "source"));
    p.where = n.where;
    p.key_path = path;
  }

  // A numeric field: a literal, a parameter name, or an inline parameter mapping.
  ValueRef read_value(const DocNode& map, const std::string& key, const std::string& path,
                      bool required, std::optional<double> fallback = std::nullopt) {
    const std::string p = join_path(path, key);
    const DocNode* n = map.find(key);
    if (!n) {
      if (required) {
        error(map.where, p, "missing required key (expected a number or a parameter name)");
        return {};
      }
      if (!fallback) return {};
      return add_constant(*fallback, map.where, p, /*is_default=*/true);
    }
    return value_of(*n, p);
  }

  ValueRef value_of(const DocNode& n, const std::string& p) {
    if (n.is_scalar()) {
      const NumberText num = classify(n.scalar);
      if (report_bad_number(n, p, num, "a number", true)) return {};
      if (num.kind == NumberText::number) return add_constant(num.value, n.where, p, false);
      const std::string& t = n.scalar;
      if (t.empty()) {
        error(n.where, p, "expected a number or a parameter name, got an empty text");
        return {};
      }
      if (!check_name(t, n.where, p)) return {};
      return ValueRef{t, n.where, p};
    }
    if (n.is_map()) {
      Parameter param;
      param.name = p;
      read_parameter_body(n, p, param);
      s_.parameters.push_back(std::move(param));
      return ValueRef{p, n.where, p};
    }
    error(n.where, p,
          fmt::format("expected a number, a parameter name or a parameter mapping, got {}",
                      load::describe(n)));
    return {};
  }

  ValueRef add_constant(double v, const Location& w, const std::string& path, bool is_default) {
    Parameter param;
    param.name = path;
    param.dist.kind = DistKind::constant;
    param.dist.args = {v};
    param.where = w;
    param.key_path = path;
    if (is_default) param.assumption = "engine default";
    s_.parameters.push_back(std::move(param));
    ++anon_count_;
    return ValueRef{path, w, path};
  }

  template <class F>
  void for_each_named(const DocNode* n, const std::string& path, const char* what, F&& f) {
    if (!n) return;
    if (n->is_null()) return;
    if (!expect_map(*n, path, what)) return;
    for (const auto& e : n->map) {
      const std::string p = join_path(path, e.key);
      if (!check_name(e.key, e.key_where, p)) continue;
      f(e, p);
    }
  }

  std::vector<Condition> read_conditions(const DocNode& map, const std::string& key,
                                         const std::string& path) {
    std::vector<Condition> out;
    const DocNode* n = map.find(key);
    if (!n) return out;
    const std::string p = join_path(path, key);
    if (!n->is_seq()) {
      error(n->where, p, fmt::format("expected a list of conditions like '- {{var: x, ge: 1}}', got {}",
                                     load::describe(*n)));
      return out;
    }
    static const std::vector<std::string> ops = {"lt", "le", "gt", "ge", "eq", "ne"};
    for (std::size_t i = 0; i < n->seq.size(); ++i) {
      const DocNode& c = n->seq[i];
      const std::string cp = fmt::format("{}[{}]", p, i);
      if (!expect_map(c, cp, "a condition mapping {var: name, ge: value}")) continue;
      std::vector<std::string> allowed = {"var"};
      allowed.insert(allowed.end(), ops.begin(), ops.end());
      check_keys(c, cp, allowed);
      Condition cond;
      cond.var = read_string(c, "var", cp, true);
      cond.var_where = where_of(c, "var");
      cond.where = c.where;
      cond.key_path = cp;
      int found = 0;
      for (std::size_t k = 0; k < ops.size(); ++k) {
        if (c.find(ops[k])) {
          ++found;
          cond.op = static_cast<CompareOp>(k);
          cond.value = read_value(c, ops[k], cp, true);
        }
      }
      if (found != 1) {
        error(c.where, cp, fmt::format("expected exactly one comparison ({}), got {}",
                                       join_list(ops), found));
        continue;
      }
      out.push_back(std::move(cond));
    }
    return out;
  }

  std::vector<Effect> read_effects(const DocNode& map, const std::string& path) {
    std::vector<Effect> out;
    const DocNode* n = map.find("effects");
    if (!n) return out;
    const std::string p = join_path(path, "effects");
    if (!n->is_seq()) {
      error(n->where, p, fmt::format("expected a list of effects like '- {{var: x, add: 1}}', got {}",
                                     load::describe(*n)));
      return out;
    }
    static const std::vector<std::string> ops = {"add", "set", "mul"};
    for (std::size_t i = 0; i < n->seq.size(); ++i) {
      const DocNode& c = n->seq[i];
      const std::string cp = fmt::format("{}[{}]", p, i);
      if (!expect_map(c, cp, "an effect mapping {var: name, add: value}")) continue;
      check_keys(c, cp, {"var", "add", "set", "mul", "times"});
      Effect eff;
      eff.var = read_string(c, "var", cp, true);
      eff.times_var = read_string(c, "times", cp, false);
      eff.var_where = where_of(c, "var");
      eff.times_where = where_of(c, "times");
      eff.where = c.where;
      eff.key_path = cp;
      int found = 0;
      for (std::size_t k = 0; k < ops.size(); ++k) {
        if (c.find(ops[k])) {
          ++found;
          eff.op = static_cast<EffectOp>(k);
          eff.value = read_value(c, ops[k], cp, true);
        }
      }
      if (found != 1) {
        error(c.where, cp, fmt::format("expected exactly one of add, set, mul, got {}", found));
        continue;
      }
      out.push_back(std::move(eff));
    }
    return out;
  }

  RungMove read_move(const DocNode& map, const std::string& path) {
    RungMove m;
    const DocNode* step = map.find("step");
    const DocNode* to = map.find("to_rung");
    if (step && to) {
      error(to->where, join_path(path, "to_rung"), "give either 'step' or 'to_rung', not both");
      return m;
    }
    if (step) {
      int v = 0;
      if (read_int(map, "step", path, v, true, -100, 100)) {
        m.kind = RungMove::Kind::step;
        m.step = v;
      }
      m.where = step->where;
      m.key_path = join_path(path, "step");
    } else if (to) {
      m.kind = RungMove::Kind::to;
      m.to_rung = read_string(map, "to_rung", path, true);
      m.where = to->where;
      m.key_path = join_path(path, "to_rung");
    }
    return m;
  }

  void read_action(const MapEntry& e, const std::string& path, Actor& actor) {
    const DocNode& n = e.value;
    if (!expect_map(n, path, "an action mapping")) return;
    check_keys(n, path,
               {"label", "description", "class", "min_rung", "max_rung", "requires", "cost",
                "gain", "step", "to_rung", "effects", "utility", "sources"});
    Action a;
    a.name = e.key;
    a.where = e.key_where;
    a.key_path = path;
    a.label = read_string(n, "label", path, false);
    a.description = read_string(n, "description", path, false);
    const std::string cls = read_string(n, "class", path, true,
                                        "an escalation class: one of " + join_list(kClassNames));
    if (!cls.empty()) {
      bool found = false;
      for (std::size_t i = 0; i < kClassNames.size(); ++i)
        if (kClassNames[i] == cls) {
          a.escalation_class = static_cast<EscalationClass>(i);
          found = true;
        }
      if (!found)
        error(n.find("class")->where, join_path(path, "class"),
              fmt::format("expected an escalation class, got '{}'", cls),
              suggest(cls, kClassNames, "one of: " + join_list(kClassNames)));
    }
    a.min_rung = read_string(n, "min_rung", path, false);
    a.max_rung = read_string(n, "max_rung", path, false);
    a.min_rung_where = where_of(n, "min_rung");
    a.max_rung_where = where_of(n, "max_rung");
    a.requires_ = read_conditions(n, "requires", path);
    a.cost = read_value(n, "cost", path, false, 0.0);
    a.gain = read_value(n, "gain", path, false, 0.0);
    a.move = read_move(n, path);
    a.effects = read_effects(n, path);
    if (const DocNode* u = n.find("utility")) {
      const std::string up = join_path(path, "utility");
      if (!u->is_seq()) {
        error(u->where, up, fmt::format("expected a list like '- {{var: x, weight: 0.1}}', got {}",
                                        load::describe(*u)));
      } else {
        for (std::size_t i = 0; i < u->seq.size(); ++i) {
          const DocNode& t = u->seq[i];
          const std::string tp = fmt::format("{}[{}]", up, i);
          if (!expect_map(t, tp, "a utility term {var: name, weight: value}")) continue;
          check_keys(t, tp, {"var", "weight", "label"});
          UtilityTerm term;
          term.var = read_string(t, "var", tp, true);
          term.var_where = where_of(t, "var");
          term.weight = read_value(t, "weight", tp, true);
          term.label = read_string(t, "label", tp, false);
          term.where = t.where;
          term.key_path = tp;
          a.utility.push_back(std::move(term));
        }
      }
    }
    if (const DocNode* srcs = n.find("sources")) {
      const std::string sp = join_path(path, "sources");
      if (!srcs->is_seq()) {
        error(srcs->where, sp, fmt::format("expected a list of sources, got {}", load::describe(*srcs)));
      } else {
        for (std::size_t i = 0; i < srcs->seq.size(); ++i)
          if (auto s = read_source(srcs->seq[i], fmt::format("{}[{}]", sp, i))) a.sources.push_back(*s);
      }
    }
    actor.actions.push_back(std::move(a));
  }

  void read_actor(const MapEntry& e, const std::string& path) {
    const DocNode& n = e.value;
    if (!expect_map(n, path, "an actor mapping")) return;
    check_keys(n, path, {"label", "description", "rationality", "resolve", "risk_tolerance",
                         "capacity", "reciprocity", "actions"});
    Actor a;
    a.name = e.key;
    a.where = e.key_where;
    a.key_path = path;
    a.label = read_string(n, "label", path, false);
    a.description = read_string(n, "description", path, false);
    a.rationality = read_value(n, "rationality", path, true);
    a.resolve = read_value(n, "resolve", path, false, 0.0);
    a.risk_tolerance = read_value(n, "risk_tolerance", path, false, 0.5);
    a.capacity = read_value(n, "capacity", path, false, 1.0);
    a.reciprocity = read_value(n, "reciprocity", path, false, 0.0);
    const DocNode* actions = n.find("actions");
    if (!actions) {
      error(n.where, join_path(path, "actions"), "missing required key (expected the actor's actions)");
    }
    for_each_named(actions, join_path(path, "actions"), "a mapping of actions",
                   [&](const MapEntry& ae, const std::string& ap) { read_action(ae, ap, a); });
    s_.actors.push_back(std::move(a));
  }

  void read_matrix(const DocNode* n, const std::string& path, std::vector<MatrixEntry>& out) {
    for_each_named(n, path, "a mapping of actor to {actor: value}",
                   [&](const MapEntry& row, const std::string& rp) {
                     for_each_named(&row.value, rp, "a mapping of actor to value",
                                    [&](const MapEntry& col, const std::string& cp) {
                                      MatrixEntry m;
                                      m.row = row.key;
                                      m.col = col.key;
                                      m.value = value_of(col.value, cp);
                                      m.where = col.key_where;
                                      m.key_path = cp;
                                      m.row_where = row.key_where;
                                      m.row_path = rp;
                                      out.push_back(std::move(m));
                                    });
                   });
  }
};

void Reader::read(const DocNode& root) {
  if (!root.is_map()) {
    if (sink_.empty())
      error(root.where, "", fmt::format("expected a scenario mapping at the top of the file, got {}",
                                        load::describe(root)));
    return;
  }
  check_keys(root, "",
             {"geosim", "name", "title", "question", "description", "extends", "time",
              "parameters", "state", "ladder", "end_states", "actors", "relations", "leverage",
              "wishes", "events", "escalation_weights"});
  int version = 1;
  if (read_int(root, "geosim", "", version, false, std::numeric_limits<int>::min(),
               std::numeric_limits<int>::max()) &&
      version != 1)
    error(root.find("geosim")->where, "geosim", fmt::format("expected format version 1, got {}", version),
          "this engine reads version 1 of the scenario format");
  s_.name = read_string(root, "name", "", true);
  if (!s_.name.empty() || (root.find("name") && root.find("name")->is_scalar()))
    check_name(s_.name, root.find("name")->where, "name");  // "" is not a name either
  s_.title = read_string(root, "title", "", false);
  name_a_child_after_its_file(root);
  s_.question = read_string(root, "question", "", false);
  s_.description = read_string(root, "description", "", false);

  if (const DocNode* t = root.find("time"); !t) {
    error(root.where, "time", "missing required key (expected {start, tick_days, horizon})");
  } else if (expect_map(*t, "time", "a mapping {start, tick_days, horizon}")) {
    check_keys(*t, "time", {"start", "tick_days", "horizon"});
    s_.start_date = read_string(*t, "start", "time", false);
    if (!s_.start_date.empty() && !is_date(s_.start_date))
      error(t->find("start")->where, "time.start",
            fmt::format("expected a date written YYYY-MM-DD, got '{}'", s_.start_date));
    read_int(*t, "tick_days", "time", s_.tick_days, false, 1, 366);
    read_int(*t, "horizon", "time", s_.horizon, true, 1, 10000);
    s_.horizon_where = where_of(*t, "horizon");
  }

  for_each_named(root.find("parameters"), "parameters", "a mapping of parameters",
                 [&](const MapEntry& e, const std::string& p) {
                   if (!expect_map(e.value, p, "a parameter mapping {value: ...} or {dist: ...}"))
                     return;
                   Parameter param;
                   param.name = e.key;
                   param.declared = true;
                   param.new_in_child = new_in_child_.count(e.key) > 0;
                   read_parameter_body(e.value, p, param);
                   param.where = e.key_where;
                   s_.parameters.push_back(std::move(param));
                 });

  for_each_named(root.find("state"), "state", "a mapping of state variables",
                 [&](const MapEntry& e, const std::string& p) {
                   if (!expect_map(e.value, p, "a state variable mapping")) return;
                   check_keys(e.value, p,
                              {"label", "unit", "description", "initial", "min", "max", "report"});
                   StateVar v;
                   v.name = e.key;
                   v.where = e.key_where;
                   v.key_path = p;
                   v.label = read_string(e.value, "label", p, false);
                   v.unit = read_string(e.value, "unit", p, false);
                   v.description = read_string(e.value, "description", p, false);
                   v.initial = read_value(e.value, "initial", p, false, 0.0);
                   double x = 0;
                   if (read_number(e.value, "min", p, x, false)) v.min = x;
                   if (read_number(e.value, "max", p, x, false)) v.max = x;
                   const std::string rep = read_string(e.value, "report", p, false);
                   if (!rep.empty()) {
                     if (rep == "true") v.report = true;
                     else if (rep == "false") v.report = false;
                     else
                       error(e.value.find("report")->where, join_path(p, "report"),
                             fmt::format("expected true or false, got '{}'", rep));
                   }
                   s_.state.push_back(std::move(v));
                 });

  if (const DocNode* l = root.find("ladder"); !l) {
    error(root.where, "ladder", "missing required key (expected {rungs: [...], start: name})");
  } else if (expect_map(*l, "ladder", "a mapping {rungs: [...], start: name}")) {
    check_keys(*l, "ladder", {"rungs", "start"});
    s_.start_rung = read_string(*l, "start", "ladder", false);
    s_.start_rung_where = where_of(*l, "start");
    const DocNode* rungs = l->find("rungs");
    s_.rungs_where = rungs ? rungs->where : l->where;
    if (!rungs) {
      error(l->where, "ladder.rungs", "missing required key (expected a list of rungs)");
    } else if (!rungs->is_seq()) {
      error(rungs->where, "ladder.rungs",
            fmt::format("expected a list of rungs, lowest first, got {}", load::describe(*rungs)));
    } else {
      for (std::size_t i = 0; i < rungs->seq.size(); ++i) {
        const DocNode& r = rungs->seq[i];
        const std::string p = fmt::format("ladder.rungs[{}]", i);
        if (!expect_map(r, p, "a rung mapping {name, label, danger}")) continue;
        check_keys(r, p, {"name", "label", "description", "danger"});
        Rung rung;
        rung.name = read_string(r, "name", p, true);
        rung.name_where = where_of(r, "name");
        if (!rung.name.empty()) check_name(rung.name, rung.name_where, join_path(p, "name"));
        rung.label = read_string(r, "label", p, false);
        rung.description = read_string(r, "description", p, false);
        rung.danger = read_value(r, "danger", p, false, 0.0);
        rung.where = r.where;
        rung.key_path = p;
        s_.rungs.push_back(std::move(rung));
      }
    }
  }

  for_each_named(root.find("end_states"), "end_states", "a mapping of end states",
                 [&](const MapEntry& e, const std::string& p) {
                   const DocNode& n = e.value;
                   if (!expect_map(n, p, "an end state mapping")) return;
                   check_keys(n, p, {"label", "description", "all_chosen", "any_chosen", "rung",
                                     "state", "probability"});
                   if (e.key == "ongoing")
                     error(e.key_where, p,
                           "'ongoing' is reserved: it names the outcome of runs that reach the "
                           "horizon without an end state",
                           "choose another name");
                   EndState es;
                   es.name = e.key;
                   es.where = e.key_where;
                   es.key_path = p;
                   es.label = read_string(n, "label", p, false);
                   es.description = read_string(n, "description", p, false);
                   int kinds = 0;
                   for (const char* k : {"all_chosen", "any_chosen"}) {
                     const DocNode* l = n.find(k);
                     if (!l) continue;
                     ++kinds;
                     es.kind = std::string(k) == "all_chosen" ? EndState::Kind::all_chosen
                                                              : EndState::Kind::any_chosen;
                     if (!l->is_seq() || l->seq.empty()) {
                       error(l->where, join_path(p, k),
                             fmt::format("expected a non-empty list of actions 'actor.action', got {}",
                                         load::describe(*l)));
                       continue;
                     }
                     for (const auto& item : l->seq) {
                       if (!item.is_scalar()) {
                         error(item.where, join_path(p, k),
                               fmt::format("expected an action 'actor.action', got {}",
                                           load::describe(item)));
                         continue;
                       }
                       es.actions.push_back(item.scalar);
                       es.action_where.push_back(item.where);
                     }
                   }
                   if (n.find("rung")) {
                     ++kinds;
                     es.kind = EndState::Kind::rung;
                     es.rung = read_string(n, "rung", p, true);
                     es.rung_where = where_of(n, "rung");
                   }
                   if (n.find("state")) {
                     ++kinds;
                     es.kind = EndState::Kind::state;
                     es.conditions = read_conditions(n, "state", p);
                   }
                   if (kinds != 1)
                     error(n.where, p,
                           fmt::format("expected exactly one trigger (all_chosen, any_chosen, rung "
                                       "or state), got {}",
                                       kinds));
                   es.probability = read_value(n, "probability", p, false, 1.0);
                   s_.end_states.push_back(std::move(es));
                 });

  s_.actors_where = where_of(root, "actors");
  for_each_named(root.find("actors"), "actors", "a mapping of actors",
                 [&](const MapEntry& e, const std::string& p) { read_actor(e, p); });
  if (!root.find("actors")) error(root.where, "actors", "missing required key (expected the actors)");

  read_matrix(root.find("relations"), "relations", s_.relations);
  read_matrix(root.find("leverage"), "leverage", s_.leverage);

  for_each_named(root.find("wishes"), "wishes", "a mapping of actor to {actor.action: value}",
                 [&](const MapEntry& row, const std::string& rp) {
                   if (!expect_map(row.value, rp, "a mapping of 'actor.action' to value")) return;
                   for (const auto& col : row.value.map) {
                     Wish w;
                     w.actor = row.key;
                     w.target_action = col.key;
                     const std::string cp = join_path(rp, col.key);
                     w.value = value_of(col.value, cp);
                     w.where = col.key_where;
                     w.key_path = cp;
                     w.actor_where = row.key_where;
                     w.actor_path = rp;
                     s_.wishes.push_back(std::move(w));
                   }
                 });

  for_each_named(root.find("events"), "events", "a mapping of events",
                 [&](const MapEntry& e, const std::string& p) {
                   const DocNode& n = e.value;
                   if (!expect_map(n, p, "an event mapping")) return;
                   check_keys(n, p, {"label", "description", "kind", "rate", "probability", "per",
                                     "min_rung", "max_rung", "requires", "effects", "step",
                                     "to_rung"});
                   Event ev;
                   ev.name = e.key;
                   ev.where = e.key_where;
                   ev.key_path = p;
                   ev.label = read_string(n, "label", p, false);
                   static const std::vector<std::string> kinds = {"poisson", "bernoulli", "flow"};
                   const std::string kind =
                       read_string(n, "kind", p, true, "an event kind: one of " + join_list(kinds));
                   // What each kind takes; the others' keys are mistakes. An unknown or missing
                   // kind is reported alone: what its other keys mean depends on the kind meant.
                   auto not_for = [&](const char* key, const std::string& message) {
                     if (const DocNode* k = n.find(key)) error(k->where, join_path(p, key), message);
                   };
                   if (kind == "poisson") {
                     ev.kind = Event::Kind::poisson;
                     ev.rate = read_value(n, "rate", p, true);
                     not_for("probability",
                             "'probability' is for bernoulli events; a poisson event has 'rate'");
                   } else if (kind == "bernoulli") {
                     ev.kind = Event::Kind::bernoulli;
                     ev.rate = read_value(n, "probability", p, true);
                     not_for("rate", "'rate' is for poisson events; a bernoulli event has 'probability'");
                     not_for("per", "'per' is for poisson events; a bernoulli event has one "
                                    "probability per tick");
                   } else if (kind == "flow") {
                     ev.kind = Event::Kind::flow;
                     not_for("rate", "'rate' is for poisson events; a flow event applies its effects "
                                     "every tick");
                     not_for("probability", "'probability' is for bernoulli events; a flow event "
                                            "applies its effects every tick");
                     not_for("per", "'per' is for poisson events; a flow event applies its effects "
                                    "every tick");
                   } else if (!kind.empty()) {
                     error(n.find("kind")->where, join_path(p, "kind"),
                           fmt::format("expected an event kind, got '{}'", kind),
                           suggest(kind, kinds, "one of: " + join_list(kinds)));
                   }
                   if (ev.kind == Event::Kind::poisson) {
                     ev.per_var = read_string(n, "per", p, false);
                     ev.per_where = where_of(n, "per");
                   }
                   ev.min_rung = read_string(n, "min_rung", p, false);
                   ev.max_rung = read_string(n, "max_rung", p, false);
                   ev.min_rung_where = where_of(n, "min_rung");
                   ev.max_rung_where = where_of(n, "max_rung");
                   ev.requires_ = read_conditions(n, "requires", p);
                   ev.effects = read_effects(n, p);
                   ev.move = read_move(n, p);
                   s_.events.push_back(std::move(ev));
                 });

  if (const DocNode* w = root.find("escalation_weights")) {
    if (expect_map(*w, "escalation_weights", "a mapping of escalation class to weight")) {
      check_keys(*w, "escalation_weights", kClassNames);
      for (std::size_t i = 0; i < kClassNames.size(); ++i) {
        double v = 0;
        if (w->find(kClassNames[i]) &&
            read_number(*w, kClassNames[i], "escalation_weights", v, true))
          s_.class_weights[i] = v;
      }
    }
  }
}

// Where the format asks for one of several keys, a child that sets one of them replaces the
// base's choice instead of merging into it: `value:` over an inherited `dist: uniform, low, high`
// is a constant, not "both". The base's keys of the group go, and so do the base's keys that only
// some choices take (a distribution's arguments, an event's rate) when the child's choice does not
// take them; the keys the child's choice takes are inherited unless the child sets them
// (`dist: triangular, mode: 0.1` over `dist: uniform, low, high` keeps low and high). The other
// keys of the mapping (unit, source, label, probability, ...) merge as usual.
struct ChoiceGroup {
  std::vector<std::string> keys;        // exactly one of these is given
  std::vector<std::string> dependents;  // keys that only some choices take
  // The dependents that a mapping's choice takes (none for a choice that is not known).
  std::vector<std::string> (*takes)(const DocNode& map);
};

const ChoiceGroup kParameterForm = {
    {"value", "dist"},
    kDistributionArguments,
    [](const DocNode& map) -> std::vector<std::string> {
      const DocNode* dist = map.find("dist");
      if (map.find("value") || !dist || !dist->is_scalar()) return {};
      for (const auto& spec : kDistributions)
        if (spec.name == dist->scalar) return spec.args;
      return {};
    }};

const ChoiceGroup kEndStateTrigger = {
    {"all_chosen", "any_chosen", "rung", "state"}, {}, [](const DocNode&) {
      return std::vector<std::string>{};
    }};

const ChoiceGroup kRungMove = {{"step", "to_rung"}, {}, [](const DocNode&) {
                                 return std::vector<std::string>{};
                               }};

const ChoiceGroup kEventKind = {
    {"kind"}, {"rate", "probability", "per"}, [](const DocNode& map) -> std::vector<std::string> {
      const DocNode* kind = map.find("kind");
      if (!kind || !kind->is_scalar()) return {};
      if (kind->scalar == "poisson") return {"rate", "per"};
      if (kind->scalar == "bernoulli") return {"probability"};
      return {};
    }};

// Key patterns ("*": any key) of the mappings that are parameter mappings: `parameters:` and every
// numeric field that may hold an inline one (the fields Reader reads with read_value or value_of,
// outside lists: a child replaces a list whole, so nothing in one is merged).
bool is_parameter_mapping(const std::vector<std::string>& keys) {
  static const std::vector<std::vector<std::string_view>> patterns = {
      {"parameters", "*"},
      {"actors", "*", "rationality"},
      {"actors", "*", "resolve"},
      {"actors", "*", "risk_tolerance"},
      {"actors", "*", "capacity"},
      {"actors", "*", "reciprocity"},
      {"actors", "*", "actions", "*", "cost"},
      {"actors", "*", "actions", "*", "gain"},
      {"state", "*", "initial"},
      {"end_states", "*", "probability"},
      {"events", "*", "rate"},
      {"events", "*", "probability"},
      {"relations", "*", "*"},
      {"leverage", "*", "*"},
      {"wishes", "*", "*"}};
  for (const auto& pat : patterns) {
    if (pat.size() != keys.size()) continue;
    bool match = true;
    for (std::size_t i = 0; i < pat.size() && match; ++i) match = pat[i] == "*" || pat[i] == keys[i];
    if (match) return true;
  }
  return false;
}

// The choice a mapping makes in `group`: the keys of the group it gives, with their text values
// (so `dist: normal` and `dist: beta` differ). Empty if it gives none.
std::string choice_of(const DocNode& map, const ChoiceGroup& group) {
  std::string out;
  for (const auto& k : group.keys)
    if (const DocNode* v = map.find(k)) out += k + "=" + (v->is_scalar() ? v->scalar : "") + ";";
  return out;
}

// Applies `group` to `base` before `over` is merged into it (see above). When the choice changes,
// the merged mapping takes the child's location if `relocate`: what is then missing or wrong
// about the choice (a missing distribution argument, a second trigger) is the child's to fix.
void replace_choice(DocNode& base, const DocNode& over, const ChoiceGroup& group, bool relocate) {
  const std::string chosen = choice_of(over, group);
  if (chosen.empty()) return;
  const std::vector<std::string> taken = group.takes(over);
  auto in = [](const std::vector<std::string>& list, const std::string& key) {
    return std::find(list.begin(), list.end(), key) != list.end();
  };
  const bool changed = chosen != choice_of(base, group);
  std::erase_if(base.map, [&](const MapEntry& e) {
    return in(group.keys, e.key) || (in(group.dependents, e.key) && !in(taken, e.key));
  });
  if (changed && relocate) base.where = over.where;
}

// A child that sets a parameter's value (`value`, `dist` or a distribution's argument) and gives no
// reason for it (`source` or `assumption`) leaves it with none: the base's reason was for the base's
// value, and a story, a report or `geosim sources` would otherwise cite it for the child's.
// `geosim sources` then lists the parameter among the numbers with neither, at the child's line.
void drop_reasons_of_an_old_value(DocNode& base, const DocNode& over) {
  bool sets_value = over.find("value") || over.find("dist");
  for (const auto& a : kDistributionArguments) sets_value = sets_value || over.find(a);
  if (!sets_value || over.find("source") || over.find("assumption")) return;
  std::erase_if(base.map, [](const MapEntry& e) { return e.key == "source" || e.key == "assumption"; });
}

// The merge hook of `extends:`: where each choice group of the format applies.
void drop_replaced_choices(const std::vector<std::string>& keys, DocNode& base,
                           const DocNode& over) {
  const std::size_t n = keys.size();
  if (is_parameter_mapping(keys)) {
    replace_choice(base, over, kParameterForm, true);
    drop_reasons_of_an_old_value(base, over);
  } else if (n == 2 && keys[0] == "end_states") {
    replace_choice(base, over, kEndStateTrigger, true);
  } else if (n == 4 && keys[0] == "actors" && keys[2] == "actions") {
    replace_choice(base, over, kRungMove, false);
  } else if (n == 2 && keys[0] == "events") {
    replace_choice(base, over, kEventKind, true);
    replace_choice(base, over, kRungMove, false);
  }
}

// Loads `path` and the chain of files it extends, merged base-first. Each node keeps its file.
// `new_parameters` receives the names of the parameters that a file declares and none of the files
// it extends does.
load::DocNode load_chain(const std::filesystem::path& path, DiagnosticSink& sink,
                         std::vector<std::string>& files, std::set<std::string>& new_parameters,
                         const std::string* text = nullptr, const std::string& display = {}) {
  constexpr int kMaxChain = 16;
  std::vector<load::DocNode> docs;  // child first
  std::set<std::string> seen;
  std::filesystem::path current = path;
  for (int depth = 0;; ++depth) {
    load::DocNode doc;
    std::string name;
    if (depth == 0 && text) {
      name = display;
      doc = load::parse_yaml(*text, display, sink);
    } else {
      std::error_code ec;
      auto canon = std::filesystem::weakly_canonical(current, ec);
      name = current.lexically_normal().string();
      if (!seen.insert(ec ? name : canon.string()).second) {
        const std::string cycle = files.empty() ? name : files.back();
        sink.error(docs.back().find("extends")->where, "extends",
                   fmt::format("'extends:' makes a cycle: '{}' is already in the chain", name),
                   "the chain is: " + [&] {
                     std::string c;
                     for (const auto& f : files) c += f + " -> ";
                     return c + name;
                   }());
        return {};
      }
      doc = load::parse_yaml_file(current, sink);
    }
    files.push_back(name);
    if (!doc.is_map()) {
      if (sink.empty())
        sink.error(doc.where.file.empty() ? Location{name, 1, 1} : doc.where, "",
                   fmt::format("expected a scenario mapping at the top of the file, got {}",
                               load::describe(doc)));
      return {};
    }
    const load::DocNode* ext = doc.find("extends");
    docs.push_back(std::move(doc));
    if (!ext) break;
    if (!ext->is_scalar() || ext->scalar.empty()) {
      sink.error(ext->where, "extends",
                 fmt::format("expected the path of the scenario this one extends, got {}",
                             load::describe(*ext)));
      return {};
    }
    if (depth + 1 >= kMaxChain) {
      sink.error(ext->where, "extends",
                 fmt::format("'extends:' chain longer than {} files", kMaxChain));
      return {};
    }
    const std::filesystem::path base_dir =
        (depth == 0 && text) ? path : current.parent_path();
    current = base_dir / ext->scalar;
    std::error_code ec;
    if (!std::filesystem::exists(current, ec)) {
      const auto looked_for = std::filesystem::absolute(current, ec).lexically_normal();
      sink.error(ext->where, "extends",
                 fmt::format("expected an existing scenario file, got '{}' (looked for '{}')",
                             ext->scalar, looked_for.string()),
                 load::did_you_mean_file(current, ext->scalar));
      return {};
    }
    if (std::filesystem::is_directory(current, ec)) {
      sink.error(ext->where, "extends", "expected a scenario file, got a directory",
                 fmt::format("'{}' is a folder; name a scenario file in it",
                             current.lexically_normal().string()));
      return {};
    }
  }
  std::set<std::string> declared_by_bases;
  for (auto it = docs.rbegin(); it != docs.rend(); ++it) {
    const load::DocNode* params = it->find("parameters");
    if (!params || !params->is_map()) continue;
    for (const auto& e : params->map) {
      if (it != docs.rbegin() && !declared_by_bases.count(e.key)) new_parameters.insert(e.key);
      declared_by_bases.insert(e.key);
    }
  }
  load::DocNode merged = std::move(docs.back());
  for (auto it = docs.rbegin() + 1; it != docs.rend(); ++it)
    load::merge_into(merged, *it, drop_replaced_choices);
  // The merged document no longer "extends" anything.
  std::erase_if(merged.map, [](const load::MapEntry& e) { return e.key == "extends"; });
  return merged;
}

Scenario read_scenario(const load::DocNode& doc, std::vector<std::string> files,
                       const std::set<std::string>& new_parameters, DiagnosticSink& sink) {
  Scenario s;
  s.files = std::move(files);
  if (!sink.empty() && !doc.is_map()) sink.throw_if_any();
  Reader r(s, sink, new_parameters);
  r.read(doc);
  sink.throw_if_any();
  return s;
}

}  // namespace

Scenario load_scenario(const std::filesystem::path& file) {
  DiagnosticSink sink;
  std::vector<std::string> files;
  std::set<std::string> new_parameters;
  auto doc = load_chain(file, sink, files, new_parameters);
  return read_scenario(doc, std::move(files), new_parameters, sink);
}

Scenario load_scenario_text(const std::string& text, const std::string& display_name,
                            const std::filesystem::path& base_dir) {
  DiagnosticSink sink;
  std::vector<std::string> files;
  std::set<std::string> new_parameters;
  auto doc = load_chain(base_dir, sink, files, new_parameters, &text, display_name);
  return read_scenario(doc, std::move(files), new_parameters, sink);
}

}  // namespace geosim
