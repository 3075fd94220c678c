// CorrectedClock: a base clock plus the offset SNTP measured, so a host whose
// clock drifts still issues tokens stamped with true time. Also the one-shot
// measurement behind `tock sign --ntp`.
//
// WARNING: SNTP is unauthenticated, so whoever answers decides the offset.
// An offset beyond the cap (default 10 min) is never applied: a forged reply
// can shift issued tokens by at most the cap.
#ifndef TOCK_CORRECTED_CLOCK_H_
#define TOCK_CORRECTED_CLOCK_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tock/clock.h"
#include "tock/result.h"
#include "tock/sntp.h"

namespace tock {

// kDefaultMaxCorrectionSeconds is the largest offset applied by default (the
// `--ntp-max` default of `tock sign`): 10 minutes.
inline constexpr double kDefaultMaxCorrectionSeconds = 600.0;

// ClockMeasurement is one finished measurement of a CorrectedClock, as its
// observer (CorrectedClockOptions::on_measurement) sees it.
struct ClockMeasurement {
  // offset_s is the median offset of the servers that answered (the sign of
  // `tock clock`'s offset_s); nullopt when none answered.
  std::optional<double> offset_s;
  // applied is true when offset_s was within the cap and is now in use.
  bool applied = false;
  // refused is true when offset_s exceeded max_offset_s and was not applied.
  bool refused = false;
  // max_offset_s is the cap the measurement was judged against.
  double max_offset_s = 0;
  // message says why it was not applied (empty when applied).
  std::string message;
};

// CorrectedClockOptions configures a CorrectedClock.
struct CorrectedClockOptions {
  // servers are asked on every measurement ("HOST", "HOST:PORT", "[v6]:PORT").
  std::vector<std::string> servers;
  MeasureOptions measure;
  // refresh_interval_s is the pause between background measurements. 0 starts
  // no thread: the owner calls Refresh() itself.
  double refresh_interval_s = 1024.0;
  // max_offset_s is the cap: a larger measured offset is refused.
  double max_offset_s = kDefaultMaxCorrectionSeconds;
  // fallback_after_s: once this long has passed without an applied
  // measurement, the clock reads the base clock again.
  double fallback_after_s = 3600.0;
  // on_measurement, when set, is called after every measurement (applied,
  // refused or unanswered), on the measuring thread and without the clock's
  // lock held, so it may call status(). It must not block for long and must
  // stay callable until the clock is destroyed.
  std::function<void(const ClockMeasurement&)> on_measurement;
};

// CorrectionState says what a CorrectedClock is doing.
enum class CorrectionState {
  kNotMeasured,   // no measurement applied yet: reading the base clock
  kSynchronised,  // applying the last measured offset
  kRefused,       // the last measurement exceeded the cap and was not applied
  kFallback,      // no answer for fallback_after_s: reading the base clock
};

// CorrectionStatus is a snapshot for logs, metrics and `tock serve`.
struct CorrectionStatus {
  CorrectionState state = CorrectionState::kNotMeasured;
  // offset_s is what Now() adds to the base clock at this moment (0 unless
  // synchronised, or refused while an earlier offset is still fresh).
  double offset_s = 0;
  // last_offset_s is the last offset applied, even after a fallback.
  std::optional<double> last_offset_s;
  // last_success is the base-clock time (Unix s) of the last applied measurement.
  std::optional<double> last_success;
  // refused_offset_s is the last offset refused for exceeding the cap.
  std::optional<double> refused_offset_s;
  // measured_offset_s is the last measured offset, applied or refused.
  std::optional<double> measured_offset_s;
  // text says the state in one sentence with the numbers.
  std::string text;
};

// ToString returns "not_measured", "synchronised", "refused" or "fallback".
std::string_view ToString(CorrectionState state);

// CorrectedClock reads |base| plus the median offset of the servers that
// answered the last accepted measurement. Thread-safe.
class CorrectedClock final : public Clock {
 public:
  // Start validates |options| and, when refresh_interval_s > 0, starts the
  // background thread, which measures at once and then every interval.
  // kUsage on no server, a non-positive cap or fallback time, or bad
  // measure options. |base| must outlive the clock.
  static Result<std::unique_ptr<CorrectedClock>> Start(const Clock& base,
                                                       CorrectedClockOptions options);
  // The destructor stops the background thread promptly, cancelling a
  // measurement in flight.
  ~CorrectedClock() override;
  CorrectedClock(const CorrectedClock&) = delete;
  CorrectedClock& operator=(const CorrectedClock&) = delete;

  UnixSeconds Now() const override;
  double NowPrecise() const override;

  // Refresh measures now (blocking, up to samples × timeout) and applies the
  // median offset of the answering servers when it is within the cap. Returns
  // the measurement; kNetworkError when no server answered or the offset was
  // refused (the clock then keeps its previous state).
  Result<ClockReport> Refresh();

  // status reports the current state, offset and last success.
  CorrectionStatus status() const;

 private:
  CorrectedClock(const Clock& base, CorrectedClockOptions options);
  void Run();
  Result<ClockReport> Judge(Result<ClockReport> report, ClockMeasurement& measurement);
  double CurrentOffsetLocked() const;

  const Clock& base_;
  const CorrectedClockOptions options_;

  mutable std::mutex mu_;
  bool has_offset_ = false;
  double offset_s_ = 0;
  std::chrono::steady_clock::time_point applied_at_;
  std::optional<double> last_success_;
  std::optional<double> refused_offset_s_;
  std::optional<double> measured_offset_s_;
  bool last_refused_ = false;
  std::string last_error_;

  std::mutex thread_mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::atomic<bool> cancel_{false};
  std::thread thread_;
};

// ClockCorrection is the outcome of MeasureCorrection.
struct ClockCorrection {
  // offset_s is the median offset of the answering servers, to add to the
  // base clock (e.g. OffsetClock(base, offset_s)).
  double offset_s = 0;
  ClockReport report;
};

// MeasureCorrection measures once against |base| (for `tock sign --ntp`).
// kNetworkError when no server answered or when the median offset exceeds
// |max_offset_s| (SNTP is unauthenticated); kUsage on bad options.
Result<ClockCorrection> MeasureCorrection(const std::vector<std::string>& servers,
                                          const Clock& base,
                                          double max_offset_s = kDefaultMaxCorrectionSeconds,
                                          const MeasureOptions& options = {});

// CorrectionNote describes an applied correction for a person, e.g.
// "applied SNTP offset -73.000012 s (median of 1 answering server of 1): this
// machine's clock is 73.000 s ahead".
std::string CorrectionNote(const ClockCorrection& correction);

// MedianOffset returns the median offset of the answering servers of
// |report| (the mean of the middle two for an even count), or nullopt when
// none answered.
std::optional<double> MedianOffset(const ClockReport& report);

}  // namespace tock

#endif  // TOCK_CORRECTED_CLOCK_H_
