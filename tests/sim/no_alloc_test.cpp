// The tick loop allocates nothing: a counting global operator new proves it for whole runs of
// the shipped scenarios (parameter sampling, every tick, events, the ladder, the end states).
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <vector>

#include <gtest/gtest.h>

#include "geosim/model.h"
#include "geosim/scenario.h"
#include "geosim/simulate.h"

namespace {
std::atomic<long> g_allocations{0};
}

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

void expect_runs_do_not_allocate(const std::string& rel) {
  const auto path = std::filesystem::path(GEOSIM_SOURCE_DIR) / rel;
  if (!std::filesystem::exists(path)) GTEST_SKIP() << rel << " is not shipped";
  const geosim::Model m = geosim::compile(geosim::load_scenario(path));
  geosim::Workspace ws(m);
  auto result = geosim::RunResult::for_model(m);
  geosim::simulate_run(m, 7, 0, ws, result);  // warm-up (nothing should be lazily allocated)
  const long before = g_allocations.load();
  for (std::uint64_t run = 1; run <= 500; ++run) geosim::simulate_run(m, 7, run, ws, result);
  EXPECT_EQ(g_allocations.load() - before, 0) << "simulate_run allocated on the heap";
}

TEST(NoAllocation, ToyScenarioRunsAllocateNothing) {
  expect_runs_do_not_allocate("scenarios/toy/standoff.yaml");
}

TEST(NoAllocation, BaselineScenarioRunsAllocateNothing) {
  expect_runs_do_not_allocate("scenarios/dprk_russia_2024/baseline.yaml");
}

TEST(NoAllocation, CounterSeesAllocations) {
  // The counter itself works (otherwise the tests above could not fail).
  const long before = g_allocations.load();
  std::vector<double> v(1000, 1.0);  // the size is used below, so the allocation is kept
  volatile double sink = v[999];
  (void)sink;
  EXPECT_GE(g_allocations.load() - before, 1);
}

}  // namespace
