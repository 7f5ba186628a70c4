// Runs and sweeps spread over the ranks of an MPI job (built only with -DGEOSIM_WITH_MPI=ON).
//
// Rank 0 is the manager: it hands out work dynamically (ranges of reduction blocks for a run,
// design points for a sweep) to every rank, itself included, as they ask for it, so that a slow
// rank or an expensive design point does not hold the others back. Inside a rank, `threads`
// lanes compute at once. Rank 0 alone merges results and writes files.
//
// Determinism: results are bit-identical to the one-process threaded functions for any number of
// ranks and threads. A run's order-free counts are merged in any order; its indicator moments are
// folded block by block in global block order (rank 0 buffers blocks that arrive early). A sweep's
// point result depends only on the point; rank 0 records each in the store as it arrives, and
// the exports read the store in point order.
//
// Failures: before the ranks start working apart (the store, the inputs' fingerprints), every
// rank learns of an error on any rank and all leave the function together, so the job ends
// cleanly. After that, a failing rank throws AbortJob: the caller prints it and calls
// Session::abort, and the launcher ends the other ranks. A rank that dies is left to the launcher,
// which ends the job (mpirun does; srun with --kill-on-bad-exit=1): the ranks cannot tell a dead
// rank from a slow one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "geosim/model.h"
#include "geosim/summary.h"
#include "geosim/sweep.h"

namespace geosim::mpi {

// The MPI environment of this process: MPI is initialised (threads: only the main thread calls
// MPI) when the Session is made and finalised when it is destroyed. One per process. Started
// without a launcher (no mpirun or srun), the process is a job of one rank.
class Session {
 public:
  Session(int& argc, char**& argv);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  [[nodiscard]] int rank() const { return rank_; }
  [[nodiscard]] int size() const { return size_; }
  [[nodiscard]] bool is_manager() const { return rank_ == 0; }
  // Ranks of this job on this machine (they share its cores).
  [[nodiscard]] int ranks_on_node() const { return ranks_on_node_; }
  // Cores this process may run on (its CPU affinity: a launcher may bind a rank to some cores).
  [[nodiscard]] int cores() const;
  // Threads a rank uses when none are asked for: the cores it is bound to, or, when it is not
  // bound, this machine's cores shared by its ranks.
  [[nodiscard]] int default_threads() const;

  // Collective: every rank gives its exit status (0: ready to go on); every rank gets the
  // statuses of all ranks, in rank order.
  [[nodiscard]] std::vector<int> all_statuses(int status) const;
  // Collective: rank 0's `text` on every rank.
  [[nodiscard]] std::string broadcast(const std::string& text) const;

  // Ends every rank of the job with `status` (MPI_Abort); for errors after the ranks have parted
  // ways, when no collective call can be trusted to return.
  [[noreturn]] void abort(int status) const;

 private:
  int rank_ = 0, size_ = 1, ranks_on_node_ = 1;
};

// A failure on one rank after the ranks started working apart: the others cannot be told to stop,
// so whoever catches it prints what() and ends the job with Session::abort.
class AbortJob : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Collective: every rank calls it with the same model and options (`threads` is per rank, 0:
// Session::default_threads()). Returns on rank 0 the Accumulator that run_monte_carlo(model,
// options) returns, bit for bit; nothing on the other ranks. `options.progress` is called on rank
// 0 only, with the runs merged so far. options.first_run must be a multiple of block_size (throws
// std::invalid_argument otherwise); options.on_block is not used.
std::optional<Accumulator> run_monte_carlo(const Session& session, const Model& model,
                                           const MonteCarloOptions& options);

// Collective: every rank calls it with the same study, design and evaluator; rank 0 owns the
// store at `store_path` (no other rank touches it) and hands out the points it lacks. Returns the
// report on rank 0, nothing elsewhere. The store's contents and its exports equal those of
// study::run_sweep with the same inputs. `options.threads` is per rank (0:
// Session::default_threads()); `options.progress` is called on rank 0 only, as by
// study::run_sweep. If the store cannot be opened (in use, or made by another study) or a rank
// reads a different study (its fingerprint differs from rank 0's), rank 0 throws
// std::runtime_error and the other ranks return nothing; AbortJob from rank 0 says how many
// points are committed.
std::optional<study::SweepReport> run_sweep(const Session& session, const study::StudySpec& spec,
                                            const study::Design& design,
                                            const study::Evaluator& evaluate,
                                            const std::filesystem::path& store_path,
                                            const study::SweepOptions& options = {});

}  // namespace geosim::mpi
