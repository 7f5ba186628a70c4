// Provenance of a scenario's numbers: which come from an article (and whether the quote is
// really there), which are stated assumptions, and which are bare numbers with neither.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "geosim/scenario.h"

namespace geosim {

struct CitedQuote {
  std::string what;  // the parameter's name, or the action's key path, that cites it
  Source source;
  bool file_found = false;
  bool quote_found = false;  // the quote appears in the file (whitespace runs compare equal)
};

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
