#include "geosim/sources.h"
#include "load/yaml_tree.h"

#include <cctype>
#include <map>
#include <vector>

#include <fmt/format.h>

namespace geosim {

namespace {

// Collapses every run of whitespace to one space and trims, so a quote folded across lines in
// YAML still matches the article.
std::string squeeze(const std::string& s) {
  std::string out;
  bool space = false;
  for (unsigned char c : s) {
    if (std::isspace(c)) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += static_cast<char>(c);
  }
  return out;
}

}  // namespace

Passage closest_passage(std::string_view text, std::string_view pattern) {
  const std::size_t m = pattern.size();
  Passage best{0, 0, m};
  if (m == 0 || text.empty()) return best;
  // Column j of the table: the distance of pattern[0, i) to the best substring of text ending at
  // j, for every i; start[i] is where that substring begins. Row 0 is 0 everywhere (a match may
  // start at any position).
  std::vector<std::size_t> d(m + 1), prev(m + 1), start(m + 1), prev_start(m + 1);
  for (std::size_t i = 0; i <= m; ++i) prev[i] = i, prev_start[i] = 0;
  for (std::size_t j = 1; j <= text.size(); ++j) {
    d[0] = 0;
    start[0] = j;
    for (std::size_t i = 1; i <= m; ++i) {
      const std::size_t sub = prev[i - 1] + (pattern[i - 1] == text[j - 1] ? 0 : 1);
      const std::size_t del = d[i - 1] + 1;   // a pattern character missing from the text
      const std::size_t ins = prev[i] + 1;    // an extra text character
      if (sub <= del && sub <= ins) {
        d[i] = sub;
        start[i] = prev_start[i - 1];
      } else if (ins <= del) {
        d[i] = ins;
        start[i] = prev_start[i];
      } else {
        d[i] = del;
        start[i] = start[i - 1];
      }
    }
    if (d[m] < best.distance) best = {start[m], j, d[m]};
    std::swap(d, prev);
    std::swap(start, prev_start);
  }
  return best;
}

std::size_t SourceReport::missing_quotes() const {
  std::size_t n = 0;
  for (const auto& q : quotes) n += (q.file_found && q.quote_found) ? 0 : 1;
  return n;
}

SourceReport check_sources(const Scenario& scenario, const std::filesystem::path& seeds_dir) {
  SourceReport r;
  std::map<std::string, std::string> texts;  // file name -> squeezed text ("" if missing)
  std::map<std::string, bool> exists;
  auto check = [&](const std::string& what, const Source& src) {
    CitedQuote q{what, src, false, false, {}, 0};
    if (!exists.count(src.file)) {
      // A source is a file of the seeds folder, named without a folder part; an article past
      // 64 MiB (or /dev/zero under another name) counts as not found rather than being read on.
      std::string text;
      exists[src.file] =
          src.file.find('/') == std::string::npos &&
          load::read_file_limited(seeds_dir / src.file, std::size_t{64} << 20, text) ==
              load::ReadStatus::ok;
      texts[src.file] = exists[src.file] ? squeeze(text) : std::string();
    }
    q.file_found = exists[src.file];
    const std::string quote = squeeze(src.quote);
    q.quote_found = q.file_found && !quote.empty() && texts[src.file].find(quote) != std::string::npos;
    if (q.file_found && !q.quote_found && !quote.empty()) {
      const std::string& text = texts[src.file];
      const Passage near = closest_passage(text, quote);
      if (near.distance > 0 && near.distance * 4 <= quote.size()) {
        q.nearest = text.substr(near.begin, near.end - near.begin);
        q.nearest_distance = near.distance;
      }
    }
    r.quotes.push_back(std::move(q));
  };
  for (const auto& p : scenario.parameters) {
    if (p.source) check(p.name, *p.source);
    else if (!p.assumption.empty()) r.assumptions.push_back(&p);
    else r.bare.push_back(&p);
  }
  for (const auto& a : scenario.actors)
    for (const auto& act : a.actions)
      for (const auto& s : act.sources) check(act.key_path, s);
  return r;
}

std::string source_report_to_text(const Scenario& scenario, const SourceReport& report) {
  std::string out = fmt::format("Sources of scenario {} ({} parameters)\n", scenario.name,
                                scenario.parameters.size());
  std::map<std::string, std::vector<const CitedQuote*>> by_file;
  for (const auto& q : report.quotes) by_file[q.source.file].push_back(&q);
  for (const auto& [file, qs] : by_file) {
    out += fmt::format("\n{} ({} citations)\n", file, qs.size());
    for (const auto* q : qs) {
      const Parameter* p = find_parameter(scenario, q->what);
      std::string value;
      if (p && p->dist.kind == DistKind::constant && !p->dist.args.empty())
        value = fmt::format(" = {}{}", p->dist.args[0], p->unit.empty() ? "" : " " + p->unit);
      else if (p)
        value = fmt::format(" ~ {}{}", to_string(p->dist.kind), p->unit.empty() ? "" : " (" + p->unit + ")");
      out += fmt::format("  {} {}{}: \"{}\"\n", q->file_found && q->quote_found ? "ok " : "BAD",
                         q->what, value, q->source.quote);
    }
  }
  std::size_t defaults = 0;
  for (const auto* p : report.assumptions) defaults += p->assumption == "engine default" ? 1 : 0;
  out += fmt::format("\nAssumptions ({} stated{})\n", report.assumptions.size() - defaults,
                     defaults ? fmt::format(", plus {} engine defaults", defaults) : "");
  for (const auto* p : report.assumptions)
    if (p->assumption != "engine default")
      out += fmt::format("  {}: {}\n", p->name, p->assumption);
  if (!report.bare.empty()) {
    out += fmt::format("\nNumbers with neither a source nor an assumption ({}):\n", report.bare.size());
    for (const auto* p : report.bare)
      out += fmt::format("  {}:{}:{}: {}\n", p->where.file, p->where.line, p->where.column, p->name);
  }
  const auto missing = report.missing_quotes();
  if (missing) {
    out += fmt::format("\nProblems ({}):\n", missing);
    for (const auto& q : report.quotes) {
      if (q.file_found && q.quote_found) continue;
      out += fmt::format("  {}:{}:{}: error: {}: {}\n", q.source.where.file, q.source.where.line,
                         q.source.where.column, q.what,
                         !q.file_found
                             ? fmt::format("no source file '{}' in the seeds folder", q.source.file)
                         : q.nearest.empty()
                             ? fmt::format("quote not found verbatim in {}", q.source.file)
                             : fmt::format("quote not found verbatim in {} (closest passage, {} "
                                           "character{} different: \"{}\")",
                                           q.source.file, q.nearest_distance,
                                           q.nearest_distance == 1 ? "" : "s", q.nearest));
    }
  }
  return out;
}

std::string parameter_table_markdown(const Scenario& scenario) {
  auto cell = [](std::string t) {
    std::string out;
    for (char c : t) {
      if (c == '|') out += "\\|";
      else if (c == '\n') out += ' ';
      else out += c;
    }
    return out;
  };
  auto value_of = [](const Parameter& p) {
    const auto& a = p.dist.args;
    switch (p.dist.kind) {
      case DistKind::constant: return fmt::format("{}", a[0]);
      case DistKind::uniform: return fmt::format("uniform [{}, {}]", a[0], a[1]);
      case DistKind::normal: return fmt::format("normal (mean {}, sd {})", a[0], a[1]);
      case DistKind::lognormal: return fmt::format("lognormal (mu {}, sigma {})", a[0], a[1]);
      case DistKind::beta: return fmt::format("beta ({}, {}) on [0, 1]", a[0], a[1]);
      case DistKind::triangular: return fmt::format("triangular [{}, {}], mode {}", a[0], a[2], a[1]);
      case DistKind::choice: {
        std::string v;
        for (std::size_t i = 0; i < p.dist.values.size(); ++i)
          v += fmt::format("{}{} (weight {})", i ? ", " : "", p.dist.values[i], p.dist.weights[i]);
        return "one of " + v;
      }
    }
    return std::string{};
  };
  std::string out = fmt::format("| parameter | unit | value or distribution | source or assumption |\n|---|---|---|---|\n");
  for (const auto& p : scenario.parameters) {
    if (!p.declared) continue;
    std::string why;
    if (p.source) why = fmt::format("{}: \"{}\"", p.source->file.substr(0, 3), p.source->quote);
    if (!p.assumption.empty()) why += (why.empty() ? "assumption: " : "; assumption: ") + p.assumption;
    out += fmt::format("| `{}` | {} | {} | {} |\n", p.name, cell(p.unit), cell(value_of(p)), cell(why));
  }
  return out;
}

}  // namespace geosim
