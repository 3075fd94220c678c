// ClockWatch: what `tock serve` does with the SNTP measurements of its
// CorrectedClock ([clock] servers): a warning log line for every refused
// offset, the offset gauges of /metrics and the note of /healthz.
#ifndef TOCK_SERVER_CLOCK_WATCH_H_
#define TOCK_SERVER_CLOCK_WATCH_H_

#include <mutex>
#include <optional>
#include <string>

#include "config.h"
#include "log.h"
#include "metrics.h"
#include "tock/corrected_clock.h"

namespace tock::server {

class ClockWatch {
 public:
  explicit ClockWatch(ClockConfig config) : config_(std::move(config)) {}

  // OnMeasurement is the clock's CorrectedClockOptions::on_measurement. A
  // refused offset is logged (event clock_offset_refused), or held until
  // Attach when the log does not exist yet (the first measurement starts
  // with the clock, before the log that stamps lines with that clock).
  void OnMeasurement(const ClockMeasurement& measurement);

  // Attach writes to |log| from now on (nullptr: stop writing); a held
  // refusal is written at once.
  void Attach(Logger* log);

  // Attachment attaches for its lifetime: it must end before |log| does,
  // while the clock's thread may still measure.
  class Attachment {
   public:
    Attachment(ClockWatch& watch, Logger& log) : watch_(watch) { watch_.Attach(&log); }
    ~Attachment() { watch_.Attach(nullptr); }
    Attachment(const Attachment&) = delete;
    Attachment& operator=(const Attachment&) = delete;

   private:
    ClockWatch& watch_;
  };

 private:
  void WriteLocked(const ClockMeasurement& measurement);

  const ClockConfig config_;
  std::mutex mutex_;
  Logger* log_ = nullptr;
  std::optional<ClockMeasurement> held_;
};

// SetClockMetrics sets tock_clock_offset_seconds (the last measurement,
// applied or not) and tock_clock_offset_applied_seconds (what Now() adds,
// so what issuing uses) from |clock|'s status.
void SetClockMetrics(const CorrectedClock& clock, Metrics& metrics);

// ClockHealthNote is the /healthz sentence about the clock, or nullopt when
// there is nothing to say (measurements applied, or none refused).
std::optional<std::string> ClockHealthNote(const CorrectedClock& clock);

}  // namespace tock::server

#endif  // TOCK_SERVER_CLOCK_WATCH_H_
