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
  out += "error: ";
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

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = static_cast<std::size_t>(-1);
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  // A plausible typo: at most a third of the longer name, and at least one character in common.
  const std::size_t longest = std::max(word.size(), best.size());
  if (best.empty() || best_d == 0 || best_d > std::max<std::size_t>(2, longest / 3) ||
      best_d >= std::min(word.size(), best.size()))
    return {};
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string m = closest_match(word, candidates);
  return m.empty() ? std::string{} : fmt::format("did you mean '{}'?", m);
}

}  // namespace geosim
