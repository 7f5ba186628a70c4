// A sweep under mpirun whose rank dies mid-sweep stops (no hang) and says how many points are
// safe and how to go on; the same command on another number of ranks computes only the rest, and
// the results are those of an uninterrupted one-process sweep, byte for byte.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "mpi_support.h"

namespace {

using namespace geosim_mpi_test;
using Clock = std::chrono::steady_clock;

using geosim_test::recorded_points;

// The first process with every one of `vars` (NAME=value) in its environment. The processes of a
// job carry the tag the test put in the environment of mpirun, which hands it on to the ranks it
// starts on this machine.
std::optional<pid_t> find_process(const std::vector<std::string>& vars) {
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string env = slurp(e.path() / "environ");
    std::size_t found = 0;
    for (std::size_t at = 0; at < env.size();) {
      const std::size_t end = env.find('\0', at);
      const std::string var =
          env.substr(at, end == std::string::npos ? std::string::npos : end - at);
      found += std::count(vars.begin(), vars.end(), var);
      if (end == std::string::npos) break;
      at = end + 1;
    }
    if (found == vars.size()) return static_cast<pid_t>(std::stol(name));
  }
  return std::nullopt;
}

std::string tag_var(const std::string& tag) { return "GEOSIM_MPI_TEST_TAG=" + tag; }

std::optional<pid_t> find_rank(const std::string& tag, int rank) {
  return find_process({tag_var(tag), fmt::format("OMPI_COMM_WORLD_RANK={}", rank)});
}

// mpirun itself: the child of the job's timeout(1).
std::optional<pid_t> find_mpirun(pid_t timeout) {
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    // /proc/PID/stat: pid (comm) state ppid ...; comm may hold spaces, so read after its ')'.
    const std::string stat = slurp(e.path() / "stat");
    const std::size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 1));
    std::string state;
    pid_t ppid = 0;
    if (rest >> state >> ppid && ppid == timeout) return static_cast<pid_t>(std::stol(name));
  }
  return std::nullopt;
}

struct Job {
  pid_t pid = -1;
  fs::path log;
};

