// The parts of the simulation loop, each on its own (issue 8), through public APIs only:
//   BM_SampleParameters/S   drawing one run's parameters (sample_parameters, model.h)
//   BM_RunSetup/S           one run of S cut to a horizon of one tick: parameter sampling, the
//                           per-run precomputation, stream seeding and a single tick
//   BM_SimulateRun/S        one whole run of S (simulate_run, simulate.h), no reduction
//   BM_SimulateLanes/S      four runs side by side (simulate_lanes), as run_monte_carlo runs them
//   BM_DecisionPass/S       one decision pass (decide_tick): every actor's choice in one tick
//   BM_DecisionPassLanes/S  the same for four runs at once (decide_lanes_tick); time/pass is per run
//   BM_Tick/S               one tick (advance_tick), the start of each run kept out
//   BM_Reduction/S          folding one finished run into an Accumulator (Accumulator::add,
//                           summary.h): the reference reduction that run_monte_carlo's batched
//                           path reproduces bit for bit
//   BM_MonteCarlo/S/threads run_monte_carlo on 1 or 2 threads, reduction included (wall time)
// The last two keep quantile sketches where `geosim run` does by default (default_quantile_every).
//   BM_Floor/A/K/T/terms    the bare arithmetic of A actors deciding among K actions each for T
//                           ticks, no engine code, one decision after another with libm's exp
//   BM_FloorBatched/...     the same arithmetic batched per tick with the engine's vector exp:
//                           what one decision cannot cost less than in the engine's layout
//   BM_FloorLanes/...       the same arithmetic for four runs at once, one per vector lane (AVX2),
//                           as simulate_lanes takes its decision pass: the floor of the lanes
// S is the toy, the baseline and bench/scenarios/scaled_24x20.yaml, plus any scenario given with
// --scenario=FILE (repeatable). `time/decision` is 1 / decisions per second; BM_RunSetup separates
// the per-run fixed cost from the per-tick cost.
//
//   build-bench/bench/parts_bench --benchmark_repetitions=5 --benchmark_out_format=json
//       --benchmark_out=bench/results/parts_$(date +%Y%m%d).json      (one command line)
// Build Release; never quote numbers from a debug build. See bench/README.md.
#include <benchmark/benchmark.h>

#include "bench_context.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "geosim/fast_exp.h"
#include "geosim/model.h"
#include "geosim/rng.h"
#include "geosim/scenario.h"
#include "geosim/simulate.h"
#include "geosim/summary.h"

