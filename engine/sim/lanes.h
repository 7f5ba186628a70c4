// The decision pass of four runs at once (engine/sim/lanes.cpp), for simulate_lanes.
#pragma once

#include "geosim/simulate.h"

namespace geosim::detail {

// Every lane's decision pass on its workspace's state and rung, with the rung rows and per-run
// values kept lane-major in `lw`: each lane's choices into lw.lane[l].chosen and their number
// into lw.decided[l]. Draws one number per actor from every lane's actor stream, as decide_tick
// does, and then this tick's numbers for the Bernoulli events and the end states into lw.event_u
// and lw.end_u (the streams are the lane-major copies in lw: LaneWorkspace).
// On x86-64 with GCC it is built for AVX2 and for baseline x86-64 (the machine picks one when the
// program loads); decide_lanes_baseline is the baseline build alone, for the tests.
void decide_lanes(const Model& m, LaneWorkspace& lw);
void decide_lanes_baseline(const Model& m, LaneWorkspace& lw);

// Whether the lanes are faster than one run at a time on this machine: true where the AVX2 build
// runs (measured in docs/performance.md). The baseline x86-64 build of the pass works, and gives the
// same bits, but is two to three times slower than the one-run pass, because SSE2 lacks 64-bit
// compares and blends; simulate_lanes then simulates its runs one by one.
bool lanes_pay();

// simulate_lanes with a given decision pass (one of the two above).
using LaneDecider = void (*)(const Model&, LaneWorkspace&);
void simulate_lanes_with(LaneDecider decide, const Model& model, std::uint64_t master_seed,
                         std::uint64_t first_run, int n, LaneWorkspace& lw, RunResult* out);

}  // namespace geosim::detail
