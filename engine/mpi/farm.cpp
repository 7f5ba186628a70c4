#include "mpi/farm.h"

#include <fmt/format.h>
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <list>
#include <mutex>
#include <numeric>
#include <optional>
#include <thread>
#include <vector>

namespace geosim::mpi::detail {

namespace {

enum Tag : int { kRequest = 1, kAssign = 2, kResult = 3, kFinish = 4 };

void check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw AbortJob(
      fmt::format("{} failed: {}", what, std::string(text, static_cast<std::size_t>(len))));
}

int byte_count(std::size_t n) {
  if (n > static_cast<std::size_t>(INT_MAX))
    throw AbortJob(
        fmt::format("an MPI message of {} bytes is over the 2 GiB limit of one message", n));
  return static_cast<int>(n);
}

struct Chunk {
  std::uint64_t begin = 0, end = 0;
};

std::string with_header(const Chunk& c, std::string_view payload) {
  std::string m(16 + payload.size(), '\0');
  std::memcpy(m.data(), &c.begin, 8);
  std::memcpy(m.data() + 8, &c.end, 8);
  std::memcpy(m.data() + 16, payload.data(), payload.size());
  return m;
}

Chunk header(std::string_view m) {
  if (m.size() < 16) throw AbortJob("MPI message: a result without its task range");
  Chunk c;
  std::memcpy(&c.begin, m.data(), 8);
  std::memcpy(&c.end, m.data() + 8, 8);
  return c;
}

// Receives the message `status` announced, whatever its size.
std::string receive(const MPI_Status& status) {
  int n = 0;
  check(MPI_Get_count(&status, MPI_BYTE, &n), "MPI_Get_count");
  std::string m(static_cast<std::size_t>(n), '\0');
  check(MPI_Recv(m.data(), n, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE),
        "MPI_Recv");
  return m;
}

// Guided chunks: large while much remains, down to one task at the end.
class Scheduler {
 public:
  Scheduler(std::uint64_t tasks, std::uint64_t max_chunk, std::uint64_t all_lanes)
      : tasks_(tasks),
        max_chunk_(std::max<std::uint64_t>(1, max_chunk)),
        all_lanes_(std::max<std::uint64_t>(1, all_lanes)) {}
  Chunk next() {
    std::lock_guard lock(mutex_);
    const std::uint64_t left = tasks_ - next_;
    const std::uint64_t n =
        std::clamp<std::uint64_t>((left + 2 * all_lanes_ - 1) / (2 * all_lanes_),
                                  std::min<std::uint64_t>(1, left), max_chunk_);
    const Chunk c{next_, next_ + std::min(n, left)};
    next_ = c.end;
    return c;
  }
  void stop() {
    std::lock_guard lock(mutex_);
    next_ = tasks_;
  }

 private:
  std::mutex mutex_;
  std::uint64_t next_ = 0;
  std::uint64_t tasks_, max_chunk_, all_lanes_;
};

// Waiting for a message: the main thread polls (MPI_Iprobe) and sleeps in between, first briefly,
// then longer while nothing happens, so an idle manager does not take a core from its lanes.
class Backoff {
 public:
  std::chrono::microseconds next() {
    const auto d = wait_;
    wait_ = std::min(wait_ * 2, std::chrono::microseconds(1000));
    return d;
  }
  void reset() { wait_ = std::chrono::microseconds(20); }

