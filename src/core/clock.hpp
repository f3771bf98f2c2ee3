// Time is injected: code that needs "now" takes a Clock, so tests and replays are deterministic.
#pragma once

#include <chrono>
#include <cstdint>

namespace emkhana {

class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the Unix epoch, UTC.
  virtual std::int64_t NowMicros() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t NowMicros() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// A clock that only moves when told to (tests, deterministic replays).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t micros = 0) : micros_(micros) {}
  std::int64_t NowMicros() const override { return micros_; }
  void Advance(std::int64_t micros) { micros_ += micros; }

 private:
  std::int64_t micros_;
};

}  // namespace emkhana
