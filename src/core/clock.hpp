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

// The system clock moved by a fixed offset: a server started "as of" another day (demos and
// tests of campaign dates; set by the operator, never by a client). Time still passes.
class OffsetClock final : public Clock {
 public:
  explicit OffsetClock(std::int64_t offset_micros) : offset_(offset_micros) {}
  std::int64_t NowMicros() const override { return system_.NowMicros() + offset_; }

 private:
  SystemClock system_;
  std::int64_t offset_;
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
