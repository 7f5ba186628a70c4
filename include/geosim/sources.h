// Provenance of a scenario's numbers: which come from an article (and whether the quote is
// really there), which are stated assumptions, and which are bare numbers with neither.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "geosim/scenario.h"

namespace geosim {

struct CitedQuote {
  std::string what;  // the parameter's name, or the action's key path, that cites it
  Source source;
  bool file_found = false;
  bool quote_found = false;  // the quote appears in the file (whitespace runs compare equal)
  // When the file is there but the quote is not: the article's passage closest to the quote (by
  // edit distance, whitespace runs squeezed) and that distance, if it is close enough to be a slip
  // (at most a quarter of the quote's characters); else empty.
  std::string nearest;
  std::size_t nearest_distance = 0;
};

// The substring of `text` with the smallest edit distance to `pattern` (Sellers' algorithm: a
// match may start and end anywhere in the text), and that distance. O(|text| x |pattern|) time.
struct Passage {
  std::size_t begin = 0, end = 0, distance = 0;
};
Passage closest_passage(std::string_view text, std::string_view pattern);

struct SourceReport {
  std::vector<CitedQuote> quotes;
  std::vector<const Parameter*> assumptions;  // parameters justified by an assumption
  std::vector<const Parameter*> bare;         // parameters with neither source nor assumption
  [[nodiscard]] std::size_t missing_quotes() const;
};

// Checks every `source:` of `scenario` against the files in `seeds_dir`.
SourceReport check_sources(const Scenario& scenario, const std::filesystem::path& seeds_dir);

// Every declared parameter as a Markdown table: name, unit, value or distribution (with its range),
// and its source (file and quote) or assumption. docs/parameters.md is this, for the shipped family.
std::string parameter_table_markdown(const Scenario& scenario);

// The report as text: parameters grouped by source file, then assumptions, then problems.
std::string source_report_to_text(const Scenario& scenario, const SourceReport& report);

}  // namespace geosim
