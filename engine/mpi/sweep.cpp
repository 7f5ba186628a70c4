// A sweep over MPI ranks: tasks are the design points the store lacks. Every lane evaluates its
// points one by one and sends each result as soon as it has it; rank 0 commits each to the store
// as it arrives (its own transaction, as study::run_sweep does), so a job killed at any moment
// loses only the points in flight.
#include <fmt/format.h>

#include "geosim/mpi.h"
#include "mpi/farm.h"
#include "mpi/wire.h"

namespace geosim::mpi {

namespace {

// Points are handed out a few at a time: they differ in cost (adaptive replication, failing
// points), and each is long enough that a message per point costs nothing.
constexpr std::uint64_t kMaxPointsPerChunk = 4;

}  // namespace

std::optional<study::SweepReport> run_sweep(const Session& session, const study::StudySpec& spec,
                                            const study::Design& design,
                                            const study::Evaluator& evaluate,
                                            const std::filesystem::path& store_path,
                                            const study::SweepOptions& options) {
  // Every rank must compute the study rank 0 records: the same files, read the same.
  const std::string manager_fingerprint = session.broadcast(spec.fingerprint);
  const std::vector<int> same =
      session.all_statuses(spec.fingerprint == manager_fingerprint ? 0 : 1);
  for (std::size_t r = 0; r < same.size(); ++r)
    if (same[r] != 0) {
      if (!session.is_manager()) return std::nullopt;
      throw std::runtime_error(fmt::format(
          "rank {} reads a different study than rank 0 (its study file, scenario or design file "
          "differ): every rank must see the same files",
          r));
    }

  // Rank 0 opens the store and tells every rank which points are left, or that it cannot go on.
  std::unique_ptr<study::SweepStore> store;
  std::string store_error;
  WireWriter plan;
  if (session.is_manager()) {
    try {
      store = std::make_unique<study::SweepStore>(spec, design, store_path);
      const auto remaining = store->remaining();
      plan.put_vector(std::vector<std::uint64_t>(remaining.begin(), remaining.end()));
    } catch (const std::exception& e) {
      store_error = e.what();
    }
  }
  const std::vector<int> opened = session.all_statuses(store_error.empty() ? 0 : 1);
  if (opened[0] != 0) {
    if (!session.is_manager()) return std::nullopt;
    throw std::runtime_error(store_error);
  }
  const std::string received = session.broadcast(plan.bytes());
  WireReader plan_reader(received);
  const auto remaining = plan_reader.get_vector<std::uint64_t>();
  plan_reader.expect_end();

  study::SweepReport report;
  report.points = design.points();
  report.resumed = design.points() - remaining.size();
  if (session.is_manager() && options.progress) options.progress(report.resumed, report.points);

  detail::Farm farm;
  farm.tasks = remaining.size();
  farm.max_chunk = kMaxPointsPerChunk;
  farm.lanes = options.threads > 0 ? options.threads : session.default_threads();
  farm.make_lane = [&]() -> detail::Lane {
    return [&](std::uint64_t begin, std::uint64_t end, const detail::Emit& emit) {
      for (std::uint64_t i = begin; i < end; ++i) {
        const auto point = static_cast<std::size_t>(remaining[i]);
        WireWriter w;
        put_point_result(w, evaluate(point, study::point_values(design, point)));
        emit(i, i + 1, std::move(w.bytes()));
      }
    };
  };
  farm.on_result = [&](std::uint64_t begin, std::uint64_t end, std::string_view payload) {
    if (end != begin + 1) throw std::logic_error("a sweep result covers one point");
    WireReader r(payload.data(), payload.size());
    const study::PointResult result = get_point_result(r);
    r.expect_end();
    store->record(static_cast<std::size_t>(remaining[begin]), result);
    ++report.computed;
    report.runs += result.runs;
    if (!result.ok) report.count_failure(static_cast<std::size_t>(remaining[begin]), result.error);
    if (options.progress) options.progress(report.resumed + report.computed, report.points);
  };
  farm.on_finish = [](int, std::string_view) {};

  try {
    detail::run_farm(session, farm);
  } catch (const AbortJob& e) {
    if (!session.is_manager()) throw;
    const std::size_t stored = report.resumed + report.computed;
    throw AbortJob(fmt::format(
        "{}\n{} of {} design points are committed to {}; run the same command again (with any "
        "number of ranks) to compute the other {}",
        e.what(), stored, report.points, store_path.string(), report.points - stored));
  }
  if (!session.is_manager()) return std::nullopt;
  return report;
}

}  // namespace geosim::mpi
