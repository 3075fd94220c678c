// MeasureClock with a cancel flag, for CorrectedClock's background thread:
// its destructor must not wait out samples × timeout of a silent server.
#ifndef TOCK_INTERNAL_SNTP_CLIENT_H_
#define TOCK_INTERNAL_SNTP_CLIENT_H_

#include <atomic>
#include <string>
#include <vector>

#include "tock/sntp.h"

namespace tock::internal {

// MeasureClockCancellable is MeasureClock that gives up within ~50 ms once
// |cancel| becomes true; unfinished servers then carry the error
// "the measurement was cancelled.".
Result<ClockReport> MeasureClockCancellable(const std::vector<std::string>& servers,
                                            const MeasureOptions& options, const Clock& clock,
                                            const std::atomic<bool>& cancel);

}  // namespace tock::internal

#endif  // TOCK_INTERNAL_SNTP_CLIENT_H_
