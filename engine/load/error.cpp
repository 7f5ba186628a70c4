#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "geosim/error.h"

namespace geosim {

std::string Diagnostic::to_string() const {
  std::string out;
  if (!where.file.empty()) {
    out += where.file;
    if (where.line > 0) out += fmt::format(":{}:{}", where.line, where.column);
    out += ": ";
  }
  out += warning ? "warning: " : "error: ";
  if (!key_path.empty()) out += key_path + ": ";
  out += message;
  if (!hint.empty()) out += " (" + hint + ")";
  return out;
}

namespace {
std::string join_messages(const std::vector<Diagnostic>& ds) {
  std::string s;
  for (const auto& d : ds) {
    if (!s.empty()) s += '\n';
    s += d.to_string();
  }
  return s;
}
}  // namespace

InputError::InputError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(join_messages(diagnostics)), diagnostics_(std::move(diagnostics)) {}

InputError::InputError(Diagnostic diagnostic)
    : InputError(std::vector<Diagnostic>{std::move(diagnostic)}) {}

void DiagnosticSink::add(Diagnostic d) {
  ++count_;
  if (list_.size() < cap_) list_.push_back(std::move(d));
}

void DiagnosticSink::error(const Location& where, std::string key_path, std::string message,
                           std::string hint) {
  add(Diagnostic{where, std::move(key_path), std::move(message), std::move(hint)});
}

void DiagnosticSink::throw_if_any() const {
  if (count_ == 0) return;
  auto list = list_;
  if (count_ > list_.size()) {
    Diagnostic more;
    more.where = list_.empty() ? Location{} : Location{list_.front().where.file, 0, 0};
    more.message = fmt::format("{} more problems not shown (stopped after the first {})",
                               count_ - list_.size(), list_.size());
    list.push_back(more);
  }
  throw InputError(std::move(list));
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Two-row Levenshtein; inputs are short names.
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

namespace {

// Levenshtein distance, or `limit + 1` as soon as it is known to exceed `limit`.
std::size_t bounded_edit_distance(std::string_view a, std::string_view b, std::size_t limit) {
  const std::size_t diff = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  if (diff > limit) return limit + 1;
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    std::size_t row_min = cur[0];
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min > limit) return limit + 1;  // every later row is at least as large
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  // A plausible typo: at most a third of the longer name (but 2 is always allowed), and fewer
  // edits than the shorter name is long (so the two share at least one character). An exact
  // match is not a typo: callers ask only about names that were not found.
  std::string best;
  std::size_t best_d = static_cast<std::size_t>(-1);
  std::size_t compared = 0;
  for (const auto& c : candidates) {
    const std::size_t longest = std::max(word.size(), c.size());
    const std::size_t shortest = std::min(word.size(), c.size());
    if (shortest == 0) continue;
    std::size_t limit = std::min(std::max<std::size_t>(2, longest / 3), shortest - 1);
    if (best_d != static_cast<std::size_t>(-1)) limit = std::min(limit, best_d - 1);  // must beat it
    if (++compared > kMaxHintCandidates) break;
    if (c == word) return {};
    const std::size_t d = bounded_edit_distance(word, c, limit);
    if (d <= limit && d > 0) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string m = closest_match(word, candidates);
  return m.empty() ? std::string{} : fmt::format("did you mean '{}'?", m);
}

}  // namespace geosim
