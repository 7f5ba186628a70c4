// The passes of a tick for four runs at once (engine/sim/lanes.cpp), for simulate_lanes.
#pragma once

#include <cstdint>

#include "geosim/simulate.h"

namespace geosim::detail {

// Every lane's decision pass on the lanes' lane-major state and each lane's rung, with the rung
// rows and per-run values kept lane-major in `lw`: each lane's choices into lw.lane[l].chosen and
// their number into lw.decided[l]. Draws one number per actor from every lane's actor stream, as
// decide_tick does, and then this tick's numbers for the Bernoulli events and the end states into
// lw.event_u and lw.end_u (the streams are the lane-major copies in lw: LaneWorkspace).
void decide_lanes(const Model& m, LaneWorkspace& lw);
void decide_lanes_baseline(const Model& m, LaneWorkspace& lw);

// Steps 2 to 5 of tick `tick` for the lanes in `running` (bit l: lane l's run is going), once the
// decision pass has run: the chosen actions' effects lane by lane, the events in declared order
// four lanes at a time (a Poisson count lane by lane), then per lane the ladder, the indicators
// into out[l] and the end states. Lanes not running are left as they are. Returns the lanes whose
// run ended this tick.
unsigned settle_lanes(const Model& m, std::int32_t tick, LaneWorkspace& lw, RunResult* out,
                      unsigned running);
unsigned settle_lanes_baseline(const Model& m, std::int32_t tick, LaneWorkspace& lw,
                               RunResult* out, unsigned running);

// One build of the passes. On x86-64 with GCC each is built for AVX2 and for baseline x86-64, and
// the machine picks one when the program loads (kLanePasses); kLanePassesBaseline is the
// baseline build alone, for the tests. Both give the same bits.
struct LanePasses {
  void (*decide)(const Model&, LaneWorkspace&);
  unsigned (*settle)(const Model&, std::int32_t, LaneWorkspace&, RunResult*, unsigned);
};
inline const LanePasses kLanePasses{decide_lanes, settle_lanes};
inline const LanePasses kLanePassesBaseline{decide_lanes_baseline, settle_lanes_baseline};

// Whether the lanes are faster than one run at a time on this machine: true where the AVX2 build
// runs (measured in docs/performance.md). The baseline x86-64 build of the passes works, and gives
// the same bits, but is two to three times slower than the one-run pass, because SSE2 lacks
// 64-bit compares and blends; simulate_lanes then simulates its runs one by one.
bool lanes_pay();

// simulate_lanes with a given build of the passes (one of the two above).
void simulate_lanes_with(const LanePasses& passes, const Model& model, std::uint64_t master_seed,
                         std::uint64_t first_run, int n, LaneWorkspace& lw, RunResult* out);

}  // namespace geosim::detail
