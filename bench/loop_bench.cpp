// The simulation loop: one run of a shipped scenario, and a full Monte Carlo on one thread.
// Reports runs/s and actor-decisions/s (ns per decision = 1e9 / decisions/s). Build Release; never quote numbers from a debug build.
//   build/bench/loop_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include "bench_context.h"

#include <filesystem>
#include <map>
#include <string>

#include "geosim/model.h"
#include "geosim/scenario.h"
#include "geosim/simulate.h"
#include "geosim/summary.h"

namespace {

const geosim::Model& model_for(const std::string& rel) {
  static std::map<std::string, geosim::Model> cache;
  auto it = cache.find(rel);
  if (it == cache.end())
    it = cache.emplace(rel, geosim::compile(geosim::load_scenario(std::filesystem::path(GEOSIM_SOURCE_DIR) / rel))).first;
  return it->second;
}

std::string scenario_path(int which) {
  const std::string baseline = "scenarios/dprk_russia_2024/baseline.yaml";
  if (which == 1 && std::filesystem::exists(std::filesystem::path(GEOSIM_SOURCE_DIR) / baseline))
    return baseline;
  return "scenarios/toy/standoff.yaml";
}

// One run, all in: parameter sampling, per-run precomputation, every tick, no reduction.
void BM_SimulateRun(benchmark::State& state) {
  const auto& m = model_for(scenario_path(static_cast<int>(state.range(0))));
  geosim::Workspace ws(m);
  auto result = geosim::RunResult::for_model(m);
  std::uint64_t run = 0;
  std::int64_t decisions = 0;
  for (auto _ : state) {
    geosim::simulate_run(m, 7, run++, ws, result);
    decisions += result.decisions;
    benchmark::DoNotOptimize(result.end_state);
  }
  state.SetLabel(m.names.scenario);
  state.counters["runs/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  // ns per actor-decision = 1e9 / decisions_per_s.
  state.counters["decisions/s"] = benchmark::Counter(static_cast<double>(decisions), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SimulateRun)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// A Monte Carlo of 4096 runs on one thread, reduction included.
void BM_MonteCarloOneThread(benchmark::State& state) {
  const auto& m = model_for(scenario_path(static_cast<int>(state.range(0))));
  geosim::MonteCarloOptions opt;
  opt.runs = 4096;
  opt.threads = 1;
  // As `geosim run` does by default: quantiles about every four weeks (state.range(1) = 1: every
  // tick, the costliest reduction).
  opt.quantile_every = state.range(1) > 0 ? static_cast<std::int32_t>(state.range(1))
                                          : geosim::default_quantile_every(m);
  std::uint64_t decisions = 0;
  for (auto _ : state) {
    auto acc = geosim::run_monte_carlo(m, opt);
    decisions += acc.decisions;
    benchmark::DoNotOptimize(acc.runs);
  }
  state.SetLabel(m.names.scenario);
  state.counters["runs/s"] = benchmark::Counter(static_cast<double>(state.iterations() * opt.runs),
                                                benchmark::Counter::kIsRate);
  // ns per actor-decision = 1e9 / decisions_per_s.
  state.counters["decisions/s"] = benchmark::Counter(static_cast<double>(decisions), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_MonteCarloOneThread)->Args({0, 0})->Args({1, 0})->Args({1, 1})->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  add_geosim_benchmark_context();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
