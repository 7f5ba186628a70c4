// The body of exp_nonpositive_n (include/geosim/fast_exp.h), four lanes at a time in GCC's generic
// vector types, which the compiler maps onto SSE2 (two registers per vector) or AVX2 (one)
// depending on the target of the function it is inlined into. Every lane does exactly the scalar
// form's operations, so the bits are the same; the selects of the scalar form become masks, and
// the table lookup is four scalar loads. Kept in a header so that the tests can build it for each
// target and compare (tests/sim/logit_test.cpp).
// Files that include it are built with -Wno-psabi: GCC notes that 32-byte vector arguments are
// passed differently without AVX, which concerns calls between separately compiled code, and every
// function here is inlined.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "geosim/fast_exp.h"

namespace geosim::detail {

using V4d = double __attribute__((vector_size(32)));
using V4u = std::uint64_t __attribute__((vector_size(32)));

[[gnu::always_inline]] inline V4d as_double(V4u v) {
  V4d d;
  std::memcpy(&d, &v, sizeof d);
  return d;
}
[[gnu::always_inline]] inline V4u as_bits(V4d v) {
  V4u u;
  std::memcpy(&u, &v, sizeof u);
  return u;
}

[[gnu::always_inline]] inline void exp_nonpositive_lanes(const double* x, double* out,
                                                         std::size_t n) {
  using kExp::k32OverLn2, kExp::kHi, kExp::kLo, kExp::kRound, kExp::kMin;
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    V4d v;
    std::memcpy(&v, x + i, sizeof v);
    // All ones where v >= kMin (false for NaN and -inf): the lanes whose result is kept.
    const V4u keep = reinterpret_cast<V4u>(v >= kMin);
    const V4d xc = as_double(as_bits(v) & keep);  // 0 in the other lanes, as the scalar form
    const V4d t = xc * k32OverLn2 + kRound;
    const V4d kf = t - kRound;
    const V4u bits = as_bits(t);
    const V4u j = bits & 31;
    const V4d table = {kExp2Table[j[0]], kExp2Table[j[1]], kExp2Table[j[2]], kExp2Table[j[3]]};
    const V4d r = (xc - kf * kHi) - kf * kLo;
    const V4d q = exp_minus_one_poly(r);
    const V4d scale = as_double(((bits - j) << 47) + (std::uint64_t{1023} << 52));
    const V4d w = as_double(as_bits((table + table * q) * scale) & keep);
    std::memcpy(out + i, &w, sizeof w);
  }
  for (; i < n; ++i) out[i] = exp_nonpositive(x[i]);
}

}  // namespace geosim::detail
