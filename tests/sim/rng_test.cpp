// Tests for include/geosim/rng.h against published test vectors (not against a re-implementation
// of the same algorithms), plus the stream-derivation contract: a stream is a pure function of
// (master seed, run index, stream key).
#include "geosim/rng.h"

#include <gtest/gtest.h>

#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <random>
#include <set>
#include <string_view>

namespace {

using geosim::make_stream;
using geosim::mix64;
using geosim::Rng;
using geosim::SplitMix64;
using geosim::stream_key_of;
using geosim::Xoshiro256pp;

static_assert(std::uniform_random_bit_generator<Rng>);
// SplitMix64 has no min()/max(): it is for seeding only, not a generator for distributions.
static_assert(!std::uniform_random_bit_generator<SplitMix64>);
static_assert(Rng::min() == 0);
static_assert(Rng::max() == UINT64_MAX);

// SplitMix64 seeded with 1234567: first five outputs as published with the reference
// implementation (Rosetta Code, "Pseudo-random numbers/Splitmix64"; also used as known answers by
// several independent ports).
constexpr std::uint64_t kSplitMix1234567[] = {
    6457827717110365317ULL, 3203168211198807973ULL,  9817491932198370423ULL,
    4593380528125082431ULL, 16408922859458223821ULL,
};

TEST(SplitMix64, Seed1234567MatchesPublishedReferenceOutputs) {
  SplitMix64 sm(1234567);
  for (const std::uint64_t expected : kSplitMix1234567) EXPECT_EQ(sm(), expected);
}

TEST(SplitMix64, SeedZeroFirstOutputMatchesReference) {
  // First output of splitmix64.c with x = 0 (a widely quoted known answer).
  SplitMix64 sm(0);
  EXPECT_EQ(sm(), 0xE220A8397B1DCDAFULL);
}

TEST(Mix64, IsTheSplitMix64OutputFunctionOfTheIncrementedState) {
  // SplitMix64's first output is mix64(seed + golden gamma).
  EXPECT_EQ(mix64(1234567ULL + 0x9e3779b97f4a7c15ULL), kSplitMix1234567[0]);
  EXPECT_EQ(mix64(0x9e3779b97f4a7c15ULL), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(mix64(0), 0U);  // the output function fixes zero
}

// xoshiro256++ from state words {1, 2, 3, 4}: the first ten outputs of the reference C code
// (Blackman and Vigna, xoshiro256plusplus.c), as recorded in the Rust rand_xoshiro crate's
// `reference` test for Xoshiro256PlusPlus (seed bytes 1, 2, 3, 4 as little-endian u64 words).
constexpr std::uint64_t kXoshiroFrom1234[] = {
    41943041ULL,
    58720359ULL,
    3588806011781223ULL,
    3591011842654386ULL,
    9228616714210784205ULL,
    9973669472204895162ULL,
    14011001112246962877ULL,
    12406186145184390807ULL,
    15849039046786891736ULL,
    10450023813501588000ULL,
};

TEST(Xoshiro256pp, StateOneTwoThreeFourMatchesReferenceOutputs) {
  Rng r;
  r.set_state(1, 2, 3, 4);
  for (const std::uint64_t expected : kXoshiroFrom1234) EXPECT_EQ(r(), expected);
}

constexpr std::uint64_t first_output_from_1234() {
  Rng r;
  r.set_state(1, 2, 3, 4);
  return r();
}
static_assert(first_output_from_1234() == 41943041ULL, "usable in constant expressions");

// get_state gives back what set_state put in, word by word (the lanes copy streams through it),
// and after a step, the state of the reference step.
TEST(Xoshiro256pp, GetStateReturnsTheWordsInOrder) {
  Rng r;
  r.set_state(1, 2, 3, 4);
  std::uint64_t w[4] = {};
  r.get_state(w);
  EXPECT_EQ(w[0], 1u);
  EXPECT_EQ(w[1], 2u);
  EXPECT_EQ(w[2], 3u);
  EXPECT_EQ(w[3], 4u);
  r();
  r.get_state(w);
  Rng copy;
  copy.set_state(w[0], w[1], w[2], w[3]);
  EXPECT_EQ(copy, r);
  // By hand: t = 2 << 17; s2 ^= s0 -> 2; s3 ^= s1 -> 6; s1 ^= s2 -> 0; s0 ^= s3 -> 7;
  // s2 ^= t -> 2 ^ 262144; s3 = rotl(6, 45).
  EXPECT_EQ(w[0], 7u);
  EXPECT_EQ(w[1], 0u);
  EXPECT_EQ(w[2], 2u ^ (2u << 17));
  EXPECT_EQ(w[3], std::uint64_t{6} << 45);
}

TEST(Xoshiro256pp, SeedingFillsTheStateWithSplitMix64Outputs) {
  Rng seeded(1234567);
  Rng expected;
  expected.set_state(kSplitMix1234567[0], kSplitMix1234567[1], kSplitMix1234567[2],
                     kSplitMix1234567[3]);
  EXPECT_EQ(seeded, expected);
  Rng reseeded(99);
  reseeded.seed(1234567);
  EXPECT_EQ(reseeded, expected);
}

TEST(Xoshiro256pp, DefaultConstructedEqualsSeedZero) {
  EXPECT_EQ(Rng(), Rng(0));
  Rng r;
  std::uint64_t x = 0;
  for (int i = 0; i < 4; ++i) x |= r();
  EXPECT_NE(x, 0U);  // seed 0 does not give the forbidden all-zero state
}

TEST(Xoshiro256pp, CopiesProduceIdenticalSequences) {
  Rng a(7);
  a();
  Rng b = a;
  for (int i = 0; i < 100; ++i) ASSERT_EQ(a(), b());
  EXPECT_EQ(a, b);
  b();
  EXPECT_NE(a, b);
}

TEST(Xoshiro256pp, Uniform01UsesTheTop53BitsOfTheNextOutput) {
  // From state {1, 2, 3, 4}: outputs 41943041 and 9228616714210784205 (fifth) shifted right by
  // 11 are 20480 and 4506160504985734, each scaled by 2^-53.
  Rng r;
  r.set_state(1, 2, 3, 4);
  EXPECT_EQ(r.uniform01(), 20480.0 * 0x1.0p-53);
  r();
  r();
  r();
  EXPECT_EQ(r.uniform01(), static_cast<double>(9228616714210784205ULL >> 11) * 0x1.0p-53);
}

TEST(Xoshiro256pp, Uniform01IsInUnitIntervalWithMeanOneHalf) {
  // 1e6 draws from a fixed seed. The standard error of the mean of U(0,1) is
  // sqrt(1/12 / 1e6) = 2.887e-4; accept 4 standard errors (1.155e-3). The variance must be
  // 1/12 within 1% (its standard error is ~0.1% here).
  constexpr int kN = 1000000;
  Rng r(20240611);
  double sum = 0.0, sum_sq = 0.0, lo = 1.0, hi = 0.0;
  for (int i = 0; i < kN; ++i) {
    const double u = r.uniform01();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    sum_sq += u * u;
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  const double mean = sum / kN;
  const double var = sum_sq / kN - mean * mean;
  const double se = std::sqrt(1.0 / 12.0 / kN);
  EXPECT_NEAR(mean, 0.5, 4.0 * se);
  EXPECT_NEAR(var, 1.0 / 12.0, 0.01 / 12.0);
  EXPECT_LT(lo, 1e-5);  // the draws cover the interval
  EXPECT_GT(hi, 1.0 - 1e-5);
}

TEST(Xoshiro256pp, WorksWithBoostAndStdDistributions) {
  Rng r(3);
  boost::random::uniform_int_distribution<int> die(1, 6);
  boost::random::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_int_distribution<int> std_die(1, 6);
  int seen[7] = {};
  for (int i = 0; i < 6000; ++i) {
    const int a = die(r);
    const int b = std_die(r);
    ASSERT_GE(a, 1);
    ASSERT_LE(a, 6);
    ASSERT_GE(b, 1);
    ASSERT_LE(b, 6);
    ++seen[a];
    const double u = unit(r);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
  for (int face = 1; face <= 6; ++face) EXPECT_GT(seen[face], 800) << face;  // expect 1000
}

// ---------------------------------------------------------------------------------------------
// Streams.

TEST(MakeStream, IdenticalInputsGiveIdenticalStreams) {
  Rng a = make_stream(42, 17, stream_key_of("actor.alpha", 11));
  Rng b = make_stream(42, 17, stream_key_of("actor.alpha", 11));
  EXPECT_EQ(a, b);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a(), b());
  static_assert(make_stream(1, 2, 3) == make_stream(1, 2, 3));
}

TEST(MakeStream, DiffersByRunIndexKeyAndSeed) {
  const std::uint64_t key = stream_key_of("event.blockade", 14);
  const Rng base = make_stream(42, 17, key);
  EXPECT_NE(make_stream(42, 18, key), base);
  EXPECT_NE(make_stream(42, 17, key + 1), base);
  EXPECT_NE(make_stream(43, 17, key), base);
  // Swapping the roles of the arguments must not give the same stream.
  EXPECT_NE(make_stream(17, 42, key), base);
  EXPECT_NE(make_stream(42, key, 17), base);
}

TEST(MakeStream, FirstOutputsAreDistinctAcrossManyRunsKeysAndSeeds) {
  std::set<std::uint64_t> firsts;
  int made = 0;
  for (const std::uint64_t seed : {0ULL, 1ULL, 42ULL}) {
    for (std::uint64_t run = 0; run < 1000; ++run) {
      for (const std::uint64_t key :
           {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{2}, stream_key_of("x", 1)}) {
        Rng r = make_stream(seed, run, key);
        firsts.insert(r());
        ++made;
      }
    }
  }
  EXPECT_EQ(firsts.size(), static_cast<std::size_t>(made));
}

TEST(MakeStream, NeighbouringStreamsAreUncorrelated) {
  // Streams for consecutive run indices should look independent: the correlation of their
  // uniform01 draws over 1e5 pairs is within 4 standard errors (1/sqrt(1e5) = 0.0032) of zero.
  Rng a = make_stream(9, 0, 5);
  Rng b = make_stream(9, 1, 5);
  constexpr int kN = 100000;
  double sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
  for (int i = 0; i < kN; ++i) {
    const double x = a.uniform01(), y = b.uniform01();
    sa += x;
    sb += y;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  const double cov = sab / kN - (sa / kN) * (sb / kN);
  const double corr =
      cov / std::sqrt((saa / kN - (sa / kN) * (sa / kN)) * (sbb / kN - (sb / kN) * (sb / kN)));
  EXPECT_LT(std::abs(corr), 4.0 / std::sqrt(static_cast<double>(kN)));
}

TEST(StreamKeyOf, MatchesFnv1a64ReferenceVectors) {
  // Test vectors of the FNV reference (Fowler, Noll and Vo): offset basis for "", then "a" and
  // "foobar".
  EXPECT_EQ(stream_key_of("", 0), 0xcbf29ce484222325ULL);
  EXPECT_EQ(stream_key_of("a", 1), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(stream_key_of("foobar", 6), 0x85944171f73967e8ULL);
  static_assert(stream_key_of("a", 1) == 0xaf63dc4c8601ec8cULL);
}

TEST(StreamKeyOf, HashesOnlyTheGivenLengthAndIsByteSensitive) {
  const std::string_view s = "actor.red";
  EXPECT_EQ(stream_key_of(s.data(), 5), stream_key_of("actor", 5));
  EXPECT_NE(stream_key_of("actor.red", 9), stream_key_of("actor.reD", 9));
  EXPECT_NE(stream_key_of("ab", 2), stream_key_of("ba", 2));
  // Bytes above 0x7f are hashed as unsigned.
  EXPECT_NE(stream_key_of("\xff", 1), stream_key_of("\x7f", 1));
}

}  // namespace
