#include <fmt/format.h>
#include <mpi.h>
#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <thread>

#include "geosim/mpi.h"

namespace geosim::mpi {

Session::Session(int& argc, char**& argv) {
  int provided = 0;
  if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
    throw std::runtime_error("MPI_Init_thread failed");
  // Lanes are threads; only the main thread calls MPI.
  if (provided < MPI_THREAD_FUNNELED) {
    MPI_Finalize();
    throw std::runtime_error(
        "this MPI library cannot be used from a threaded program (MPI_THREAD_FUNNELED)");
  }
  // MPI errors come back as return codes, so that the farm reports them as AbortJob with the call
  // that failed, instead of the library ending the job without a word of geosim's.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node);
  MPI_Comm_size(node, &ranks_on_node_);
  MPI_Comm_free(&node);
}

Session::~Session() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

int Session::cores() const {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0)
    return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::max(1, CPU_COUNT(&set));
}

int Session::default_threads() const {
  const int machine = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int mine = cores();
  if (mine < machine) return mine;  // bound by the launcher
  return std::max(1, machine / std::max(1, ranks_on_node_));
}

std::vector<int> Session::all_statuses(int status) const {
  std::vector<int> all(static_cast<std::size_t>(size_));
  if (MPI_Allgather(&status, 1, MPI_INT, all.data(), 1, MPI_INT, MPI_COMM_WORLD) != MPI_SUCCESS)
    throw AbortJob("MPI_Allgather failed");
  return all;
}

std::string Session::broadcast(const std::string& text) const {
  unsigned long long n = text.size();
  if (MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
    throw AbortJob("MPI_Bcast failed");
  if (n > static_cast<unsigned long long>(std::numeric_limits<int>::max()))
    throw AbortJob(
        fmt::format("a broadcast of {} bytes is over the 2 GiB limit of one message", n));
  std::string out = rank_ == 0 ? text : std::string(static_cast<std::size_t>(n), '\0');
  if (MPI_Bcast(out.data(), static_cast<int>(n), MPI_BYTE, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
    throw AbortJob("MPI_Bcast failed");
  return out;
}

void Session::abort(int status) const {
  MPI_Abort(MPI_COMM_WORLD, status);
  std::abort();  // MPI_Abort does not return; if it did, the job must still end
}

}  // namespace geosim::mpi