namespace {

namespace fs = std::filesystem;

// Scenarios are loaded and compiled once, outside any timing. `horizon` > 0 cuts the scenario to
// that many ticks (for BM_RunSetup).
const geosim::Model& model_for(const std::string& path, int horizon = 0) {
  static std::map<std::pair<std::string, int>, geosim::Model> cache;
  const auto key = std::make_pair(path, horizon);
  auto it = cache.find(key);
  if (it == cache.end()) {
    geosim::Scenario s = geosim::load_scenario(path);
    if (horizon > 0) s.horizon = horizon;
    it = cache.emplace(key, geosim::compile(s)).first;
  }
  return it->second;
}

void label(benchmark::State& state, const geosim::Model& m) {
  state.SetLabel(m.names.scenario + " (" + std::to_string(m.n_actors()) + " actors, " +
                 std::to_string(m.n_actions()) + " actions)");
}

// Seconds per unit as a counter: printed as e.g. "98.1n" (ns) in the console, stored in seconds
// in the JSON.
benchmark::Counter per(double count) {
  return benchmark::Counter(count, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

constexpr std::uint64_t kSeed = 7;

void BM_SampleParameters(benchmark::State& state, const std::string& path) {
  const auto& m = model_for(path);
  std::vector<double> params(m.params.size());
  std::uint64_t run = 0;
  for (auto _ : state) {
    geosim::sample_parameters(m, kSeed, run++, params.data());
    benchmark::DoNotOptimize(params.data());
    benchmark::ClobberMemory();
  }
  label(state, m);
  state.counters["params"] = static_cast<double>(m.params.size());
  state.counters["time/param"] =
      per(static_cast<double>(state.iterations()) * static_cast<double>(m.params.size()));
}

// Counters shared by every benchmark that simulates whole runs.
void run_counters(benchmark::State& state, const geosim::Model& m, double runs, double decisions,
                  double ticks) {
  label(state, m);
  state.counters["runs/s"] = benchmark::Counter(runs, benchmark::Counter::kIsRate);
  state.counters["decisions/s"] = benchmark::Counter(decisions, benchmark::Counter::kIsRate);
  state.counters["time/decision"] = per(decisions);
  state.counters["ticks/run"] = ticks / runs;
  state.counters["time/tick"] = per(ticks);
}

void simulate_runs(benchmark::State& state, const geosim::Model& m) {
  geosim::Workspace ws(m);
  auto result = geosim::RunResult::for_model(m);
  std::uint64_t run = 0;
  double decisions = 0, ticks = 0;
  for (auto _ : state) {
    geosim::simulate_run(m, kSeed, run++, ws, result);
    decisions += static_cast<double>(result.decisions);
    ticks += result.end_tick;
    benchmark::DoNotOptimize(result.end_state);
  }
  run_counters(state, m, static_cast<double>(state.iterations()), decisions, ticks);
}

void BM_SimulateRun(benchmark::State& state, const std::string& path) {
  simulate_runs(state, model_for(path));
}

// Runs four at a time (simulate_lanes, simulate.h), as run_monte_carlo simulates them: the same
// results as BM_SimulateRun's, with the decision passes taken as vector lanes.
void BM_SimulateLanes(benchmark::State& state, const std::string& path) {
  const auto& m = model_for(path);
  geosim::LaneWorkspace lw(m);
  std::vector<geosim::RunResult> out(geosim::kLanes, geosim::RunResult::for_model(m));
  std::uint64_t run = 0;
  double decisions = 0, ticks = 0;
  for (auto _ : state) {
    geosim::simulate_lanes(m, kSeed, run, geosim::kLanes, lw, out.data());
    run += geosim::kLanes;
    for (const auto& r : out) {
      decisions += static_cast<double>(r.decisions);
      ticks += r.end_tick;
    }
    benchmark::DoNotOptimize(out[0].end_state);
  }
  run_counters(state, m, static_cast<double>(run), decisions, ticks);
}

void BM_RunSetup(benchmark::State& state, const std::string& path) {
  simulate_runs(state, model_for(path, 1));
}

// One decision pass (decide_tick: gates, utilities, logit weights, every actor's draw and pick)
// on realistic states: 64 workspaces, workspace r stopped before tick 1 + (r * 7) % 90 of run r
// (or where that run ended), used in turn. The pass leaves the state as it was (only the actors'
// streams advance), so every call decides on the same 64 states.
void BM_DecisionPass(benchmark::State& state, const std::string& path) {
  const auto& m = model_for(path);
  constexpr int kStates = 64;
  std::vector<geosim::Workspace> ws;
  ws.reserve(kStates);
  auto out = geosim::RunResult::for_model(m);
  for (int r = 0; r < kStates; ++r) {
    ws.emplace_back(m);
    geosim::begin_run(m, kSeed, static_cast<std::uint64_t>(r), ws.back(), out);
    const int stop = 1 + (r * 7) % 90;
    for (int t = 1; t < stop && t <= m.horizon; ++t)
      if (geosim::advance_tick(m, t, ws.back(), out)) break;
  }
  double decisions = 0;
  std::size_t i = 0;
  for (auto _ : state) {
    decisions += geosim::decide_tick(m, ws[i++ % kStates]);
    benchmark::DoNotOptimize(ws[0].chosen.data());
  }
  label(state, m);
  state.counters["decisions/s"] = benchmark::Counter(decisions, benchmark::Counter::kIsRate);
  state.counters["time/decision"] = per(decisions);
  state.counters["time/pass"] = per(static_cast<double>(state.iterations()));
}

// The lanes' decision pass (decide_lanes_tick): four runs' decisions at once, on realistic states:
// 16 lane workspaces, workspace q holding runs 4q..4q+3 stopped after tick 1 + (q * 7) % 90 (a run
// that ended before keeps its last state, and still decides), used in turn.
void BM_DecisionPassLanes(benchmark::State& state, const std::string& path) {
  if (!geosim::lanes_vectorised()) {
    state.SkipWithError("no AVX2 here: simulate_lanes runs one by one and never loads the lanes");
    return;
  }
  const auto& m = model_for(path);
  constexpr int kWorkspaces = 16;
  std::vector<geosim::LaneWorkspace> lw;
  lw.reserve(kWorkspaces);
  std::vector<geosim::RunResult> out(geosim::kLanes, geosim::RunResult::for_model(m));
  for (int q = 0; q < kWorkspaces; ++q) {
    lw.emplace_back(m);
    const auto& cut = model_for(path, std::min(m.horizon, 1 + (q * 7) % 90));
    geosim::simulate_lanes(cut, kSeed, static_cast<std::uint64_t>(q) * geosim::kLanes,
                           geosim::kLanes, lw.back(), out.data());
  }
  double decisions = 0;
  std::size_t i = 0;
  for (auto _ : state) {
    decisions += static_cast<double>(geosim::decide_lanes_tick(m, lw[i++ % kWorkspaces]));
    benchmark::DoNotOptimize(lw[0].lane[0].chosen.data());
  }
  label(state, m);
  state.counters["decisions/s"] = benchmark::Counter(decisions, benchmark::Counter::kIsRate);
  state.counters["time/decision"] = per(decisions);
  state.counters["time/pass"] = per(static_cast<double>(state.iterations()) * geosim::kLanes);
}

// One tick (advance_tick: decisions, effects, events, the ladder, indicators, end states), run
// after run; starting the next run (begin_run) is kept out of the timing.
void BM_Tick(benchmark::State& state, const std::string& path) {
  const auto& m = model_for(path);
  geosim::Workspace ws(m);
  auto out = geosim::RunResult::for_model(m);
  std::uint64_t run = 0;
  std::int32_t tick = 1;
  double decisions = 0;  // of the finished runs
  geosim::begin_run(m, kSeed, run, ws, out);
  for (auto _ : state) {
    const bool ended = geosim::advance_tick(m, tick++, ws, out);
    if (ended || tick > m.horizon) {
      state.PauseTiming();
      decisions += static_cast<double>(out.decisions);
      geosim::begin_run(m, kSeed, ++run, ws, out);
      tick = 1;
      state.ResumeTiming();
    }
  }
  decisions += static_cast<double>(out.decisions);
  label(state, m);
  state.counters["runs"] = static_cast<double>(run);
  state.counters["time/tick"] = per(static_cast<double>(state.iterations()));
  state.counters["time/decision"] = per(decisions);
}

// Folds prepared runs (64 different ones, so the sketches see a realistic spread) into one
// Accumulator, one run per iteration.
void BM_Reduction(benchmark::State& state, const std::string& path) {
  const auto& m = model_for(path);
  geosim::Workspace ws(m);
  constexpr std::uint64_t kRuns = 64;
  std::vector<geosim::RunResult> results(kRuns, geosim::RunResult::for_model(m));
  for (std::uint64_t r = 0; r < kRuns; ++r) geosim::simulate_run(m, kSeed, r, ws, results[r]);
  // Quantile sketches at the ticks `geosim run` keeps them by default (about every four weeks).
  geosim::Accumulator acc(m, geosim::default_quantile_every(m));
  std::uint64_t i = 0;
  for (auto _ : state) {
    acc.add(results[i++ % kRuns]);
    benchmark::DoNotOptimize(acc.runs);
  }
  label(state, m);
  state.counters["indicators"] = m.n_indicators();
  state.counters["quantile_every"] = acc.quantile_every;
  state.counters["runs/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  // Per indicator-tick: the unit of the reduction's work.
  state.counters["time/indicator-tick"] =
      per(static_cast<double>(state.iterations()) * m.n_indicators() * (m.horizon + 1));
}

void BM_MonteCarlo(benchmark::State& state, const std::string& path) {
  const auto& m = model_for(path);
  geosim::MonteCarloOptions opt;
  opt.master_seed = kSeed;
  opt.threads = static_cast<int>(state.range(0));
  opt.quantile_every = geosim::default_quantile_every(m);  // as `geosim run` does by default
  // About 0.3 s of work per iteration whatever the scenario's size.
  opt.runs = m.n_actions() > 100 ? 512 : 4096;
  double decisions = 0;
  for (auto _ : state) {
    auto acc = geosim::run_monte_carlo(m, opt);
    decisions += static_cast<double>(acc.decisions);
    benchmark::DoNotOptimize(acc.runs);
  }
  label(state, m);
  const double runs = static_cast<double>(state.iterations() * opt.runs);
  state.counters["runs/s"] = benchmark::Counter(runs, benchmark::Counter::kIsRate);
  state.counters["decisions/s"] = benchmark::Counter(decisions, benchmark::Counter::kIsRate);
  state.counters["time/decision"] = per(decisions);
}

// ------------------------------------------------------------------------------------ the floor
// One decision with nothing but its arithmetic: utilities u_k = base_k + sum_t w_kt x_(v_kt) over
// `terms` state terms, their maximum, weights exp(lambda (u_k - max)), their sum, one xoshiro256++
// uniform draw and the cumulative pick. Every action is open. The chosen action then adds 1 to one
// state variable, so that the next tick's utilities depend on this tick's choices (as in the
// engine) and nothing can be hoisted out of the tick loop. Data are laid out flat, action-major,
// one state variable per action (the baseline has about one). Same flags as the engine:
// -O3 -ffp-contract=off, no fast-math, no -march=native; exp is libm's.
struct FloorModel {
  int actors, actions, terms;
  std::vector<double> base, weight, lambda;
  std::vector<std::int32_t> term_var, effect_var;

  FloorModel(int a, int k, int t) : actors(a), actions(k), terms(t) {
    const std::size_t n = static_cast<std::size_t>(a) * static_cast<std::size_t>(k);
    geosim::Rng g(12345);
    base.resize(n);
    effect_var.resize(n);
    weight.resize(n * static_cast<std::size_t>(t));
    term_var.resize(n * static_cast<std::size_t>(t));
    lambda.resize(static_cast<std::size_t>(a));
    for (auto& x : lambda) x = 1.5 + 1.5 * g.uniform01();
    for (std::size_t i = 0; i < n; ++i) {
      base[i] = -2.5 + 3.0 * g.uniform01();
      effect_var[i] = static_cast<std::int32_t>(i);
    }
    for (std::size_t i = 0; i < weight.size(); ++i) {
      weight[i] = -0.01 + 0.02 * g.uniform01();  // small: utilities stay within a few units
      term_var[i] = static_cast<std::int32_t>(geosim::uniform_below(g, n));
    }
  }
};

// The floors' shared pieces: action a's utility on state x, the cumulative pick among n weights
// (the last action absorbs rounding), and the counters.
inline double floor_utility(const FloorModel& fm, std::size_t a, const std::vector<double>& x) {
  double u = fm.base[a];
  for (int t = 0; t < fm.terms; ++t) {
    const std::size_t q = a * static_cast<std::size_t>(fm.terms) + static_cast<std::size_t>(t);
    u += fm.weight[q] * x[static_cast<std::size_t>(fm.term_var[q])];
  }
  return u;
}

inline int floor_pick(const double* w, int n, double draw) {
  double acc = 0.0;
  for (int k = 0; k < n; ++k) {
    acc += w[k];
    if (draw < acc) return k;
  }
  return n - 1;
}

// A floor benchmark's arguments: actors, actions per actor, ticks, state terms per action.
struct FloorShape {
  int actors, actions, ticks, terms;
  explicit FloorShape(const benchmark::State& state)
      : actors(static_cast<int>(state.range(0))),
        actions(static_cast<int>(state.range(1))),
        ticks(static_cast<int>(state.range(2))),
        terms(static_cast<int>(state.range(3))) {}
};

// `runs` runs per iteration (the lanes' floor decides four at once).
void floor_counters(benchmark::State& state, const std::string& kind, const FloorShape& shape,
                    int runs = 1) {
  state.SetLabel(kind + ", " + std::to_string(shape.terms) + " state term(s) per action");
  const double decisions =
      static_cast<double>(state.iterations()) * runs * shape.actors * shape.ticks;
  state.counters["decisions/s"] = benchmark::Counter(decisions, benchmark::Counter::kIsRate);
  state.counters["time/decision"] = per(decisions);
  state.counters["time/action"] = per(decisions * shape.actions);
}

void BM_Floor(benchmark::State& state) {
  const FloorShape shape(state);
  const int n_actors = shape.actors, n_actions = shape.actions, n_ticks = shape.ticks;
  const FloorModel fm(n_actors, n_actions, shape.terms);
  const std::size_t n = fm.base.size();
  std::vector<double> x(n), u(static_cast<std::size_t>(n_actions)),
      w(static_cast<std::size_t>(n_actions));
  std::vector<std::int32_t> chosen(static_cast<std::size_t>(n_actors));
  std::uint64_t run = 0;
  for (auto _ : state) {
    std::fill(x.begin(), x.end(), 0.0);
    geosim::Rng rng(run++);
    for (int tick = 0; tick < n_ticks; ++tick) {
      for (int i = 0; i < n_actors; ++i) {
        const std::size_t a0 = static_cast<std::size_t>(i) * static_cast<std::size_t>(n_actions);
        double best = -HUGE_VAL;
        for (int k = 0; k < n_actions; ++k) {
          const double uk = floor_utility(fm, a0 + static_cast<std::size_t>(k), x);
          u[static_cast<std::size_t>(k)] = uk;
          best = std::max(best, uk);
        }
        const double lambda = fm.lambda[static_cast<std::size_t>(i)];
        double total = 0.0;
        for (int k = 0; k < n_actions; ++k) {
          const double wk = std::exp(lambda * (u[static_cast<std::size_t>(k)] - best));
          w[static_cast<std::size_t>(k)] = wk;
          total += wk;
        }
        const int pick = floor_pick(w.data(), n_actions, rng.uniform01() * total);
        chosen[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(a0) + pick;
      }
      // Simultaneous choice: effects apply after every actor has chosen.
      for (const std::int32_t a : chosen) x[static_cast<std::size_t>(fm.effect_var[a])] += 1.0;
    }
    benchmark::DoNotOptimize(x.data());
    benchmark::ClobberMemory();
  }
  floor_counters(state, "bare arithmetic", shape);
}
// The same decisions batched as the engine batches them: all actors' utilities on the tick's
// state first, then one vector exp (geosim::exp_nonpositive_n, the engine's) over every action,
// then each actor's sum, draw and pick. The floor the engine's own layout is measured against.
void BM_FloorBatched(benchmark::State& state) {
  const FloorShape shape(state);
  const int n_actors = shape.actors, n_actions = shape.actions, n_ticks = shape.ticks;
  const FloorModel fm(n_actors, n_actions, shape.terms);
  const std::size_t n = fm.base.size();
  std::vector<double> x(n), u(n), arg(n), w(n);
  std::vector<std::int32_t> chosen(static_cast<std::size_t>(n_actors));
  std::uint64_t run = 0;
  for (auto _ : state) {
    std::fill(x.begin(), x.end(), 0.0);
    geosim::Rng rng(run++);
    for (int tick = 0; tick < n_ticks; ++tick) {
      for (std::size_t a = 0; a < n; ++a) u[a] = floor_utility(fm, a, x);
      for (int i = 0; i < n_actors; ++i) {
        const std::size_t a0 = static_cast<std::size_t>(i) * static_cast<std::size_t>(n_actions);
        double best = -HUGE_VAL;
        for (int k = 0; k < n_actions; ++k) best = std::max(best, u[a0 + static_cast<std::size_t>(k)]);
        const double lambda = fm.lambda[static_cast<std::size_t>(i)];
        for (int k = 0; k < n_actions; ++k)
          arg[a0 + static_cast<std::size_t>(k)] = lambda * (u[a0 + static_cast<std::size_t>(k)] - best);
      }
      geosim::exp_nonpositive_n(arg.data(), w.data(), n);
      for (int i = 0; i < n_actors; ++i) {
        const double* wi = w.data() + static_cast<std::size_t>(i) * static_cast<std::size_t>(n_actions);
        double total = 0.0;
        for (int k = 0; k < n_actions; ++k) total += wi[k];
        chosen[static_cast<std::size_t>(i)] =
            i * n_actions + floor_pick(wi, n_actions, rng.uniform01() * total);
      }
      for (const std::int32_t a : chosen) x[static_cast<std::size_t>(fm.effect_var[a])] += 1.0;
    }
    benchmark::DoNotOptimize(x.data());
    benchmark::ClobberMemory();
  }
  floor_counters(state, "batched, vector exp", shape);
}

// The batched floor for four runs side by side, one run per lane of a 4-wide vector (the layout
// of simulate_lanes, engine/sim/lanes.cpp): every table lane-major ([a * 4 + l]), utilities,
// maxima and arguments as vectors, the engine's vector exp over all 4 n arguments, and each
// actor's sum and cumulative pick branch-free across the lanes. The draws are each lane's own
// scalar stream. Built for AVX2 (and baseline x86-64, picked at load time), like the engine's pass.
using FloorV4d = double __attribute__((vector_size(32)));
using FloorV4i = std::int64_t __attribute__((vector_size(32)));
// The 32-byte vectors never cross a call that is not inlined (as in engine/sim/lanes.cpp).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"
[[gnu::always_inline]] inline FloorV4d floor_load(const double* p) {
  FloorV4d v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
[[gnu::always_inline]] inline void floor_store(double* p, FloorV4d v) {
  std::memcpy(p, &v, sizeof v);
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
void floor_lanes_tick(const FloorModel& fm, int n_actions, double* x, double* u, double* arg,
                      double* w, geosim::Rng* rng, std::int32_t* chosen) {
  const auto n = fm.base.size();
  for (std::size_t a = 0; a < n; ++a) {
    FloorV4d ua = FloorV4d{} + fm.base[a];
    for (int t = 0; t < fm.terms; ++t) {
      const std::size_t q = a * static_cast<std::size_t>(fm.terms) + static_cast<std::size_t>(t);
      ua += fm.weight[q] * floor_load(x + static_cast<std::size_t>(fm.term_var[q]) * 4);
    }
    floor_store(u + a * 4, ua);
  }
  for (int i = 0; i < fm.actors; ++i) {
    const std::size_t a0 = static_cast<std::size_t>(i) * static_cast<std::size_t>(n_actions);
    FloorV4d best = FloorV4d{} - HUGE_VAL;
    for (int k = 0; k < n_actions; ++k) {
      const FloorV4d uk = floor_load(u + (a0 + static_cast<std::size_t>(k)) * 4);
      best = best < uk ? uk : best;
    }
    const double lambda = fm.lambda[static_cast<std::size_t>(i)];
    for (int k = 0; k < n_actions; ++k) {
      const std::size_t a = (a0 + static_cast<std::size_t>(k)) * 4;
      floor_store(arg + a, lambda * (floor_load(u + a) - best));
    }
  }
  geosim::exp_nonpositive_n(arg, w, n * 4);
  for (int i = 0; i < fm.actors; ++i) {
    const std::size_t a0 = static_cast<std::size_t>(i) * static_cast<std::size_t>(n_actions);
    FloorV4d total{};
    for (int k = 0; k < n_actions; ++k) total += floor_load(w + (a0 + static_cast<std::size_t>(k)) * 4);
    const FloorV4d draw = FloorV4d{rng[0].uniform01(), rng[1].uniform01(), rng[2].uniform01(),
                                   rng[3].uniform01()} * total;
    FloorV4i pick = FloorV4i{} + (n_actions - 1), found{};
    FloorV4d acc{};
    for (int k = 0; k < n_actions; ++k) {
      acc += floor_load(w + (a0 + static_cast<std::size_t>(k)) * 4);
      const FloorV4i take = (draw < acc) & ~found;
      pick = take != 0 ? FloorV4i{} + k : pick;
      found |= take;
    }
    for (std::size_t l = 0; l < 4; ++l) {
      chosen[static_cast<std::size_t>(i) * 4 + l] = static_cast<std::int32_t>(a0) +
                                                    static_cast<std::int32_t>(pick[l]);
    }
  }
  for (std::size_t c = 0; c < static_cast<std::size_t>(fm.actors) * 4; ++c)
    x[static_cast<std::size_t>(fm.effect_var[static_cast<std::size_t>(chosen[c])]) * 4 + c % 4] +=
        1.0;
}
#pragma GCC diagnostic pop

void BM_FloorLanes(benchmark::State& state) {
  const FloorShape shape(state);
  const int n_actors = shape.actors, n_actions = shape.actions, n_ticks = shape.ticks;
  const FloorModel fm(n_actors, n_actions, shape.terms);
  const std::size_t n = fm.base.size() * 4;
  std::vector<double> x(n), u(n), arg(n), w(n);
  std::vector<std::int32_t> chosen(static_cast<std::size_t>(n_actors) * 4);
  std::uint64_t run = 0;
  for (auto _ : state) {
    std::fill(x.begin(), x.end(), 0.0);
    geosim::Rng rng[4] = {geosim::Rng(run), geosim::Rng(run + 1), geosim::Rng(run + 2),
                          geosim::Rng(run + 3)};
    run += 4;
    for (int tick = 0; tick < n_ticks; ++tick)
      floor_lanes_tick(fm, n_actions, x.data(), u.data(), arg.data(), w.data(), rng, chosen.data());
    benchmark::DoNotOptimize(x.data());
    benchmark::ClobberMemory();
  }
  floor_counters(state, "four runs as vector lanes", shape, 4);  // every lane's decisions
}

// The baseline (6 actors, 31 actions: about 5 each, 1.03 state terms per action) and the scaled
// scenario (24 x 20, 0.9 terms per action), each with one term per action (as the scenarios have)
// and with three ("a few"). 104 ticks: the scenarios' horizon.
void floor_shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"actors", "actions", "ticks", "terms"});
  for (const int terms : {1, 3}) b->Args({6, 5, 104, terms});
  for (const int terms : {1, 3}) b->Args({24, 20, 104, terms});
  b->Unit(benchmark::kMicrosecond);
}
BENCHMARK(BM_Floor)->Apply(floor_shapes);
BENCHMARK(BM_FloorBatched)->Apply(floor_shapes);
BENCHMARK(BM_FloorLanes)->Apply(floor_shapes);

}  // namespace

int main(int argc, char** argv) {
  add_geosim_benchmark_context();

  // --scenario=FILE adds a scenario to the defaults; taken out before Google Benchmark sees argv.
  // Its benchmarks are named after its file's stem; a file named like a default (baseline.yaml
  // elsewhere) takes that default's place, so BM_X/baseline is then the file given.
  const fs::path src(GEOSIM_SOURCE_DIR);
  std::vector<std::string> scenarios;
  for (const char* d : {"scenarios/toy/standoff.yaml", "scenarios/dprk_russia_2024/baseline.yaml",
                        "bench/scenarios/scaled_24x20.yaml"})
    if (fs::exists(src / d)) scenarios.push_back((src / d).string());
  std::size_t n_defaults = scenarios.size();  // the first n_defaults are defaults
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--scenario=", 11) != 0) {
      argv[kept++] = argv[i];
      continue;
    }
    const std::string path = argv[i] + 11;
    const std::string name = fs::path(path).stem().string();
    if (!fs::is_regular_file(path)) {
      std::fprintf(stderr, "parts_bench: --scenario=%s: no such file\n", path.c_str());
      return 2;
    }
    for (std::size_t j = 0; j < scenarios.size(); ++j) {
      if (fs::path(scenarios[j]).stem().string() != name) continue;
      if (j >= n_defaults) {
        std::fprintf(stderr, "parts_bench: --scenario=%s and --scenario=%s would both be named %s\n",
                     scenarios[j].c_str(), path.c_str(), name.c_str());
        return 2;
      }
      std::fprintf(stderr, "parts_bench: %s replaces the default %s (both named %s)\n", path.c_str(),
                   scenarios[j].c_str(), name.c_str());
      scenarios.erase(scenarios.begin() + static_cast<std::ptrdiff_t>(j));
      --n_defaults;
      break;
    }
    scenarios.push_back(path);
  }
  argc = kept;

  // Load and compile every scenario now, so that a broken file is reported before anything runs
  // (not as an uncaught exception in the middle of the benchmarks).
  for (const auto& path : scenarios) {
    try {
      model_for(path);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "parts_bench: %s\n", e.what());
      return 2;
    }
  }

