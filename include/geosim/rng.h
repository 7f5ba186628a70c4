// Random streams. A run's randomness is a pure function of (master seed, run index, stream key):
// never of the thread, the rank or the order in which runs are scheduled.
//
// The generator is xoshiro256++ (Blackman and Vigna 2019), seeded through SplitMix64 as its
// authors recommend. It satisfies Boost.Random's UniformRandomBitGenerator requirements, so
// Boost's distributions can draw from it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

namespace geosim {

// SplitMix64 (Steele, Lea and Flood 2014): used only to expand seeds into generator state.
class SplitMix64 {
 public:
  using result_type = std::uint64_t;
  explicit constexpr SplitMix64(std::uint64_t state) : state_(state) {}
  constexpr std::uint64_t operator()() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

// The SplitMix64 output function alone: a bijective 64-bit mixer.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// xoshiro256++ 1.0. 32 bytes of state, period 2^256 - 1.
class Xoshiro256pp {
 public:
  using result_type = std::uint64_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  // Fills the state from SplitMix64(seed), as the reference implementation advises.
  explicit constexpr Xoshiro256pp(std::uint64_t seed = 0) { this->seed(seed); }
  constexpr void seed(std::uint64_t seed) {
    SplitMix64 sm(seed);
    for (auto& w : s_) w = sm();
  }
  // Sets the raw state (for tests against the reference vectors). Must not be all zero.
  constexpr void set_state(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t d) {
    s_[0] = a;
    s_[1] = b;
    s_[2] = c;
    s_[3] = d;
  }

  // The raw state, word by word (for code that steps several generators side by side).
  constexpr void get_state(std::uint64_t out[4]) const {
    for (int i = 0; i < 4; ++i) out[i] = s_[i];
  }

  constexpr result_type operator()() {
    const std::uint64_t result = rotl(s_[0] + s_[3], 23) + s_[0];
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // A double uniform on [0, 1) with 53 random bits.
  constexpr double uniform01() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

  friend constexpr bool operator==(const Xoshiro256pp&, const Xoshiro256pp&) = default;

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
  }
  std::uint64_t s_[4] = {0, 0, 0, 0};
};

using Rng = Xoshiro256pp;

// The one place a run's random stream is made. `stream_key` names the purpose of the stream
// (a hash of an actor's, event's or parameter's name), so that run i of two scenarios that share
// a name see the same numbers there: common random numbers for paired comparisons.
constexpr Rng make_stream(std::uint64_t master_seed, std::uint64_t run_index,
                          std::uint64_t stream_key) {
  const std::uint64_t a = mix64(master_seed ^ 0x6a09e667f3bcc909ULL);
  const std::uint64_t b = mix64(a ^ (run_index + 0xbb67ae8584caa73bULL));
  return Rng(mix64(b ^ stream_key));
}

// An unbiased integer in [0, n), n >= 1, by rejection: the same numbers on any standard library
// (std::uniform_int_distribution's algorithm is implementation-defined).
inline std::uint64_t uniform_below(Rng& rng, std::uint64_t n) {
  const std::uint64_t limit =
      std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % n;
  std::uint64_t x;
  do {
    x = rng();
  } while (x >= limit);
  return x % n;
}

// FNV-1a, 64 bit: a stable hash of a name, used as a stream key.
constexpr std::uint64_t stream_key_of(const char* s, std::size_t n) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (std::size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(s[i]);
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace geosim
