// The bad-scenario corpus: every file tests/bad_scenarios/NNN_name.yaml is a scenario with one
// mistake a student could make (or a hostile input), and starts with the messages it must produce:
//
//   # expect: 12:5: error: actors.blue.rationalty: unknown key (did you mean 'rationality'?)
//   # forbid: a message fragment that must NOT appear (a misleading follow-on error)
//
// Each case runs `geosim validate FILE` and must exit with status 2, print every `# expect:`
// fragment and no `# forbid:` fragment, not crash and not hang. A fragment that starts with a
// digit must start right after a ':' in the output (the one that ends the file name), so that
// "2:1:" cannot match inside "12:1:". A fragment may also name a file ("bases/x.yaml:3:1: ...") when
// the error lies in a file that the case extends.
//
// Files under tests/bad_scenarios/bases/ are helpers for `extends:` and are not cases. Files under
// tests/bad_scenarios/pending/ hold the message a student needs where the engine does not produce
// it yet; they are not run by ctest. To see how far they are from passing:
//   GEOSIM_BAD_CORPUS_PENDING=1 build/tests/geosim_cli_tests --gtest_filter='Pending*'
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cli/run_geosim.h"

namespace fs = std::filesystem;

namespace {

using geosim::testing_cli::expect_no_crash;
using geosim::testing_cli::Result;
using geosim::testing_cli::run_geosim;
using geosim::testing_cli::shell_quote;

const fs::path kCorpus = fs::path(GEOSIM_SOURCE_DIR) / "tests" / "bad_scenarios";

struct Case {
  std::string name;  // file name without .yaml, also the test name
  fs::path file;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.file.filename().string(); }

std::vector<Case> cases_in(const fs::path& dir) {
  std::vector<Case> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  static const std::regex kName("^[0-9]{3}_[A-Za-z0-9_]+\\.yaml$");
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string fname = e.path().filename().string();
    if (e.is_regular_file() && std::regex_match(fname, kName))
      out.push_back({e.path().stem().string(), e.path()});
  }
  std::sort(out.begin(), out.end(), [](const Case& a, const Case& b) { return a.name < b.name; });
  return out;
}

std::vector<Case> corpus_cases() { return cases_in(kCorpus); }

std::vector<Case> pending_cases() {
  if (const char* v = std::getenv("GEOSIM_BAD_CORPUS_PENDING"); !v || std::string(v) != "1")
    return {};
  return cases_in(kCorpus / "pending");
}

struct Header {
  std::vector<std::string> expect, forbid;
};

// Reads the leading `# expect:` / `# forbid:` lines (the file may be binary after them).
Header read_header(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  Header h;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF cases
    if (line.rfind("# expect: ", 0) == 0) {
      h.expect.push_back(line.substr(10));
    } else if (line.rfind("# forbid: ", 0) == 0) {
      h.forbid.push_back(line.substr(10));
    } else {
      break;
    }
  }
  return h;
}

// True if `frag` occurs in `out`; a fragment starting with a line number must follow a ':'.
bool contains_fragment(const std::string& out, const std::string& frag) {
  if (frag.empty()) return true;
  const bool starts_with_line = frag[0] >= '0' && frag[0] <= '9';
  for (std::size_t pos = out.find(frag); pos != std::string::npos; pos = out.find(frag, pos + 1)) {
    if (!starts_with_line || (pos > 0 && out[pos - 1] == ':')) return true;
  }
  return false;
}