// Waits until the store holds `points` points (or the job ended, or a minute passed).
void wait_for_points(const Job& job, const fs::path& store, std::int64_t points) {
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (recorded_points(store) < points && Clock::now() < deadline) {
    siginfo_t ended{};
    if (::waitid(P_PID, static_cast<id_t>(job.pid), &ended, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        ended.si_pid != 0)
      return;  // ended already (left for wait_for to reap)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// Starts `mpirun ... geosim sweep` in the background, its output going to `log`.
Job start_sweep(int ranks, const fs::path& study, const fs::path& out, const std::string& tag,
                const fs::path& log) {
  const std::string command =
      fmt::format("exec {} {} sweep {} --out {} --threads 1 > {} 2>&1", mpirun(ranks),
                  q(GEOSIM_BINARY), q(study.string()), q(out.string()), q(log.string()));
  Job job{::fork(), log};
  if (job.pid == 0) {
    ::setenv("GEOSIM_MPI_TEST_TAG", tag.c_str(), 1);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return job;
}

// Waits for the job to end, at most `limit`; true if it ended.
bool wait_for(const Job& job, std::chrono::seconds limit, int& status) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (::waitpid(job.pid, &status, WNOHANG) == job.pid) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(job.pid, SIGKILL);
  ::waitpid(job.pid, &status, 0);
  return false;
}

TEST(MpiResume, ARankKilledMidSweepStopsTheJobAndAResumeOnOtherRanksFinishesIt) {
  if (!have_mpirun()) GTEST_SKIP() << "no mpirun found when geosim was configured";
  const fs::path dir = fresh_dir("resume");
  const fs::path study = write_toy_study(dir, 32, 3000);  // 160 points x 3000 runs
  const fs::path out = dir / "killed";
  const fs::path store = out / "study.sqlite";
  const std::string tag = fmt::format("resume_{}", ::getpid());

  const Job job = start_sweep(2, study, out, tag, dir / "killed.log");
  ASSERT_GT(job.pid, 0);
  // Once some points are committed, kill -9 the worker rank in the middle of the sweep.
  wait_for_points(job, store, 10);
  const std::optional<pid_t> worker = find_rank(tag, 1);
  ASSERT_TRUE(worker) << "rank 1 of the job not found; output so far:\n" << slurp(job.log);
  ASSERT_EQ(::kill(*worker, SIGKILL), 0);

  int status = 0;
  ASSERT_TRUE(wait_for(job, std::chrono::seconds(30), status))
      << "the job did not end after a rank died; output:\n"
      << slurp(job.log);
  const std::string log = slurp(job.log);
  EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the job should fail:\n" << log;
  const std::int64_t at_kill = recorded_points(store);
  EXPECT_GE(at_kill, 10);
  ASSERT_LT(at_kill, 160) << "the sweep finished before the kill; make it longer";
  // Rank 0 says how much is safe and what to do.
  // (The count it gives is read after each commit, so a signal between a commit and that read
  // makes it one short.)
  const std::string said = fmt::format(" of 160 design points are committed to {}", store.string());
  const std::size_t at = log.find(said);
  ASSERT_NE(at, std::string::npos) << log;
  const std::size_t number = log.find_last_not_of("0123456789", at - 1) + 1;
  const std::int64_t announced = std::stoll(log.substr(number, at - number));
  EXPECT_TRUE(announced == at_kill || announced + 1 == at_kill)
      << "said " << announced << ", stored " << at_kill;
  EXPECT_NE(log.find("run the same command again"), std::string::npos) << log;

  // The same command on 4 ranks computes only the rest...
  const Result resumed =
      geosim(4, fmt::format("sweep {} --out {} --threads 1", q(study.string()), q(out.string())));
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_NE(resumed.output.find(
                fmt::format("({} computed now, {} already in the store", 160 - at_kill, at_kill)),
            std::string::npos)
      << resumed.output;
  // ...and ends with the results of an uninterrupted one-process sweep.
  const Result clean = geosim_serial(
      fmt::format("sweep {} --out {} --threads 2", q(study.string()), q((dir / "clean").string())));
  ASSERT_EQ(clean.status, 0) << clean.output;
  EXPECT_TRUE(slurp(out / "results.csv") == slurp(dir / "clean" / "results.csv"));
  EXPECT_TRUE(slurp(out / "design.csv") == slurp(dir / "clean" / "design.csv"));
  fs::remove_all(dir);
}

TEST(MpiResume, AJobCancelledAsAWholeResumesOnOneRank) {
  if (!have_mpirun()) GTEST_SKIP() << "no mpirun found when geosim was configured";
  const fs::path dir = fresh_dir("cancel");
  const fs::path study = write_toy_study(dir, 32, 3000);
  const fs::path out = dir / "cancelled";
  const fs::path store = out / "study.sqlite";
  const std::string tag = fmt::format("cancel_{}", ::getpid());
  const Job job = start_sweep(2, study, out, tag, dir / "cancelled.log");
  ASSERT_GT(job.pid, 0);
  wait_for_points(job, store, 10);
  // What cancelling the job does: one SIGTERM to mpirun, which ends its ranks before it exits.
  // (Not to timeout(1), which would signal mpirun twice: a second signal makes Open MPI's mpirun
  // exit at once and leave its ranks running.)
  const std::optional<pid_t> launcher = find_mpirun(job.pid);
  ASSERT_TRUE(launcher) << "mpirun of the job not found; output so far:\n" << slurp(job.log);
  ASSERT_EQ(::kill(*launcher, SIGTERM), 0);
  int status = 0;
  ASSERT_TRUE(wait_for(job, std::chrono::seconds(30), status)) << slurp(job.log);
  const std::int64_t at_stop = recorded_points(store);
  ASSERT_LT(at_stop, 160) << "the sweep finished before it was cancelled; make it longer";
  EXPECT_NE(slurp(job.log).find("run the same command again"), std::string::npos) << slurp(job.log);

  const Result resumed =
      geosim(1, fmt::format("sweep {} --out {} --threads 2", q(study.string()), q(out.string())));
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  const Result clean = geosim_serial(
      fmt::format("sweep {} --out {} --threads 2", q(study.string()), q((dir / "clean").string())));
  ASSERT_EQ(clean.status, 0) << clean.output;
  EXPECT_TRUE(slurp(out / "results.csv") == slurp(dir / "clean" / "results.csv"));
  fs::remove_all(dir);
}

}  // namespace
