// The vector form of exp_nonpositive (include/geosim/fast_exp.h); its body is in
// sim/fast_exp_lanes.h.
#include "sim/fast_exp_lanes.h"

namespace geosim {

// GCC builds one clone per target and picks it at load time (an ifunc); the lanes are inlined into
// each. Clang and other architectures get the plain build.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
void exp_nonpositive_n(const double* x, double* out, std::size_t n) {
  detail::exp_nonpositive_lanes(x, out, n);
}

}  // namespace geosim
