#include "tock/corrected_clock.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <system_error>

#include "internal/sntp_client.h"

namespace tock {
namespace {

using Steady = std::chrono::steady_clock;

std::string Signed(double seconds) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%+.6f s", seconds);
  return buf;
}

std::string Plain(double seconds) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%g s", seconds);
  return buf;
}

Steady::duration ToSteady(double seconds) {
  return std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(seconds));
}

std::string RefusedMessage(double offset, double cap) {
  return "SNTP measured an offset of " + Signed(offset) + ", over the cap of " + Plain(cap) +
         "; SNTP is unauthenticated, so an offset that large is not applied.";
}

Result<void> CheckOptions(const CorrectedClockOptions& o) {
  if (o.servers.empty()) return Error(ErrorCode::kUsage, "no NTP server given.");
  for (const std::string& s : o.servers) {
    if (Result<ParsedServer> p = ParseServer(s); !p.ok()) return std::move(p).error();
  }
  if (o.measure.samples < 1 || o.measure.samples > kMaxNtpSamples) {
    return Error(ErrorCode::kUsage, "samples must be between 1 and " +
                                        std::to_string(kMaxNtpSamples) + ", not " +
                                        std::to_string(o.measure.samples) + ".");
  }
  if (!(o.measure.timeout_s > 0)) {
    return Error(ErrorCode::kUsage, "the SNTP timeout must be over 0 s.");
  }
  if (!(o.max_offset_s > 0)) {
    return Error(ErrorCode::kUsage,
                 "the offset cap must be over 0 s, not " + Plain(o.max_offset_s) + ".");
  }
  if (!(o.fallback_after_s > 0)) {
    return Error(ErrorCode::kUsage,
                 "fallback_after must be over 0 s, not " + Plain(o.fallback_after_s) + ".");
  }
  if (!(o.refresh_interval_s >= 0)) {
    return Error(ErrorCode::kUsage, "the refresh interval cannot be negative.");
  }
  return {};
}

}  // namespace

std::string_view ToString(CorrectionState state) {
  switch (state) {
    case CorrectionState::kNotMeasured:
      return "not_measured";
    case CorrectionState::kSynchronised:
      return "synchronised";
    case CorrectionState::kRefused:
      return "refused";
    case CorrectionState::kFallback:
      return "fallback";
  }
  return "not_measured";
}

std::optional<double> MedianOffset(const ClockReport& report) {
  std::vector<double> offsets;
  for (const ServerMeasurement& m : report.servers) {
    if (m.answered() && m.offset_s) offsets.push_back(*m.offset_s);
  }
  if (offsets.empty()) return std::nullopt;
  std::sort(offsets.begin(), offsets.end());
  std::size_t mid = offsets.size() / 2;
  if (offsets.size() % 2 == 1) return offsets[mid];
  return (offsets[mid - 1] + offsets[mid]) / 2.0;
}

Result<ClockCorrection> MeasureCorrection(const std::vector<std::string>& servers,
                                          const Clock& base, double max_offset_s,
                                          const MeasureOptions& options) {
  if (!(max_offset_s > 0)) {
    return Error(ErrorCode::kUsage,
                 "the offset cap must be over 0 s, not " + Plain(max_offset_s) + ".");
  }
  Result<ClockReport> report = MeasureClock(servers, options, base);
  if (!report.ok()) return std::move(report).error();
  std::optional<double> median = MedianOffset(*report);
  if (!median) return NoAnswerError(*report);
  if (std::fabs(*median) > max_offset_s) {
    return Error(ErrorCode::kNetworkError, RefusedMessage(*median, max_offset_s));
  }
  return ClockCorrection{*median, std::move(report).value()};
}

std::string CorrectionNote(const ClockCorrection& correction) {
  std::size_t answered = 0;
  for (const ServerMeasurement& m : correction.report.servers) answered += m.answered() ? 1 : 0;
  const double magnitude = std::fabs(correction.offset_s);
  char amount[48];
  std::snprintf(amount, sizeof amount, magnitude < 1 ? "%.3f ms" : "%.3f s",
                magnitude < 1 ? magnitude * 1000 : magnitude);
  return "applied SNTP offset " + Signed(correction.offset_s) + " (median of " +
         std::to_string(answered) + " answering server" + (answered == 1 ? "" : "s") + " of " +
         std::to_string(correction.report.servers.size()) + "): this machine's clock is " + amount +
         (correction.offset_s > 0 ? " behind" : " ahead");
}

CorrectedClock::CorrectedClock(const Clock& base, CorrectedClockOptions options)
    : base_(base), options_(std::move(options)) {}

Result<std::unique_ptr<CorrectedClock>> CorrectedClock::Start(const Clock& base,
                                                              CorrectedClockOptions options) {
  if (Result<void> ok = CheckOptions(options); !ok.ok()) return std::move(ok).error();
  std::unique_ptr<CorrectedClock> clock(new CorrectedClock(base, std::move(options)));
  if (clock->options_.refresh_interval_s > 0) {
    try {
      clock->thread_ = std::thread(&CorrectedClock::Run, clock.get());
    } catch (const std::system_error& e) {
      return Error(ErrorCode::kIoError,
                   std::string("could not start the clock measurement thread: ") + e.what() + ".");
    }
  }
  return clock;
}

