// detail::run_blocks (engine/run/blocks.h), the one piece of code that spreads runs over threads:
// an exception in a worker (std::bad_alloc from a block's tables, a callback that throws) reaches
// the caller, from any thread, instead of ending the process with std::terminate.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>

#include "run/blocks.h"

namespace {

struct Count {
  std::uint64_t runs = 0;
  void merge(const Count& o) { runs += o.runs; }
  void clear() { runs = 0; }
};

geosim::detail::BlockPlan plan(int threads) {
  geosim::detail::BlockPlan p;
  p.runs = 64 * 16;
  p.block_size = 16;
  p.threads = threads;
  return p;
}

TEST(RunBlocks, AllRunsAreCountedOnAnyNumberOfThreads) {
  for (const int threads : {1, 3}) {
    Count total;
    geosim::detail::run_blocks(plan(threads), total, [] { return Count{}; }, [] {
      return [](std::uint64_t begin, std::uint64_t end, Count& c) { c.runs += end - begin; };
    });
    EXPECT_EQ(total.runs, 64u * 16u) << threads << " threads";
  }
}

TEST(RunBlocks, AWorkerThreadsExceptionReachesTheCaller) {
  for (const int threads : {1, 3}) {
    Count total;
    const auto worker = [] {
      return [](std::uint64_t begin, std::uint64_t end, Count& c) {
        if (begin == 5 * 16) throw std::runtime_error("block 5 failed");
        c.runs += end - begin;
      };
    };
    try {
      geosim::detail::run_blocks(plan(threads), total, [] { return Count{}; }, worker);
      ADD_FAILURE() << "no exception with " << threads << " threads";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "block 5 failed") << threads << " threads";
    }
  }
}

}  // namespace
