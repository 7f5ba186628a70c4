// The Monte Carlo driver for one scenario; the threading lives in run/blocks.h.
#include <list>
#include <mutex>
#include <stdexcept>

#include "geosim/summary.h"
#include "run/blocks.h"

namespace geosim {

namespace {

// The order-sensitive part: indicator moments. A block sums its runs' values in run-index order
// (ShiftedSums); blocks are folded into the total's Welford moments in block order.
struct BlockMoments {
  std::vector<ShiftedSums> sums;     // a block's
  std::vector<Welford> moments;      // the total's (empty in a block)
  // The total's: when set, blocks go to it (in order) instead of into `moments`.
  const std::function<void(std::uint64_t, const std::vector<Welford>&)>* on_block = nullptr;
  std::uint64_t next_block = 0;      // the total's: index of the next block to merge
  std::vector<Welford> scratch;
  void merge(const BlockMoments& o) {
    if (on_block && *on_block) {
      scratch.resize(o.sums.size());
      for (std::size_t i = 0; i < o.sums.size(); ++i) scratch[i] = o.sums[i].to_welford();
      (*on_block)(next_block++, scratch);
      return;
    }
    for (std::size_t i = 0; i < moments.size(); ++i) moments[i].merge(o.sums[i].to_welford());
  }
  void clear() { std::fill(sums.begin(), sums.end(), ShiftedSums{}); }
};

}  // namespace

Accumulator run_monte_carlo(const Model& model, const MonteCarloOptions& options) {
  const std::size_t n_moments = static_cast<std::size_t>(model.n_indicators()) *
                                static_cast<std::size_t>(model.horizon + 1);
  // Each worker thread counts into its own Accumulator (integer counts: any order gives the same
  // total); the moments go through ordered blocks.
  std::mutex mutex;
  std::list<Accumulator> per_thread;
  BlockMoments moments{{}, std::vector<Welford>(n_moments), nullptr, 0, {}};
  if (options.on_block) {
    if (options.first_run % static_cast<std::uint64_t>(std::max<std::int32_t>(1, options.block_size)) != 0)
      throw std::invalid_argument("run_monte_carlo: with on_block, first_run must be a multiple of block_size");
    moments.on_block = &options.on_block;
    moments.next_block = options.first_run / static_cast<std::uint64_t>(std::max<std::int32_t>(1, options.block_size));
  }

  detail::BlockPlan plan{options.first_run, options.runs,
                         static_cast<std::uint64_t>(std::max<std::int32_t>(1, options.block_size)),
                         options.threads, options.progress};
  detail::run_blocks(
      plan, moments, [&] { return BlockMoments{std::vector<ShiftedSums>(n_moments), {}, nullptr, 0, {}}; },
      [&] {
        Accumulator* counts;
        {
          std::lock_guard lock(mutex);
          counts = &per_thread.emplace_back(model);
        }
        // Runs are simulated in batches of kBatch and reduced indicator by indicator, so each
        // sketch and moment is touched once per batch instead of once per run (the reduction is
        // memory-bound). Within a block the values still reach each moment in run-index order.
        static constexpr std::uint64_t kBatch = 16;
        std::vector<RunResult> batch(kBatch, RunResult::for_model(model));
        return [&model, &options, counts, ws = Workspace(model), batch = std::move(batch)](
                   std::uint64_t begin, std::uint64_t end, BlockMoments& block) mutable {
          for (std::uint64_t first = begin; first < end; first += kBatch) {
            const std::size_t n = static_cast<std::size_t>(std::min(kBatch, end - first));
            for (std::size_t r = 0; r < n; ++r) {
              simulate_run(model, options.master_seed, first + r, ws, batch[r]);
              counts->add_outcomes(batch[r]);
            }
            const std::size_t n_values = block.sums.size();
            for (std::size_t i = 0; i < n_values; ++i) {
              QuantileSketch& sketch = counts->ind_sketch[i];
              ShiftedSums& moment = block.sums[i];
              // Runs often agree on a value (flags, zeros, counts): equal neighbours go into the
              // sketch as one weighted entry.
              double last = batch[0].indicators[i];
              std::uint64_t same = 0;
              for (std::size_t r = 0; r < n; ++r) {
                const double x = batch[r].indicators[i];
                moment.add(x);
                if (x == last) {
                  ++same;
                  continue;
                }
                sketch.add(last, same);
                last = x;
                same = 1;
              }
              sketch.add(last, same);
            }
          }
        };
      });

  // Merge the other threads' counts into the first thread's (no third copy of the sketches).
  Accumulator total = std::move(per_thread.front());
  per_thread.pop_front();
  for (const auto& a : per_thread) total.merge_counts(a);
  per_thread.clear();
  total.ind_moments = std::move(moments.moments);
  return total;
}

}  // namespace geosim
