// The Monte Carlo driver for one scenario; the threading lives in run/blocks.h.
#include <list>
#include <mutex>

#include "geosim/summary.h"
#include "run/blocks.h"

namespace geosim {

namespace {

// The order-sensitive part of a block: indicator moments, reduced in run-index order.
struct BlockMoments {
  std::vector<Welford> moments;
  void merge(const BlockMoments& o) {
    for (std::size_t i = 0; i < moments.size(); ++i) moments[i].merge(o.moments[i]);
  }
  void clear() { std::fill(moments.begin(), moments.end(), Welford{}); }
};

}  // namespace

Accumulator run_monte_carlo(const Model& model, const MonteCarloOptions& options) {
  const std::size_t n_moments = static_cast<std::size_t>(model.n_indicators()) *
                                static_cast<std::size_t>(model.horizon + 1);
  // Each worker thread counts into its own Accumulator (integer counts: any order gives the same
  // total); the moments go through ordered blocks.
  std::mutex mutex;
  std::list<Accumulator> per_thread;
  BlockMoments moments{std::vector<Welford>(n_moments)};

  detail::BlockPlan plan{options.first_run, options.runs,
                         static_cast<std::uint64_t>(std::max<std::int32_t>(1, options.block_size)),
                         options.threads, options.progress};
  detail::run_blocks(
      plan, moments, [&] { return BlockMoments{std::vector<Welford>(n_moments)}; },
      [&] {
        Accumulator* counts;
        {
          std::lock_guard lock(mutex);
          counts = &per_thread.emplace_back(model);
        }
        return [&model, &options, counts, ws = Workspace(model),
                result = RunResult::for_model(model)](std::uint64_t run, BlockMoments& block) mutable {
          simulate_run(model, options.master_seed, run, ws, result);
          counts->add_counts(result);
          for (std::size_t i = 0; i < block.moments.size(); ++i)
            block.moments[i].add(result.indicators[i]);
        };
      });

  Accumulator total(model);
  for (const auto& a : per_thread) total.merge_counts(a);
  total.ind_moments = std::move(moments.moments);
  return total;
}

}  // namespace geosim
