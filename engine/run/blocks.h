// The one piece of code that spreads runs over threads. Runs are cut into fixed blocks of
// `block_size` run indices; threads take blocks dynamically; each block is reduced into its own
// accumulator in run-index order, and accumulators are merged into the total strictly in block
// order. So the result does not depend on the number of threads or on scheduling.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace geosim::detail {

struct BlockPlan {
  std::uint64_t first_run = 0;
  std::uint64_t runs = 0;
  std::uint64_t block_size = 256;
  int threads = 0;  // 0: all hardware threads
  std::function<void(std::uint64_t done)> progress;
};

// Acc needs merge(const Acc&) and clear(). `make_acc()` builds an empty one; `make_worker()` builds
// a per-thread callable `worker(first_run, end_run, Acc&)` that simulates runs [first, end) of one
// block and adds them to the block's accumulator in run-index order.
template <class Acc, class MakeAcc, class MakeWorker>
void run_blocks(const BlockPlan& plan, Acc& total, MakeAcc make_acc, MakeWorker make_worker) {
  const std::uint64_t block = std::max<std::uint64_t>(1, plan.block_size);
  const std::uint64_t n_blocks = (plan.runs + block - 1) / block;
  int threads = plan.threads > 0
                    ? plan.threads
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = static_cast<int>(std::min<std::uint64_t>(static_cast<std::uint64_t>(threads),
                                                     std::max<std::uint64_t>(1, n_blocks)));

  std::atomic<std::uint64_t> next_block{0};
  std::atomic<std::uint64_t> runs_done{0};
  std::mutex mutex;  // guards next_to_merge, pending, pool and total
  std::uint64_t next_to_merge = 0;
  std::map<std::uint64_t, std::unique_ptr<Acc>> pending;
  std::vector<std::unique_ptr<Acc>> pool;
  std::exception_ptr failure;  // the first exception of a worker thread; guarded by mutex

  auto work = [&]() {
    auto simulate = make_worker();
    for (;;) {
      const std::uint64_t b = next_block.fetch_add(1);
      if (b >= n_blocks) break;
      std::unique_ptr<Acc> acc;
      {
        std::lock_guard lock(mutex);
        if (!pool.empty()) {
          acc = std::move(pool.back());
          pool.pop_back();
        }
      }
      if (!acc) acc = std::make_unique<Acc>(make_acc());
      const std::uint64_t begin = plan.first_run + b * block;
      const std::uint64_t end = std::min(plan.first_run + plan.runs, begin + block);
      simulate(begin, end, *acc);
      {
        std::lock_guard lock(mutex);
        pending.emplace(b, std::move(acc));
        for (auto it = pending.find(next_to_merge); it != pending.end();
             it = pending.find(next_to_merge)) {
          total.merge(*it->second);
          it->second->clear();
          pool.push_back(std::move(it->second));
          pending.erase(it);
          ++next_to_merge;
        }
      }
      const std::uint64_t done = runs_done.fetch_add(end - begin) + (end - begin);
      if (plan.progress) plan.progress(done);
    }
  };
  // An exception must not leave a worker thread (that is std::terminate): the first one is kept,
  // the other threads stop taking blocks, and it is rethrown here once all have joined.
  auto body = [&]() {
    try {
      work();
    } catch (...) {
      std::lock_guard lock(mutex);
      if (!failure) failure = std::current_exception();
      next_block = n_blocks;
    }
  };

  if (threads <= 1) {
    work();
    return;
  }
  std::vector<std::thread> workers;
  workers.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) workers.emplace_back(body);
  for (auto& t : workers) t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace geosim::detail