void check_validate(const Case& c) {
  const Header h = read_header(c.file);
  ASSERT_FALSE(h.expect.empty()) << c.file << " has no '# expect:' line at the top";
  const Result r = run_geosim("validate " + shell_quote(c.file.string()));
  const std::string what = "geosim validate " + c.file.string();
  expect_no_crash(r, what);
  EXPECT_EQ(r.status, 2) << what << " should exit with status 2 (invalid input); output:\n"
                         << r.output;
  EXPECT_NE(r.output.find("error: "), std::string::npos) << what << " printed no error";
  for (const auto& e : h.expect)
    EXPECT_TRUE(contains_fragment(r.output, e))
        << "missing expected message\n  want: " << e << "\n  got:\n" << r.output;
  for (const auto& f : h.forbid)
    EXPECT_FALSE(contains_fragment(r.output, f))
        << "misleading message present\n  forbidden: " << f << "\n  got:\n" << r.output;
}

std::string test_name(const ::testing::TestParamInfo<Case>& p) { return p.param.name; }

// ---------------------------------------------------------------------------------------------
// geosim validate on every case.

class BadScenario : public ::testing::TestWithParam<Case> {};

TEST_P(BadScenario, ValidateReportsTheExpectedErrors) { check_validate(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Corpus, BadScenario, ::testing::ValuesIn(corpus_cases()), test_name);

// The corpus is found at run time; make sure it was found at all and is as large as promised.
TEST(BadCorpus, HasAtLeastSixtyCases) {
  const auto cs = corpus_cases();
  EXPECT_GE(cs.size(), 60u) << "cases found under " << kCorpus;
}

// Case numbers are unique, so that a case can be named by its number alone.
TEST(BadCorpus, CaseNumbersAreUnique) {
  auto cs = corpus_cases();
  for (const auto& p : cases_in(kCorpus / "pending")) cs.push_back(p);
  std::vector<std::string> numbers;
  for (const auto& c : cs) numbers.push_back(c.name.substr(0, 3));
  std::sort(numbers.begin(), numbers.end());
  const auto dup = std::adjacent_find(numbers.begin(), numbers.end());
  EXPECT_EQ(dup, numbers.end()) << "case number " << *dup << " is used twice";
}

// Pending cases (messages the engine does not produce yet); only with GEOSIM_BAD_CORPUS_PENDING=1.
class PendingBadScenario : public ::testing::TestWithParam<Case> {};

TEST_P(PendingBadScenario, ValidateReportsTheWantedErrors) { check_validate(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Pending, PendingBadScenario, ::testing::ValuesIn(pending_cases()),
                         test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PendingBadScenario);

// ---------------------------------------------------------------------------------------------
// geosim run on a few cases: it must refuse before simulating and must not write the JSON file.

const std::vector<std::string> kRunCases = {
    "050_missing_name",       "075_horizon_zero",   "130_unknown_parameter",
    "201_extends_cycle",      "203_extends_error_in_base", "210_binary_garbage",
    "214_deep_flow_nesting",  "217_alias_bomb",     "218_empty_file",
};

class BadScenarioRun : public ::testing::TestWithParam<std::string> {};

TEST_P(BadScenarioRun, RunRefusesAndWritesNoJson) {
  const fs::path file = kCorpus / (GetParam() + ".yaml");
  ASSERT_TRUE(fs::exists(file)) << file << " is listed in kRunCases but does not exist";
  const fs::path json =
      fs::temp_directory_path() / fmt::format("geosim_bad_corpus_{}_{}.json", GetParam(), ::getpid());
  fs::remove(json);
  const Result r = run_geosim(fmt::format("run {} --runs 10 --json {}", shell_quote(file.string()),
                                          shell_quote(json.string())));
  const std::string what = "geosim run " + file.string();
  expect_no_crash(r, what);
  EXPECT_EQ(r.status, 2) << what << " should exit with status 2; output:\n" << r.output;
  EXPECT_FALSE(fs::exists(json)) << what << " wrote " << json << " although the scenario is invalid";
  for (const auto& e : read_header(file).expect)
    EXPECT_TRUE(contains_fragment(r.output, e))
        << "missing expected message\n  want: " << e << "\n  got:\n" << r.output;
  fs::remove(json);
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadScenarioRun, ::testing::ValuesIn(kRunCases),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
