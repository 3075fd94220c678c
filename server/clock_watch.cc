#include "clock_watch.h"

#include "tock/app/json_writer.h"

namespace tock::server {

void ClockWatch::OnMeasurement(const ClockMeasurement& measurement) {
  if (!measurement.refused) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (!log_) {
    held_ = measurement;
    return;
  }
  WriteLocked(measurement);
}

void ClockWatch::Attach(Logger* log) {
  std::lock_guard<std::mutex> lock(mutex_);
  log_ = log;
  if (log_ && held_) WriteLocked(*held_);
  held_.reset();
}

void ClockWatch::WriteLocked(const ClockMeasurement& measurement) {
  // server.md: level "warning", at every measurement over max_offset.
  JsonWriter line = log_->Start("warning", "clock_offset_refused");
  line.Num("offset_s", measurement.offset_s.value_or(0))
      .Num("max_offset_s", measurement.max_offset_s)
      .StrArray("servers", config_.servers)
      .Str("message", measurement.message);
  log_->Write(line);
}

void SetClockMetrics(const CorrectedClock& clock, Metrics& metrics) {
  // Same sign as `tock clock`'s offset_s: positive when the SNTP servers'
  // clock is ahead of this machine's.
  CorrectionStatus status = clock.status();
  if (status.measured_offset_s) metrics.Set("tock_clock_offset_seconds", *status.measured_offset_s);
  metrics.Set("tock_clock_offset_applied_seconds", status.offset_s);
}

std::optional<std::string> ClockHealthNote(const CorrectedClock& clock) {
  CorrectionStatus status = clock.status();
  if (status.state != CorrectionState::kRefused && status.state != CorrectionState::kFallback)
    return std::nullopt;
  return "clock: " + status.text;
}

}  // namespace tock::server
