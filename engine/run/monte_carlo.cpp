// The Monte Carlo driver for one scenario; the threading lives in run/blocks.h.
#include "geosim/summary.h"
#include "run/blocks.h"

namespace geosim {

Accumulator run_monte_carlo(const Model& model, const MonteCarloOptions& options) {
  Accumulator total(model);
  detail::BlockPlan plan{options.first_run, options.runs,
                         static_cast<std::uint64_t>(std::max<std::int32_t>(1, options.block_size)),
                         options.threads, options.progress};
  detail::run_blocks(
      plan, total, [&] { return Accumulator(model); },
      [&] {
        return [&model, &options, ws = Workspace(model), result = RunResult::for_model(model)](
                   std::uint64_t run, Accumulator& acc) mutable {
          simulate_run(model, options.master_seed, run, ws, result);
          acc.add(result);
        };
      });
  return total;
}

}  // namespace geosim
