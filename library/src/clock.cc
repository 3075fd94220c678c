#include "tock/clock.h"

#include <chrono>
#include <cmath>

namespace tock {

// The only place in tock that reads the system clock.
UnixSeconds SystemClock::Now() const {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double SystemClock::NowPrecise() const {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

UnixSeconds OffsetClock::Now() const {
  return static_cast<UnixSeconds>(std::floor(base_.NowPrecise() + offset_s_));
}

}  // namespace tock
