// Errors for people: every problem with user input carries where it is (file, line, column),
// what it is (the key path into the scenario, e.g. `actors.dprk.actions.deploy.cost`), what was
// expected and what was found, and a suggestion when the name looks like a typo.
//
// Programmer errors (broken invariants) are assertions, not Diagnostics.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace geosim {

// A position in an input file. line and column are 1-based; 0 means "unknown".
struct Location {
  std::string file;
  int line = 0;
  int column = 0;
};

// One problem found in an input.
struct Diagnostic {
  Location where;
  std::string key_path;  // dotted path into the document, empty if the problem is the whole file
  std::string message;   // "expected ..., got ..." in plain words
  std::string hint;      // e.g. "did you mean 'rationality'?"; may be empty
  bool warning = false;  // true: worth saying, but the input can be used as it is

  // `file:line:column: error: key.path: message (hint)` - the one format used everywhere
  // ("warning:" in place of "error:" for a warning).
  [[nodiscard]] std::string to_string() const;
};

// Thrown when an input cannot be used. Holds every problem found, not only the first.
class InputError : public std::runtime_error {
 public:
  explicit InputError(std::vector<Diagnostic> diagnostics);
  explicit InputError(Diagnostic diagnostic);
  [[nodiscard]] const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

// Collects diagnostics during a pass so that all of them can be reported at once.
// Stops recording (but keeps counting) after `cap` entries so hostile input cannot flood memory.
class DiagnosticSink {
 public:
  explicit DiagnosticSink(std::size_t cap = 50) : cap_(cap) {}
  void add(Diagnostic d);
  void error(const Location& where, std::string key_path, std::string message,
             std::string hint = {});
  [[nodiscard]] bool empty() const { return count_ == 0; }
  // True once `cap` diagnostics are recorded: further ones are only counted, so callers skip
  // work that only improves a message (such as a "did you mean" search).
  [[nodiscard]] bool full() const { return list_.size() >= cap_; }
  [[nodiscard]] std::size_t count() const { return count_; }
  [[nodiscard]] const std::vector<Diagnostic>& diagnostics() const { return list_; }
  // Throws InputError with everything collected, if anything was.
  void throw_if_any() const;

 private:
  std::size_t cap_;
  std::size_t count_ = 0;
  std::vector<Diagnostic> list_;
};

// Levenshtein distance, used for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The closest of `candidates` to `word`, or "" if none is close enough to be a plausible typo.
// The work is bounded: candidates whose length alone rules them out are skipped, each distance
// stops once it exceeds what could still be accepted, and at most kMaxHintCandidates are compared.
inline constexpr std::size_t kMaxHintCandidates = 10000;
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// "did you mean 'x'?" or "" when there is no close candidate.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace geosim
