// Running the geosim program from a test: the command, its exit status and its output.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace geosim::testing_cli {

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

struct Result {
  int status = -1;  // exit status, or -1 if it did not exit normally
  std::string output;
};

// Runs a shell command line under a time limit (seconds), capturing stdout and stderr together.
inline Result run_command(const std::string& command_line, int seconds = 20) {
  const std::string cmd = fmt::format("timeout -k 5 {} {} 2>&1", seconds, command_line);
  Result r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) {
    // Cap what we keep: a runaway program must not take the test's memory with it.
    if (r.output.size() < (1u << 20)) r.output.append(buf.data(), n);
  }
  const int st = ::pclose(p);
  if (st != -1 && WIFEXITED(st)) r.status = WEXITSTATUS(st);
  return r;
}

// Runs `geosim <args>` under a 20 s limit.
inline Result run_geosim(const std::string& args) {
  return run_command(fmt::format("{} {}", shell_quote(GEOSIM_BINARY), args));
}

// A test with a folder of its own, empty at the start and removed at the end:
// <temp>/geosim_<suite>_<test>_<pid>.
class FolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("geosim_{}_{}_{}", info->test_suite_name(), info->name(), ::getpid());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

// Signs that the program crashed, aborted or was killed rather than reporting an error.
// `error_expected`: the program is meant to refuse with "geosim: error: ..." here.
inline void expect_no_crash(const Result& r, const std::string& what, bool error_expected = false) {
  for (const char* bad : {"terminate called", "Segmentation", "Aborted", "core dumped",
                          "stack trace", "Stack trace", "AddressSanitizer", "LeakSanitizer",
                          "runtime error:", "Assertion", "std::bad_alloc", "geosim: error:"}) {
    if (error_expected && std::string(bad) == "geosim: error:") continue;
    EXPECT_EQ(r.output.find(bad), std::string::npos)
        << what << " printed '" << bad << "':\n" << r.output;
  }
  EXPECT_NE(r.status, 124) << what << " did not finish within 20 s (a hang?)";
}

}  // namespace geosim::testing_cli