CorrectedClock::~CorrectedClock() {
  {
    std::lock_guard<std::mutex> lock(thread_mu_);
    stop_ = true;
  }
  cancel_.store(true);
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CorrectedClock::Run() {
  std::unique_lock<std::mutex> lock(thread_mu_);
  while (!stop_) {
    lock.unlock();
    (void)Refresh();
    lock.lock();
    wake_.wait_for(lock, ToSteady(options_.refresh_interval_s), [this] { return stop_; });
  }
}

double CorrectedClock::CurrentOffsetLocked() const {
  if (!has_offset_) return 0;
  // Past fallback_after_s without an applied measurement, the old offset is
  // no longer evidence of anything: read the base clock.
  if (Steady::now() - applied_at_ > ToSteady(options_.fallback_after_s)) return 0;
  return offset_s_;
}

double CorrectedClock::NowPrecise() const {
  double offset;
  {
    std::lock_guard<std::mutex> lock(mu_);
    offset = CurrentOffsetLocked();
  }
  return base_.NowPrecise() + offset;
}

UnixSeconds CorrectedClock::Now() const {
  return static_cast<UnixSeconds>(std::floor(NowPrecise()));
}

Result<ClockReport> CorrectedClock::Refresh() {
  Result<ClockReport> report =
      internal::MeasureClockCancellable(options_.servers, options_.measure, base_, cancel_);
  if (!report.ok() && cancel_.load()) return report;  // shutting down: nothing measured
  ClockMeasurement measurement;
  measurement.max_offset_s = options_.max_offset_s;
  Result<ClockReport> judged = Judge(std::move(report), measurement);
  // Outside the lock: the observer may read status().
  if (options_.on_measurement) options_.on_measurement(measurement);
  return judged;
}

// Judge applies or refuses the median offset of |report| and fills |measurement|.
Result<ClockReport> CorrectedClock::Judge(Result<ClockReport> report,
                                          ClockMeasurement& measurement) {
  if (!report.ok()) {
    measurement.message = report.error().message();
    return report;
  }
  std::optional<double> median = MedianOffset(*report);
  std::lock_guard<std::mutex> lock(mu_);
  if (!median) {
    Error e = NoAnswerError(*report);
    last_error_ = e.message();
    measurement.message = e.message();
    return e;
  }
  measured_offset_s_ = *median;
  measurement.offset_s = *median;
  if (std::fabs(*median) > options_.max_offset_s) {
    Error e(ErrorCode::kNetworkError, RefusedMessage(*median, options_.max_offset_s));
    last_refused_ = true;
    refused_offset_s_ = *median;
    last_error_ = e.message();
    measurement.refused = true;
    measurement.message = e.message();
    return e;
  }
  has_offset_ = true;
  offset_s_ = *median;
  applied_at_ = Steady::now();
  last_success_ = base_.NowPrecise();
  last_refused_ = false;
  last_error_.clear();
  measurement.applied = true;
  return report;
}

CorrectionStatus CorrectedClock::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  CorrectionStatus s;
  s.offset_s = CurrentOffsetLocked();
  s.last_success = last_success_;
  s.refused_offset_s = refused_offset_s_;
  s.measured_offset_s = measured_offset_s_;
  if (has_offset_) s.last_offset_s = offset_s_;
  const bool fresh =
      has_offset_ && Steady::now() - applied_at_ <= ToSteady(options_.fallback_after_s);
  const double age =
      has_offset_ ? std::chrono::duration<double>(Steady::now() - applied_at_).count() : 0;
  const std::string applying = "applying " + Signed(offset_s_) + " measured " +
                               std::to_string(static_cast<long long>(age)) + " s ago";
  if (last_refused_) {
    s.state = CorrectionState::kRefused;
    s.text = RefusedMessage(*refused_offset_s_, options_.max_offset_s) + " Still " +
             (fresh ? applying : std::string("reading the base clock")) + ".";
  } else if (fresh) {
    s.state = CorrectionState::kSynchronised;
    s.text = "Synchronised: " + applying + " (median of the servers that answered)";
    s.text += last_error_.empty() ? "." : "; the latest attempt failed: " + last_error_;
  } else if (has_offset_) {
    s.state = CorrectionState::kFallback;
    s.text = "No NTP server answered for over " + Plain(options_.fallback_after_s) +
             ": fell back to the base clock (the last offset was " + Signed(offset_s_) + ").";
  } else {
    s.state = CorrectionState::kNotMeasured;
    s.text = "No measurement applied yet: reading the base clock";
    s.text += last_error_.empty() ? "." : ": " + last_error_;
  }
  return s;
}

}  // namespace tock
