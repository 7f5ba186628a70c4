// The one piece of code that spreads work over MPI ranks (as run/blocks.h spreads it over
// threads): a manager-worker task farm with dynamic load balancing.
//
// Work is `tasks` task indices (reduction blocks of a run, design points of a sweep). Rank 0, the
// manager, hands out chunks of consecutive tasks to whoever asks: its own lanes directly, other
// ranks by message. Each rank runs `lanes` threads ("lanes"); a lane computes a chunk and emits
// its results, which go to the manager's main thread. Chunks are guided: remaining / (2 x all
// lanes) tasks, between 1 and max_chunk, so early chunks are large (few messages) and the last
// ones small (ranks finish together). A worker rank keeps one chunk more than it has lanes on
// hand or on order, so a lane never waits for a reply.
//
// Protocol (MPI_COMM_WORLD, only each rank's main thread calls MPI):
//   worker -> manager  kRequest  (empty)                       "one more chunk, please"
//   manager -> worker  kAssign   [begin u64][end u64]          the answer; begin == end: no more
//   worker -> manager  kResult   [begin u64][end u64][payload]  a lane's results for [begin, end)
//   worker -> manager  kFinish   [payload]                     last message of a worker rank
// A worker stops asking after its first empty answer, and sends kFinish once every answer has
// come, its lanes are done and its results are delivered; the manager returns once every task's
// result and every worker's kFinish have arrived. A rank that dies is not detected here (MPI
// reports nothing to the others): the launcher ends the whole job (see docs/cluster.md).
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "geosim/mpi.h"

namespace geosim::mpi::detail {

// A lane hands over the results of tasks [begin, end) of its chunk; every task of the chunk
// exactly once, in one or more pieces, in any order.
using Emit = std::function<void(std::uint64_t begin, std::uint64_t end, std::string payload)>;
// A lane computes chunk [begin, end) and emits its results. Called on the lane's thread only.
using Lane = std::function<void(std::uint64_t begin, std::uint64_t end, const Emit& emit)>;

struct Farm {
  std::uint64_t tasks = 0;      // task indices 0 .. tasks - 1; the same on every rank
  std::uint64_t max_chunk = 1;  // the most tasks handed out at once
  int lanes = 1;                // lanes (threads) on this rank
  // Called once on each lane's thread before its first chunk.
  std::function<Lane()> make_lane;
  // Worker ranks, after all their lanes ended: the payload of kFinish.
  std::function<std::string()> finish;
  // Manager only, called on its main thread: the results of tasks [begin, end) from any rank
  // (itself included), and a worker rank's kFinish payload.
  std::function<void(std::uint64_t begin, std::uint64_t end, std::string_view payload)> on_result;
  std::function<void(int rank, std::string_view payload)> on_finish;
};

// Collective: every rank calls it with the same tasks and max_chunk. Returns on the manager once
// every result and every worker's kFinish is handled, on a worker once its kFinish is sent.
// A failure on this rank (a lane's exception, an MPI error) stops its lanes after their current
// chunk and throws AbortJob: the other ranks cannot be told, so the job must be aborted.
void run_farm(const Session& session, const Farm& farm);

}  // namespace geosim::mpi::detail
