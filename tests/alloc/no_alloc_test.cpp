// The hot path allocates nothing on the heap: simulate_run (with no trace) and simulate_lanes
// after their first call, sample_parameters, and Accumulator::add of runs whose values the
// accumulator has seen before.
//
// Two counters prove it. Every form of the global operator new is replaced by a counting one (in
// this file, so for this whole test executable). And on glibc, unless a sanitizer owns the
// allocator, malloc, calloc, realloc and the aligned allocators are replaced by counting wrappers
// around glibc's own (__libc_malloc, ...), so allocations that never pass through operator new
// (Eigen's aligned_malloc, C code, boost) are counted too. Replacing malloc is why these tests are
// an executable of their own (tests/alloc/ -> geosim_alloc_tests): no other suite's allocations
// go through them.
//
// Counting is always on (two relaxed atomic increments per allocation); each test reads the
// counters before and after the code under test, which runs on this thread alone.
#include <gtest/gtest.h>

#include <Eigen/Core>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <string>
#include <vector>

#include "geosim/model.h"
#include "geosim/scenario.h"
#include "geosim/simulate.h"
#include "geosim/summary.h"

namespace {
std::atomic<long> g_new_calls{0};
std::atomic<long> g_malloc_calls{0};

void* counted_new(std::size_t n) {
  g_new_calls.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* counted_new_aligned(std::size_t n, std::align_val_t al) {
  g_new_calls.fetch_add(1, std::memory_order_relaxed);
  const auto a = static_cast<std::size_t>(al);
  const std::size_t size = ((n == 0 ? 1 : n) + a - 1) / a * a;  // aligned_alloc wants a multiple
  if (void* p = std::aligned_alloc(a, size)) return p;
  throw std::bad_alloc();
}
}  // namespace

// ---------------------------------------------------------------------- operator new, every form
void* operator new(std::size_t n) { return counted_new(n); }
void* operator new[](std::size_t n) { return counted_new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return counted_new(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return counted_new(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t n, std::align_val_t al) { return counted_new_aligned(n, al); }
void* operator new[](std::size_t n, std::align_val_t al) { return counted_new_aligned(n, al); }
void* operator new(std::size_t n, std::align_val_t al, const std::nothrow_t&) noexcept {
  try {
    return counted_new_aligned(n, al);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, std::align_val_t al, const std::nothrow_t&) noexcept {
  try {
    return counted_new_aligned(n, al);
  } catch (...) {
    return nullptr;
  }
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

// ------------------------------------------------------------- malloc and friends (glibc only)
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define GEOSIM_SANITIZED_ALLOCATOR 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define GEOSIM_SANITIZED_ALLOCATOR 1
#endif

#if defined(__GLIBC__) && !defined(GEOSIM_SANITIZED_ALLOCATOR)
#define GEOSIM_COUNTS_MALLOC 1
// glibc's allocator under its own names (exported for exactly this use: wrapping malloc).
extern "C" {
void* __libc_malloc(std::size_t);
void __libc_free(void*);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);

void* malloc(std::size_t n) noexcept {
  g_malloc_calls.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(n);
}
void free(void* p) noexcept { __libc_free(p); }
void* calloc(std::size_t n, std::size_t size) noexcept {
  g_malloc_calls.fetch_add(1, std::memory_order_relaxed);
  return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t n) noexcept {
  g_malloc_calls.fetch_add(1, std::memory_order_relaxed);
  return __libc_realloc(p, n);
}
void* aligned_alloc(std::size_t al, std::size_t n) noexcept {
  g_malloc_calls.fetch_add(1, std::memory_order_relaxed);
  return __libc_memalign(al, n);
}
void* memalign(std::size_t al, std::size_t n) noexcept {
  g_malloc_calls.fetch_add(1, std::memory_order_relaxed);
  return __libc_memalign(al, n);
}
int posix_memalign(void** out, std::size_t al, std::size_t n) noexcept {
  g_malloc_calls.fetch_add(1, std::memory_order_relaxed);
  if (al < sizeof(void*) || (al & (al - 1)) != 0) return EINVAL;
  void* p = __libc_memalign(al, n);
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}
}  // extern "C"
#endif

namespace {

struct Counts {
  long new_calls, malloc_calls;
};
Counts now() { return {g_new_calls.load(), g_malloc_calls.load()}; }

// Fails with both counts when anything was allocated between `before` and `after` (read `after`
// before building the message: the message allocates).
void expect_nothing_allocated(const Counts& before, const Counts& after, const std::string& what) {
  EXPECT_EQ(after.new_calls - before.new_calls, 0) << what << ": operator new was called";
  EXPECT_EQ(after.malloc_calls - before.malloc_calls, 0)
      << what << ": malloc (or a relative) was called";
}

std::filesystem::path source_path(const std::string& rel) {
  return std::filesystem::path(GEOSIM_SOURCE_DIR) / rel;
}

geosim::Model model_of(const std::string& rel) {
  return geosim::compile(geosim::load_scenario(source_path(rel)));
}

const char* const kToy = "scenarios/toy/standoff.yaml";
const char* const kBaseline = "scenarios/dprk_russia_2024/baseline.yaml";
const char* const kScaled = "bench/scenarios/scaled_24x20.yaml";

// Runs 1..n_runs of `rel` under two seeds after one warm-up run (run 0), reusing one Workspace
// and one RunResult, with no trace.
void expect_runs_allocate_nothing(const std::string& rel, std::uint64_t n_runs) {
  if (!std::filesystem::exists(source_path(rel))) GTEST_SKIP() << rel << " is not there";
  const geosim::Model m = model_of(rel);
  geosim::Workspace ws(m);
  auto result = geosim::RunResult::for_model(m);
  geosim::simulate_run(m, 7, 0, ws, result, nullptr);  // warm-up
  const Counts before = now();
  std::int64_t decisions = 0;
  for (const std::uint64_t seed : {7ULL, 20261123ULL})
    for (std::uint64_t run = 1; run <= n_runs; ++run) {
      geosim::simulate_run(m, seed, run, ws, result, nullptr);
      decisions += result.decisions;
    }
  const Counts after = now();
  expect_nothing_allocated(before, after, "simulate_run of " + rel);
  EXPECT_GT(decisions, 0);  // the runs did simulate something
}

TEST(NoAllocation, ToyRunsAfterTheFirstAllocateNothing) {
  expect_runs_allocate_nothing(kToy, 2000);
}

TEST(NoAllocation, BaselineRunsAfterTheFirstAllocateNothing) {
  expect_runs_allocate_nothing(kBaseline, 1000);
}

TEST(NoAllocation, ScaledScenarioRunsAfterTheFirstAllocateNothing) {
  expect_runs_allocate_nothing(kScaled, 100);
}

// The same for simulate_lanes (four runs at a time, as run_monte_carlo simulates), groups of four
// and a last group of three, after one warm-up group.
void expect_lanes_allocate_nothing(const std::string& rel, std::uint64_t n_runs) {
  if (!std::filesystem::exists(source_path(rel))) GTEST_SKIP() << rel << " is not there";
  const geosim::Model m = model_of(rel);
  geosim::LaneWorkspace lw(m);
  std::vector<geosim::RunResult> out(geosim::kLanes, geosim::RunResult::for_model(m));
  geosim::simulate_lanes(m, 7, 0, geosim::kLanes, lw, out.data());  // warm-up
  const Counts before = now();
  std::int64_t decisions = 0;
  for (std::uint64_t run = geosim::kLanes; run < n_runs; run += geosim::kLanes) {
    const int n = run + geosim::kLanes < n_runs ? geosim::kLanes : geosim::kLanes - 1;
    geosim::simulate_lanes(m, 20261123, run, n, lw, out.data());
    for (int l = 0; l < n; ++l) decisions += out[static_cast<std::size_t>(l)].decisions;
  }
  const Counts after = now();
  expect_nothing_allocated(before, after, "simulate_lanes of " + rel);
  EXPECT_GT(decisions, 0);
}

TEST(NoAllocation, BaselineLanesAllocateNothing) { expect_lanes_allocate_nothing(kBaseline, 1000); }
TEST(NoAllocation, ScaledScenarioLanesAllocateNothing) {
  expect_lanes_allocate_nothing(kScaled, 100);
}

TEST(NoAllocation, SampleParametersAllocatesNothing) {
  const geosim::Model m = model_of(kBaseline);
  std::vector<double> params(m.params.size());
  const Counts before = now();
  for (std::uint64_t run = 0; run < 1000; ++run)
    geosim::sample_parameters(m, 7, run, params.data());
  const Counts after = now();
  expect_nothing_allocated(before, after, "sample_parameters");
}

// The reduction's memory follows the spread of the values, not their number: once an Accumulator
// has seen a set of runs, folding in runs with the same values again allocates nothing.
void expect_reduction_allocates_nothing_for_seen_values(const std::string& rel) {
  if (!std::filesystem::exists(source_path(rel))) GTEST_SKIP() << rel << " is not there";
  const geosim::Model m = model_of(rel);
  geosim::Workspace ws(m);
  constexpr std::uint64_t kRuns = 256;
  std::vector<geosim::RunResult> results(kRuns, geosim::RunResult::for_model(m));
  for (std::uint64_t r = 0; r < kRuns; ++r) geosim::simulate_run(m, 7, r, ws, results[r]);
  geosim::Accumulator acc(m);
  for (const auto& r : results) acc.add(r);  // warm-up: every bucket these values need
  const Counts before = now();
  for (int pass = 0; pass < 4; ++pass)
    for (const auto& r : results) acc.add(r);
  const Counts after = now();
  expect_nothing_allocated(before, after, "Accumulator::add on " + rel);
  EXPECT_EQ(acc.runs, 5 * kRuns);
}

TEST(NoAllocation, ToyReductionOfSeenValuesAllocatesNothing) {
  expect_reduction_allocates_nothing_for_seen_values(kToy);
}

TEST(NoAllocation, BaselineReductionOfSeenValuesAllocatesNothing) {
  expect_reduction_allocates_nothing_for_seen_values(kBaseline);
}

// The counters themselves work, so the tests above could fail: they see allocations made inside
// the engine (a fresh Trace is filled), by the standard library and by Eigen.
TEST(NoAllocation, CounterSeesTheEngineFillAFreshTrace) {
  const geosim::Model m = model_of(kToy);
  geosim::Workspace ws(m);
  auto result = geosim::RunResult::for_model(m);
  geosim::simulate_run(m, 7, 0, ws, result);
  geosim::Trace trace;
  const long before = g_new_calls.load();
  geosim::simulate_run(m, 7, 1, ws, result, &trace);
  EXPECT_GE(g_new_calls.load() - before, 1);
  EXPECT_FALSE(trace.params.empty());
}

TEST(NoAllocation, OperatorNewCounterSeesAVector) {
  const long before = g_new_calls.load();
  std::vector<double> v(1000, 1.0);
  volatile double sink = v[999];
  (void)sink;
  EXPECT_GE(g_new_calls.load() - before, 1);
}

TEST(NoAllocation, MallocCounterSeesEigen) {
#if defined(GEOSIM_COUNTS_MALLOC)
  const long before = g_malloc_calls.load();
  Eigen::MatrixXd a(64, 64);  // Eigen allocates with its aligned_malloc, not operator new
  a.setOnes();
  volatile double sink = a(63, 63);
  (void)sink;
  EXPECT_GE(g_malloc_calls.load() - before, 1);
#else
  GTEST_SKIP() << "malloc is not counted here (a sanitizer owns the allocator, or not glibc)";
#endif
}

}  // namespace
