// Clock: the one way tock reads time. Only SystemClock reads the system clock;
// everything else takes a Clock, so every skew scenario is a deterministic test.
#ifndef TOCK_CLOCK_H_
#define TOCK_CLOCK_H_

#include <cstdint>

namespace tock {

// UnixSeconds counts whole seconds since 1970-01-01T00:00:00Z.
using UnixSeconds = std::int64_t;

// Clock returns "now". Implementations must be safe to call from any thread.
class Clock {
 public:
  virtual ~Clock() = default;
  // Now returns the current time in whole seconds since the epoch.
  virtual UnixSeconds Now() const = 0;
  // NowPrecise returns the current time with sub-second precision (SNTP needs
  // it). The default is Now().
  virtual double NowPrecise() const { return static_cast<double>(Now()); }
};

// SystemClock reads the machine's real-time clock. The only reader of it.
class SystemClock final : public Clock {
 public:
  UnixSeconds Now() const override;
  double NowPrecise() const override;
};

// FixedClock always returns the time it was built with (`--now`, tests).
class FixedClock final : public Clock {
 public:
  explicit FixedClock(UnixSeconds now) : now_(now) {}
  UnixSeconds Now() const override { return now_; }

 private:
  UnixSeconds now_;
};

// OffsetClock is |base| shifted by |offset_s| (`--clock-offset`: a machine
// whose clock runs ahead or behind). |base| must outlive it.
class OffsetClock final : public Clock {
 public:
  OffsetClock(const Clock& base, double offset_s) : base_(base), offset_s_(offset_s) {}
  UnixSeconds Now() const override;
  double NowPrecise() const override { return base_.NowPrecise() + offset_s_; }

 private:
  const Clock& base_;
  double offset_s_;
};

}  // namespace tock

#endif  // TOCK_CLOCK_H_
