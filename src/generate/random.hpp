// A small, fast, deterministic random source for the generator: SplitMix64 (Steele, Lea and
// Flood, 2014). Seeded per person from (run seed, IIN), so a person's attributes do not depend on
// the order in which people are generated.
#pragma once

#include <cstdint>

namespace emkhana::generate {

constexpr std::uint64_t Mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(Mix(seed + 0x9E3779B97F4A7C15ull)) {}
  Rng(std::uint64_t seed, std::uint64_t stream)
      : Rng(Mix(seed) ^ Mix(stream * 0xD1B54A32D192ED03ull)) {}
  std::uint64_t Next() { return Mix(state_ += 0x9E3779B97F4A7C15ull); }
  // Uniform in [0, 1).
  double Real() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Real() < p; }
  // Uniform in [0, n); n > 0 (the modulo bias is below 2^-40 for the n used here).
  std::uint64_t Below(std::uint64_t n) { return Next() % n; }
  // Uniform integer in [lo, hi].
  std::int64_t Int(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(Below(static_cast<std::uint64_t>(hi - lo + 1)));
  }
  // Uniform real in [lo, hi).
  double Between(double lo, double hi) { return lo + (hi - lo) * Real(); }

 private:
  std::uint64_t state_;
};

}  // namespace emkhana::generate