  for (const auto& path : scenarios) {
    const std::string name = fs::path(path).stem().string();
    benchmark::RegisterBenchmark(("BM_SampleParameters/" + name).c_str(), BM_SampleParameters, path)
        ->Unit(benchmark::kNanosecond);
    benchmark::RegisterBenchmark(("BM_RunSetup/" + name).c_str(), BM_RunSetup, path)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("BM_SimulateRun/" + name).c_str(), BM_SimulateRun, path)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("BM_SimulateLanes/" + name).c_str(), BM_SimulateLanes, path)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("BM_DecisionPass/" + name).c_str(), BM_DecisionPass, path)
        ->Unit(benchmark::kNanosecond);
    benchmark::RegisterBenchmark(("BM_DecisionPassLanes/" + name).c_str(), BM_DecisionPassLanes,
                                 path)
        ->Unit(benchmark::kNanosecond);
    benchmark::RegisterBenchmark(("BM_Tick/" + name).c_str(), BM_Tick, path)
        ->Unit(benchmark::kNanosecond);
    benchmark::RegisterBenchmark(("BM_Reduction/" + name).c_str(), BM_Reduction, path)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("BM_MonteCarlo/" + name).c_str(), BM_MonteCarlo, path)
        ->ArgName("threads")
        ->Arg(1)
        ->Arg(2)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  }

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
