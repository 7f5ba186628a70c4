// Regression cases: each folder tests/regression/<case>/ holds case.json (the scenario, seed and
// run count) and results_true.json (the reference output, as OpenMC keeps results_true.dat).
// Every case is re-run with one and with several threads and must match the reference byte for
// byte. References change only through tools/update-regression.sh.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> regression_cases() {
  std::vector<std::string> out;
  const fs::path root = fs::path(GEOSIM_SOURCE_DIR) / "tests" / "regression";
  for (const auto& e : fs::directory_iterator(root))
    if (e.is_directory() && fs::exists(e.path() / "case.json")) out.push_back(e.path().filename());
  std::sort(out.begin(), out.end());
  return out;
}

struct Case {
  std::string name;
  int threads;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name << " with " << c.threads << " threads"; }

class Regression : public ::testing::TestWithParam<Case> {};

TEST_P(Regression, OutputMatchesReferenceByteForByte) {
  const Case& c = GetParam();
  const fs::path dir = fs::path(GEOSIM_SOURCE_DIR) / "tests" / "regression" / c.name;
  const auto spec = nlohmann::json::parse(read_file(dir / "case.json"));
  const fs::path out = fs::temp_directory_path() /
                       fmt::format("geosim_regression_{}_{}_{}.json", c.name, c.threads, ::getpid());
  const std::string cmd = fmt::format(
      "'{}' run '{}' --runs {} --seed {} --threads {} --json '{}' --quiet", GEOSIM_BINARY,
      (fs::path(GEOSIM_SOURCE_DIR) / spec.at("scenario").get<std::string>()).string(),
      spec.at("runs").get<std::uint64_t>(), spec.at("seed").get<std::uint64_t>(), c.threads,
      out.string());
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const std::string got = read_file(out);
  fs::remove(out);
  const std::string want = read_file(dir / "results_true.json");
  ASSERT_FALSE(want.empty()) << "no reference; run tools/update-regression.sh " << c.name;
  EXPECT_TRUE(got == want) << "output of '" << cmd << "' differs from " << (dir / "results_true.json")
                           << "; if the change is intended, run tools/update-regression.sh";
}

std::vector<Case> all_cases() {
  std::vector<Case> out;
  for (const auto& name : regression_cases())
    for (int threads : {1, 3}) out.push_back({name, threads});
  return out;
}

INSTANTIATE_TEST_SUITE_P(Cases, Regression, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<Case>& p) {
                           return p.param.name + "_threads" + std::to_string(p.param.threads);
                         });

}  // namespace
