// exp(x) for x <= 0, for the logit weights: the same bits on every machine and libm, and cheap
// enough to inline and vectorise.
//
// Why not std::exp: glibc's exp is correctly rounded in practice but is a library call (about a
// fifth of a run's time, measured in docs/performance.md), cannot be vectorised, and its last bit
// may differ between libm versions, which would break bit-identical results across machines. This
// one uses only IEEE +, *, and exponent bit manipulation (no FMA: the build sets
// -ffp-contract=off), so it is deterministic wherever IEEE doubles are.
//
// Method (Tang 1989, "Table-driven implementation of the exponential function"): x = (32 n + j)
// ln2 / 32 + r with |r| <= ln2 / 64, so exp(x) = 2^n * 2^(j/32) * exp(r). ln2 / 32 is split into a
// high part whose products with the integer are exact and a low part; 2^(j/32) comes from a table
// of the 32 correctly rounded values; exp(r) - 1 from its Taylor polynomial to degree 6
// (truncation error below 0.0109^7 / 7! = 4e-18). The result is T + T (exp(r) - 1), so the
// rounding is dominated by the last addition. Relative error within two units in the last place of
// the exact value (tests/sim/logit_test.cpp checks 4e-16 over [-708.39, 0] against expl). Results
// below 2^-1022 (x < -708.39) flush to zero: a logit weight that small is a probability under
// 1e-307. Unlike a correctly rounded exp it is monotone only to within one ulp (at table
// boundaries), which moves a logit probability by about 1e-16.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

namespace geosim {

namespace detail {
// 2^(j/32), j = 0..31, correctly rounded (computed to 60 digits).
inline constexpr double kExp2Table[32] = {
    0x1.0000000000000p+0, 0x1.059b0d3158574p+0, 0x1.0b5586cf9890fp+0, 0x1.11301d0125b51p+0,
    0x1.172b83c7d517bp+0, 0x1.1d4873168b9aap+0, 0x1.2387a6e756238p+0, 0x1.29e9df51fdee1p+0,
    0x1.306fe0a31b715p+0, 0x1.371a7373aa9cbp+0, 0x1.3dea64c123422p+0, 0x1.44e086061892dp+0,
    0x1.4bfdad5362a27p+0, 0x1.5342b569d4f82p+0, 0x1.5ab07dd485429p+0, 0x1.6247eb03a5585p+0,
    0x1.6a09e667f3bcdp+0, 0x1.71f75e8ec5f74p+0, 0x1.7a11473eb0187p+0, 0x1.82589994cce13p+0,
    0x1.8ace5422aa0dbp+0, 0x1.93737b0cdc5e5p+0, 0x1.9c49182a3f090p+0, 0x1.a5503b23e255dp+0,
    0x1.ae89f995ad3adp+0, 0x1.b7f76f2fb5e47p+0, 0x1.c199bdd85529cp+0, 0x1.cb720dcef9069p+0,
    0x1.d5818dcfba487p+0, 0x1.dfc97337b9b5fp+0, 0x1.ea4afa2a490dap+0, 0x1.f50765b6e4540p+0};

namespace kExp {
inline constexpr double k32OverLn2 = 46.16624130844682;
// ln2 / 32 in two parts: the high part has 32 significant bits, so its product with the integer
// k (|k| < 2^15) is exact.
inline constexpr double kHi = 6.93147180369123816490e-01 / 32.0;
inline constexpr double kLo = 1.90821492927058770002e-10 / 32.0;
inline constexpr double kRound = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer
inline constexpr double kMin = -708.39;               // below this, 2^n leaves the normal range
}  // namespace kExp

// exp(r) - 1 = r (1 + r/2 (1 + r/3 (1 + r/4 (1 + r/5 (1 + r/6))))), by Horner; for a double or a
// vector of doubles (the same operations either way).
template <class T>
inline T exp_minus_one_poly(T r) {
  T q = r * (1.0 / 720.0) + 1.0 / 120.0;
  q = q * r + 1.0 / 24.0;
  q = q * r + 1.0 / 6.0;
  q = q * r + 0.5;
  q = q * r + 1.0;
  return q * r;
}
}  // namespace detail

// The scalar form. The branch-free vector form in exp_nonpositive_n performs the same operations
// lane by lane, so it gives the same bits (tested).
inline double exp_nonpositive(double x) {
  using detail::kExp::k32OverLn2, detail::kExp::kHi, detail::kExp::kLo, detail::kExp::kRound,
      detail::kExp::kMin;
  const bool tiny = !(x >= kMin);  // also true for NaN and -inf
  const double xc = tiny ? 0.0 : x;
  const double t = xc * k32OverLn2 + kRound;
  const double kf = t - kRound;
  // k = 32 n + j, an integer in [-32704, 0]; t's 52-bit mantissa field holds 2^51 + k, so the
  // low five bits of t's representation are j = k mod 32, and shifting (bits - j) left by 47
  // leaves n in the exponent field (everything above bit 63 falls off).
  const std::uint64_t bits = std::bit_cast<std::uint64_t>(t);
  const std::uint64_t j = bits & 31;
  const double table = detail::kExp2Table[j];
  const double r = (xc - kf * kHi) - kf * kLo;
  const double q = detail::exp_minus_one_poly(r);
  const double scale =
      std::bit_cast<double>(((bits - j) << 47) + (std::uint64_t{1023} << 52));  // 2^n
  const double result = (table + table * q) * scale;
  return tiny ? 0.0 : result;
}

// out[i] = exp_nonpositive(x[i]) for i < n, bit for bit, four lanes at a time (engine/sim/
// fast_exp.cpp). On x86-64 it is built for AVX2 and for the baseline instruction set, and the
// machine picks one when the program loads; neither uses FMA, so both give the same bits.
void exp_nonpositive_n(const double* x, double* out, std::size_t n);

}  // namespace geosim
