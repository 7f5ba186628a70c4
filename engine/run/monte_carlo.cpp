// The Monte Carlo driver: blocks of runs handed out dynamically to threads, each block reduced in
// run-index order, blocks merged strictly in block order. The result does not depend on the
// number of threads or on which thread ran which block.
#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "geosim/summary.h"

namespace geosim {

Accumulator run_monte_carlo(const Model& model, const MonteCarloOptions& options) {
  const std::uint64_t block = static_cast<std::uint64_t>(std::max<std::int32_t>(1, options.block_size));
  const std::uint64_t n_blocks = (options.runs + block - 1) / block;
  int threads = options.threads > 0 ? options.threads
                                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = static_cast<int>(std::min<std::uint64_t>(static_cast<std::uint64_t>(threads),
                                                     std::max<std::uint64_t>(1, n_blocks)));

  Accumulator total(model);
  std::atomic<std::uint64_t> next_block{0};
  std::atomic<std::uint64_t> runs_done{0};

  std::mutex mutex;  // guards everything below
  std::uint64_t next_to_merge = 0;
  std::map<std::uint64_t, std::unique_ptr<Accumulator>> pending;
  std::vector<std::unique_ptr<Accumulator>> pool;

  auto take_accumulator = [&]() {
    std::lock_guard lock(mutex);
    if (pool.empty()) return std::make_unique<Accumulator>(model);
    auto a = std::move(pool.back());
    pool.pop_back();
    return a;
  };

  auto worker = [&]() {
    Workspace ws(model);
    RunResult result = RunResult::for_model(model);
    for (;;) {
      const std::uint64_t b = next_block.fetch_add(1);
      if (b >= n_blocks) break;
      auto acc = take_accumulator();
      const std::uint64_t begin = options.first_run + b * block;
      const std::uint64_t end = std::min(options.first_run + options.runs, begin + block);
      for (std::uint64_t run = begin; run < end; ++run) {
        simulate_run(model, options.master_seed, run, ws, result);
        acc->add(result);
      }
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
      if (options.progress) options.progress(done);
    }
  };

  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool_threads;
    pool_threads.reserve(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t) pool_threads.emplace_back(worker);
    for (auto& t : pool_threads) t.join();
  }
  return total;
}

}  // namespace geosim
