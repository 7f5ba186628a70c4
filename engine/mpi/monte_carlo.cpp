// A Monte Carlo run over MPI ranks: tasks are reduction blocks. Each lane runs whole blocks with
// run_monte_carlo on one thread and sends each block's indicator moments to rank 0, which folds
// them in global block order; each rank adds up its lanes' order-free counts and sends them once,
// at the end.
#include <fmt/format.h>

#include <list>
#include <map>
#include <mutex>
#include <stdexcept>

#include "geosim/mpi.h"
#include "mpi/farm.h"
#include "mpi/wire.h"

namespace geosim::mpi {

namespace {

// Rank 0 holds the moments of every block that arrives before its turn, so a chunk is at most this
// many blocks: while the lanes run at about the same speed, what waits is a few chunks per lane of
// the job, each kMaxBlocksPerChunk x 24 n bytes for n indicator-ticks (the baseline: n = 2,940,
// 1.1 MB per chunk). A lane much slower than the others makes more wait.
constexpr std::uint64_t kMaxBlocksPerChunk = 16;

// Blocks' moments folded into the total strictly in block order, whatever order they come in.
class BlockFolder {
 public:
  explicit BlockFolder(std::size_t n_moments) : total_(n_moments) {}
  void add(std::uint64_t block, std::vector<Welford> moments) {
    if (moments.size() != total_.size())
      throw std::runtime_error(
          fmt::format("block {} came with {} indicator moments, this rank expects {}: do all ranks "
                      "read the same "
                      "scenario?",
                      block, moments.size(), total_.size()));
    if (block != next_) {
      waiting_.emplace(block, std::move(moments));
      return;
    }
    fold(moments);
    for (auto it = waiting_.find(next_); it != waiting_.end(); it = waiting_.find(next_)) {
      fold(it->second);
      waiting_.erase(it);
    }
  }
  [[nodiscard]] bool complete(std::uint64_t blocks) const {
    return next_ == blocks && waiting_.empty();
  }
  std::vector<Welford> take() { return std::move(total_); }

 private:
  void fold(const std::vector<Welford>& moments) {
    for (std::size_t i = 0; i < total_.size(); ++i) total_[i].merge(moments[i]);
    ++next_;
  }
  std::vector<Welford> total_;
  std::uint64_t next_ = 0;
  std::map<std::uint64_t, std::vector<Welford>> waiting_;
};

// An Accumulator with no runs, shaped exactly as run_monte_carlo shapes it for these options.
Accumulator empty_like(const Model& model, const MonteCarloOptions& options) {
  MonteCarloOptions none = options;
  none.runs = 0;
  none.threads = 1;
  none.progress = {};
  none.on_block = {};
  return geosim::run_monte_carlo(model, none);
}

}  // namespace

std::optional<Accumulator> run_monte_carlo(const Session& session, const Model& model,
                                           const MonteCarloOptions& options) {
  const auto block_size = static_cast<std::uint64_t>(std::max<std::int32_t>(1, options.block_size));
  if (options.first_run % block_size != 0)
    throw std::invalid_argument(
        "run_monte_carlo over MPI: first_run must be a multiple of block_size");
  const std::uint64_t end_run = options.first_run + options.runs;
  const std::uint64_t blocks = (options.runs + block_size - 1) / block_size;

  // The counts of this rank's lanes (one Accumulator each, added up at the end: integer counts).
  const Accumulator empty = empty_like(model, options);
  std::mutex mutex;
  std::list<Accumulator> lane_counts;
  const auto rank_counts = [&] {
    Accumulator total = empty;
    for (const auto& a : lane_counts) total.merge_counts(a);
    return total;
  };

  detail::Farm farm;
  farm.tasks = blocks;
  farm.max_chunk = kMaxBlocksPerChunk;
  farm.lanes = options.threads > 0 ? options.threads : session.default_threads();
  farm.make_lane = [&]() -> detail::Lane {
    Accumulator* counts = nullptr;
    {
      std::lock_guard lock(mutex);
      counts = &lane_counts.emplace_back(empty);
    }
    return [&, counts](std::uint64_t begin, std::uint64_t end, const detail::Emit& emit) {
      MonteCarloOptions o = options;
      o.threads = 1;  // the lanes are the threads
      o.progress = {};
      o.first_run = options.first_run + begin * block_size;
      o.runs = std::min(end_run, options.first_run + end * block_size) - o.first_run;
      WireWriter moments;
      std::uint64_t expect = o.first_run / block_size;
      o.on_block = [&](std::uint64_t block, const std::vector<Welford>& m) {
        if (block != expect++)
          throw std::logic_error("run_monte_carlo handed over blocks out of order");
        moments.put_vector(m);
      };
      counts->merge_counts(geosim::run_monte_carlo(model, o));
      emit(begin, end, std::move(moments.bytes()));
    };
  };
  farm.finish = [&] {
    WireWriter w;
    put_counts(w, rank_counts());
    return std::move(w.bytes());
  };

  // Rank 0: the moments of each block, in block order; the workers' counts, in any order.
  BlockFolder folder(empty.ind_moments.size());
  Accumulator worker_counts = empty;
  std::uint64_t runs_in = 0;
  farm.on_result = [&](std::uint64_t begin, std::uint64_t end, std::string_view payload) {
    WireReader r(payload.data(), payload.size());
    for (std::uint64_t b = begin; b < end; ++b) folder.add(b, r.get_vector<Welford>());
    r.expect_end();
    runs_in += std::min(end_run, options.first_run + end * block_size) -
               (options.first_run + begin * block_size);
    if (options.progress) options.progress(runs_in);
  };
  farm.on_finish = [&](int rank, std::string_view payload) {
    Accumulator counts = empty;
    WireReader r(payload.data(), payload.size());
    get_counts(r, counts);
    r.expect_end();
    if (counts.end_state_count.size() != worker_counts.end_state_count.size() ||
        counts.highest_rung_count.size() != worker_counts.highest_rung_count.size() ||
        counts.first_arrival.size() != worker_counts.first_arrival.size() ||
        counts.end_tick.size() != worker_counts.end_tick.size() ||
        counts.ind_sketch.size() != worker_counts.ind_sketch.size() ||
        counts.non_finite_runs.size() != worker_counts.non_finite_runs.size())
      throw std::runtime_error(
          fmt::format("rank {} counted outcomes of a different model than rank 0: do all ranks "
                      "read the same scenario?",
                      rank));
    worker_counts.merge_counts(counts);
  };

  detail::run_farm(session, farm);
  if (!session.is_manager()) return std::nullopt;
  if (!folder.complete(blocks)) throw AbortJob("rank 0 is missing the moments of some blocks");
  Accumulator total = rank_counts();
  total.merge_counts(worker_counts);
  total.ind_moments = folder.take();
  return total;
}

}  // namespace geosim::mpi
