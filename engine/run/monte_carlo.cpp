// The Monte Carlo driver for one scenario; the threading lives in run/blocks.h.
//
// This is the hot reduction path. It computes exactly what Accumulator::add computes run by run
// (tests/run/determinism_test.cpp holds it to the same bits), laid out for the cache: one block's
// moment sums are three flat arrays walked in the order a run's indicators are stored (so the
// loop vectorises), and runs are reduced into the quantile sketches in batches, one sketch
// touched once per batch.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <list>
#include <mutex>
#include <stdexcept>

#include "geosim/summary.h"
#include "run/blocks.h"

namespace geosim {

namespace {

// The order-sensitive part: indicator moments. A block sums its runs' values in run-index order
// (the ShiftedSums of every indicator-tick, structure of arrays); blocks are folded into the
// total's Welford moments in block order.
struct BlockMoments {
  std::uint64_t n = 0;                 // runs in this block so far
  std::vector<double> shift, s1, s2;   // a block's, per indicator-tick
  std::vector<Welford> moments;        // the total's (empty in a block)
  // The total's: when set, blocks go to it (in order) instead of into `moments`.
  const std::function<void(std::uint64_t, const std::vector<Welford>&)>* on_block = nullptr;
  std::uint64_t next_block = 0;        // the total's: index of the next block to merge
  std::vector<Welford> scratch;

  static BlockMoments block(std::size_t size) {
    BlockMoments b;
    b.shift.assign(size, 0.0);
    b.s1.assign(size, 0.0);
    b.s2.assign(size, 0.0);
    return b;
  }
  // ShiftedSums::add for every indicator-tick of one run, in the same arithmetic. Returns whether
  // every value was finite. A value is +-inf or NaN exactly when its exponent bits are all ones,
  // that is when adding 1 to the exponent field alone carries into the top bit; the loop ORs
  // those sums (integer and, add and or, with no compare: the loop still vectorises).
  bool add(const double* x) {
    constexpr std::uint64_t kExponent = 0x7ff0000000000000ULL, kExponentOne = 0x0010000000000000ULL;
    const std::size_t size = shift.size();
    if (n == 0) std::copy(x, x + size, shift.data());
    double* __restrict a = s1.data();
    double* __restrict b = s2.data();
    const double* __restrict c = shift.data();
    std::uint64_t non_finite = 0;
    for (std::size_t i = 0; i < size; ++i) {
      const double d = x[i] - c[i];
      a[i] += d;
      b[i] += d * d;
      non_finite |= (std::bit_cast<std::uint64_t>(x[i]) & kExponent) + kExponentOne;
    }
    ++n;
    return (non_finite >> 63) == 0;
  }
  [[nodiscard]] Welford welford(std::size_t i) const {
    return ShiftedSums{n, shift[i], s1[i], s2[i]}.to_welford();
  }
  void merge(const BlockMoments& o) {
    if (on_block && *on_block) {
      scratch.resize(o.s1.size());
      for (std::size_t i = 0; i < o.s1.size(); ++i) scratch[i] = o.welford(i);
      (*on_block)(next_block++, scratch);
      return;
    }
    for (std::size_t i = 0; i < moments.size(); ++i) moments[i].merge(o.welford(i));
  }
  void clear() {
    n = 0;
    std::fill(s1.begin(), s1.end(), 0.0);
    std::fill(s2.begin(), s2.end(), 0.0);
  }
};

}  // namespace

Accumulator run_monte_carlo(const Model& model, const MonteCarloOptions& options) {
  const std::size_t stride = static_cast<std::size_t>(model.horizon + 1);
  const std::size_t n_moments = static_cast<std::size_t>(model.n_indicators()) * stride;
  const std::uint64_t block_size =
      static_cast<std::uint64_t>(std::max<std::int32_t>(1, options.block_size));
  // Each worker thread counts into its own Accumulator (integer counts: any order gives the same
  // total); the moments go through ordered blocks.
  std::mutex mutex;
  std::list<Accumulator> per_thread;
  BlockMoments moments;
  moments.moments.resize(n_moments);
  if (options.on_block) {
    if (options.first_run % block_size != 0)
      throw std::invalid_argument(
          "run_monte_carlo: with on_block, first_run must be a multiple of block_size");
    moments.on_block = &options.on_block;
    moments.next_block = options.first_run / block_size;
  }
  // The indicator-ticks that get a quantile sketch, in storage order.
  std::vector<std::uint32_t> sketched;
  {
    const Accumulator shape(model, options.quantile_every);
    for (std::size_t idx = 0; idx < n_moments; ++idx)
      if (shape.sketched(static_cast<std::int32_t>(idx % stride)))
        sketched.push_back(static_cast<std::uint32_t>(idx));
  }

  detail::BlockPlan plan{options.first_run, options.runs, block_size, options.threads,
                         options.progress};
  detail::run_blocks(
      plan, moments, [&] { return BlockMoments::block(n_moments); },
      [&] {
        Accumulator* counts;
        {
          std::lock_guard lock(mutex);
          counts = &per_thread.emplace_back(model, options.quantile_every);
        }
        // Runs are simulated in batches of kBatch. Each run's moments are added at once and its
        // sketched values copied into `values`, one contiguous row per run (sequential writes).
        // The batch then goes into the sketches kSketchBlock sketches at a time: the block's
        // columns are transposed into `column` (small enough to stay in the core's cache) and
        // each sketch takes its kBatch values in run order. So a sketch's buckets are fetched
        // once per batch and stay cached for the whole block, instead of one cache miss per
        // value. Each sketch sees the same values in the same order as one add() per run.
        static constexpr std::size_t kBatch = 256;
        static constexpr std::size_t kSketchBlock = 32;
        // Runs are simulated kLanes at a time (simulate_lanes) and reduced one by one in
        // run-index order.
        static_assert(kBatch % kLanes == 0);
        const std::size_t n_sketched = sketched.size();
        return [&model, &options, &sketched, counts, n_sketched, lanes = LaneWorkspace(model),
                runs = std::vector<RunResult>(kLanes, RunResult::for_model(model)),
                values = std::vector<double>(n_sketched * kBatch),
                column = std::vector<double>(kSketchBlock * kBatch)](
                   std::uint64_t begin, std::uint64_t end, BlockMoments& block) mutable {
          for (std::uint64_t first = begin; first < end; first += kBatch) {
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kBatch, end - first));
            for (std::size_t r0 = 0; r0 < n; r0 += kLanes) {
              const int group = static_cast<int>(std::min<std::size_t>(kLanes, n - r0));
              simulate_lanes(model, options.master_seed, first + r0, group, lanes, runs.data());
              for (std::size_t r = r0; r < r0 + static_cast<std::size_t>(group); ++r) {
                const RunResult& run = runs[r - r0];
                counts->add_outcomes(run);
                if (!block.add(run.indicators.data())) counts->add_non_finite(run);
                double* row = values.data() + r * n_sketched;
                for (std::size_t j = 0; j < n_sketched; ++j) row[j] = run.indicators[sketched[j]];
              }
            }
            for (std::size_t j0 = 0; j0 < n_sketched; j0 += kSketchBlock) {
              const std::size_t width = std::min(kSketchBlock, n_sketched - j0);
              for (std::size_t r = 0; r < n; ++r) {
                const double* row = values.data() + r * n_sketched + j0;
                for (std::size_t j = 0; j < width; ++j) column[j * kBatch + r] = row[j];
              }
              for (std::size_t j = 0; j < width; ++j)
                counts->ind_sketch[sketched[j0 + j]].add_values(column.data() + j * kBatch, n);
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
