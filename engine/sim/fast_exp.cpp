// The vector form of exp_nonpositive (include/geosim/fast_exp.h): four lanes at a time in GCC's
// generic vector types, which the compiler maps onto SSE2 (two registers per vector) or AVX2 (one).
// Every lane does exactly the scalar form's operations, so the bits are the same; the selects of
// the scalar form become masks, and the table lookup is four scalar loads.
// (engine/CMakeLists.txt builds this file with -Wno-psabi: GCC's note that 32-byte vectors are
// passed differently without AVX concerns calls between separately compiled code, and there are
// none here.)
#include <cstring>

#include "geosim/fast_exp.h"

namespace geosim {

namespace {

using V4d = double __attribute__((vector_size(32)));
using V4u = std::uint64_t __attribute__((vector_size(32)));

inline V4d as_double(V4u v) {
  V4d d;
  std::memcpy(&d, &v, sizeof d);
  return d;
}
inline V4u as_bits(V4d v) {
  V4u u;
  std::memcpy(&u, &v, sizeof u);
  return u;
}

}  // namespace

// GCC builds one clone per target and picks it at load time (an ifunc). Clang and other
// architectures get the plain build.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
void exp_nonpositive_n(const double* x, double* out, std::size_t n) {
  std::size_t i = 0;
  using detail::kExp::k32OverLn2, detail::kExp::kHi, detail::kExp::kLo, detail::kExp::kRound,
      detail::kExp::kMin;
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
    const V4d table = {detail::kExp2Table[j[0]], detail::kExp2Table[j[1]],
                       detail::kExp2Table[j[2]], detail::kExp2Table[j[3]]};
    const V4d r = (xc - kf * kHi) - kf * kLo;
    const V4d q = detail::exp_minus_one_poly(r);
    const V4d scale = as_double(((bits - j) << 47) + (std::uint64_t{1023} << 52));
    const V4d w = as_double(as_bits((table + table * q) * scale) & keep);
    std::memcpy(out + i, &w, sizeof w);
  }
  for (; i < n; ++i) out[i] = exp_nonpositive(x[i]);
}

}  // namespace geosim