 private:
  std::chrono::microseconds wait_{20};
};

// What lanes share with their rank's main thread.
struct Shared {
  std::mutex mutex;
  std::condition_variable main_wakes, lanes_wake;
  std::deque<std::pair<Chunk, std::string>> outbox;  // emitted results not yet handled
  std::deque<Chunk> queue;                           // a worker's chunks on hand
  int busy = 0;                                      // lanes computing a chunk
  int lanes_alive = 0;
  bool stop = false;
  std::exception_ptr failure;
};

// A lane's thread: chunks from `take` until it returns an empty one.
template <class Take>
void lane_thread(const Farm& farm, Shared& shared, Take take) {
  try {
    const Lane lane = farm.make_lane();
    const Emit emit = [&shared](std::uint64_t b, std::uint64_t e, std::string payload) {
      std::lock_guard lock(shared.mutex);
      shared.outbox.emplace_back(Chunk{b, e}, std::move(payload));
      shared.main_wakes.notify_one();
    };
    for (;;) {
      const Chunk c = take();
      if (c.begin == c.end) break;
      lane(c.begin, c.end, emit);
      std::lock_guard lock(shared.mutex);
      --shared.busy;
      shared.main_wakes.notify_one();
    }
  } catch (...) {
    std::lock_guard lock(shared.mutex);
    if (!shared.failure) shared.failure = std::current_exception();
    shared.stop = true;
    shared.lanes_wake.notify_all();
  }
  std::lock_guard lock(shared.mutex);
  --shared.lanes_alive;
  shared.main_wakes.notify_one();
}

[[noreturn]] void rethrow_as_abort(const std::exception_ptr& failure, int rank) {
  try {
    std::rethrow_exception(failure);
  } catch (const AbortJob&) {
    throw;
  } catch (const std::exception& e) {
    throw AbortJob(fmt::format("rank {}: {}", rank, e.what()));
  } catch (...) {
    throw AbortJob(fmt::format("rank {}: unknown exception", rank));
  }
}

void join_all(Shared& shared, std::list<std::thread>& threads) {
  {
    std::lock_guard lock(shared.mutex);
    shared.stop = true;
    shared.lanes_wake.notify_all();
  }
  for (auto& t : threads)
    if (t.joinable()) t.join();
}

void run_manager(const Session& session, const Farm& farm, std::uint64_t all_lanes) {
  Scheduler scheduler(farm.tasks, farm.max_chunk, all_lanes);
  Shared shared;
  std::list<std::thread> threads;
  shared.lanes_alive = farm.lanes;
  for (int l = 0; l < farm.lanes; ++l)
    threads.emplace_back([&] {
      lane_thread(farm, shared, [&] {
        {
          std::lock_guard lock(shared.mutex);
          if (shared.stop) return Chunk{};
        }
        const Chunk c = scheduler.next();
        if (c.begin != c.end) {
          std::lock_guard lock(shared.mutex);
          ++shared.busy;
        }
        return c;
      });
    });

  try {
    int workers_left = session.size() - 1;
    std::uint64_t tasks_done = 0;
    Backoff backoff;
    for (;;) {
      bool active = false;
      std::deque<std::pair<Chunk, std::string>> results;
      bool lanes_done = false;
      {
        std::lock_guard lock(shared.mutex);
        if (shared.failure) break;
        results.swap(shared.outbox);
        lanes_done = shared.lanes_alive == 0;
      }
      for (const auto& [c, payload] : results) {
        farm.on_result(c.begin, c.end, payload);
        tasks_done += c.end - c.begin;
        active = true;
      }
      for (int flag = 1; flag && workers_left > 0;) {
        MPI_Status status;
        check(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status),
              "MPI_Iprobe");
        if (!flag) break;
        active = true;
        const std::string m = receive(status);
        switch (status.MPI_TAG) {
          case kRequest: {
            const Chunk c = scheduler.next();
            check(MPI_Send(&c, 16, MPI_BYTE, status.MPI_SOURCE, kAssign, MPI_COMM_WORLD),
                  "MPI_Send");
            break;
          }
          case kResult: {
            const Chunk c = header(m);
            farm.on_result(c.begin, c.end, std::string_view(m).substr(16));
            tasks_done += c.end - c.begin;
            break;
          }
          case kFinish:
            farm.on_finish(status.MPI_SOURCE, m);
            --workers_left;
            break;
          default:
            throw AbortJob(fmt::format("MPI message with unknown tag {} from rank {}",
                                       status.MPI_TAG, status.MPI_SOURCE));
        }
      }
      if (lanes_done && workers_left == 0) {
        std::lock_guard lock(shared.mutex);
        if (shared.outbox.empty() && !shared.failure) break;
        continue;
      }
      if (active) {
        backoff.reset();
        continue;
      }
      std::unique_lock lock(shared.mutex);
      if (workers_left > 0) {
        // Polling for messages; a lane's results wake it sooner.
        shared.main_wakes.wait_for(lock, backoff.next(),
                                   [&] { return !shared.outbox.empty() || shared.failure; });
      } else {
        shared.main_wakes.wait(lock, [&] {
          return !shared.outbox.empty() || shared.lanes_alive == 0 || shared.failure;
        });
      }
    }
    join_all(shared, threads);
    if (shared.failure) std::rethrow_exception(shared.failure);
    if (tasks_done != farm.tasks)
      throw std::logic_error(
          fmt::format("the manager received results for {} of {} tasks", tasks_done, farm.tasks));
  } catch (...) {
    scheduler.stop();
    join_all(shared, threads);
    rethrow_as_abort(std::current_exception(), 0);
  }
}

