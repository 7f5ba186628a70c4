// Helpers shared by the load and compile tests: run the loader or the compiler on a text and
// collect the diagnostics it throws, find one by key path, and print them all on failure.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "geosim/error.h"
#include "geosim/model.h"
#include "geosim/scenario.h"

namespace geosim::testing_support {

inline std::filesystem::path source_dir() { return std::filesystem::path(GEOSIM_SOURCE_DIR); }
inline std::filesystem::path fixtures_dir() { return source_dir() / "tests" / "load" / "fixtures"; }

// Every diagnostic, one a line, for failure messages.
inline std::string dump(const std::vector<Diagnostic>& ds) {
  std::string out;
  for (const auto& d : ds) out += "  " + d.to_string() + "\n";
  return out.empty() ? "  (no diagnostics)\n" : out;
}

// Loads `text`; it must fail. Returns what the loader reported.
inline std::vector<Diagnostic> load_errors(const std::string& text,
                                           const std::string& name = "t.yaml",
                                           const std::filesystem::path& base_dir = ".") {
  try {
    (void)load_scenario_text(text, name, base_dir);
  } catch (const InputError& e) {
    return e.diagnostics();
  }
  ADD_FAILURE() << "expected load_scenario_text to throw InputError";
  return {};
}

inline std::vector<Diagnostic> load_file_errors(const std::filesystem::path& file) {
  try {
    (void)load_scenario(file);
  } catch (const InputError& e) {
    return e.diagnostics();
  }
  ADD_FAILURE() << "expected load_scenario(" << file << ") to throw InputError";
  return {};
}

// Compiles a loaded scenario; compile must fail. Returns what the compiler reported.
inline std::vector<Diagnostic> compile_errors(const Scenario& s) {
  try {
    (void)compile(s);
  } catch (const InputError& e) {
    return e.diagnostics();
  }
  ADD_FAILURE() << "expected compile to throw InputError";
  return {};
}

// Loads `text` (which must load) and compiles it (which must fail).
inline std::vector<Diagnostic> compile_errors(const std::string& text,
                                              const std::string& name = "t.yaml") {
  Scenario s;
  try {
    s = load_scenario_text(text, name);
  } catch (const InputError& e) {
    ADD_FAILURE() << "expected the text to load, got:\n" << dump(e.diagnostics());
    return {};
  }
  return compile_errors(s);
}

// The first diagnostic with this key path, or nullptr.
// Loads and compiles a scenario that a test expects to be valid; on failure, reports every
// diagnostic (so the test says why) and rethrows.
inline Model compile_text(const std::string& yaml, const std::string& name) {
  try {
    return compile(load_scenario_text(yaml, name));
  } catch (const InputError& e) {
    ADD_FAILURE() << "scenario " << name << " did not compile:\n" << dump(e.diagnostics());
    throw;
  }
}

inline const Diagnostic* find_diag(const std::vector<Diagnostic>& ds, const std::string& key_path) {
  for (const auto& d : ds)
    if (d.key_path == key_path) return &d;
  return nullptr;
}

// `text` with the one occurrence of `from` replaced by `to`. Fails the test if `from` is absent
// or appears more than once, so a fixture edit cannot silently stop exercising the case.
inline std::string with(const std::string& text, const std::string& from, const std::string& to) {
  const auto pos = text.find(from);
  if (pos == std::string::npos) {
    ADD_FAILURE() << "fixture text does not contain: " << from;
    return text;
  }
  if (text.find(from, pos + 1) != std::string::npos) {
    ADD_FAILURE() << "fixture text contains more than once: " << from;
    return text;
  }
  std::string out = text;
  out.replace(pos, from.size(), to);
  return out;
}

}  // namespace geosim::testing_support

// Asserts that `diag` (a const Diagnostic*) is non-null and sits at file:line:column.
#define EXPECT_AT(diag, file_, line_, column_)                                    \
  do {                                                                            \
    const ::geosim::Diagnostic* d_ = (diag);                                      \
    ASSERT_NE(d_, nullptr);                                                       \
    EXPECT_EQ(d_->where.file, (file_)) << d_->to_string();                        \
    EXPECT_EQ(d_->where.line, (line_)) << d_->to_string();                        \
    EXPECT_EQ(d_->where.column, (column_)) << d_->to_string();                    \
  } while (0)