void run_worker(const Session& session, const Farm& farm) {
  Shared shared;
  std::list<std::thread> threads;
  shared.lanes_alive = farm.lanes;
  for (int l = 0; l < farm.lanes; ++l)
    threads.emplace_back([&] {
      lane_thread(farm, shared, [&] {
        std::unique_lock lock(shared.mutex);
        shared.lanes_wake.wait(lock, [&] { return shared.stop || !shared.queue.empty(); });
        if (shared.queue.empty()) return Chunk{};
        const Chunk c = shared.queue.front();
        shared.queue.pop_front();
        ++shared.busy;
        shared.main_wakes.notify_one();  // the main thread may order another chunk
        return c;
      });
    });

  // Sends still in flight: a lane's results are sent without waiting for the manager to take
  // them (a blocking send of a large message would spin until it does).
  struct Sending {
    std::string bytes;
    MPI_Request request = MPI_REQUEST_NULL;
  };
  std::list<Sending> sending;
  const auto deliver = [&](bool wait) {
    for (auto it = sending.begin(); it != sending.end();) {
      int done = 0;
      if (wait) {
        check(MPI_Wait(&it->request, MPI_STATUS_IGNORE), "MPI_Wait");
        done = 1;
      } else {
        check(MPI_Test(&it->request, &done, MPI_STATUS_IGNORE), "MPI_Test");
      }
      it = done ? sending.erase(it) : std::next(it);
    }
  };

  try {
    int ordered = 0;  // requests not yet answered
    bool no_more = false;
    Backoff backoff;
    for (;;) {
      bool active = false;
      std::deque<std::pair<Chunk, std::string>> results;
      int on_hand = 0;
      {
        std::lock_guard lock(shared.mutex);
        if (shared.failure) break;
        results.swap(shared.outbox);
        on_hand = static_cast<int>(shared.queue.size()) + shared.busy;
      }
      for (const auto& [c, payload] : results) {
        Sending& s = sending.emplace_back();
        s.bytes = with_header(c, payload);
        check(MPI_Isend(s.bytes.data(), byte_count(s.bytes.size()), MPI_BYTE, 0, kResult,
                        MPI_COMM_WORLD, &s.request),
              "MPI_Isend");
        active = true;
      }
      deliver(false);
      while (!no_more && on_hand + ordered < farm.lanes + 1) {
        check(MPI_Send(nullptr, 0, MPI_BYTE, 0, kRequest, MPI_COMM_WORLD), "MPI_Send");
        ++ordered;
        active = true;
      }
      for (int flag = 1; flag && ordered > 0;) {
        MPI_Status status;
        check(MPI_Iprobe(0, kAssign, MPI_COMM_WORLD, &flag, &status), "MPI_Iprobe");
        if (!flag) break;
        const std::string m = receive(status);
        const Chunk c = header(m);
        --ordered;
        active = true;
        if (c.begin == c.end) {
          no_more = true;
          continue;
        }
        std::lock_guard lock(shared.mutex);
        shared.queue.push_back(c);
        shared.lanes_wake.notify_one();
      }
      if (no_more && ordered == 0) {
        std::lock_guard lock(shared.mutex);
        if (shared.queue.empty() && shared.busy == 0 && shared.outbox.empty()) break;
      }
      if (active) {
        backoff.reset();
        continue;
      }
      std::unique_lock lock(shared.mutex);
      // Polling while answers are due or results are on their way (MPI moves a message only
      // while this thread calls it); results, and a lane wanting work, wake it sooner.
      const auto ready = [&] {
        return !shared.outbox.empty() || shared.failure ||
               (!no_more &&
                static_cast<int>(shared.queue.size()) + shared.busy + ordered < farm.lanes + 1);
      };
      if (ordered > 0 || !sending.empty()) {
        shared.main_wakes.wait_for(lock, backoff.next(), ready);
      } else {
        shared.main_wakes.wait(
            lock, [&] { return ready() || (shared.queue.empty() && shared.busy == 0); });
      }
    }
    join_all(shared, threads);
    // Results already on their way go out before the job is told of a failure (their buffers
    // must outlive the sends).
    deliver(true);
    if (shared.failure) std::rethrow_exception(shared.failure);
    const std::string last = farm.finish ? farm.finish() : std::string();
    check(MPI_Send(last.data(), byte_count(last.size()), MPI_BYTE, 0, kFinish, MPI_COMM_WORLD),
          "MPI_Send");
  } catch (...) {
    join_all(shared, threads);
    rethrow_as_abort(std::current_exception(), session.rank());
  }
}

}  // namespace

void run_farm(const Session& session, const Farm& farm) {
  // The guided chunk size needs every rank's lane count; all ranks are alive at this point.
  int lanes = std::max(1, farm.lanes);
  std::vector<int> all(static_cast<std::size_t>(session.size()));
  check(MPI_Gather(&lanes, 1, MPI_INT, all.data(), 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Gather");
  Farm f = farm;
  f.lanes = lanes;
  if (session.is_manager()) {
    run_manager(session, f, static_cast<std::uint64_t>(std::accumulate(all.begin(), all.end(), 0)));
  } else {
    run_worker(session, f);
  }
}

}  // namespace geosim::mpi::detail
