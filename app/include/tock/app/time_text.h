// Parsing and printing durations and times the way the CLI and config write them.
#ifndef TOCK_APP_TIME_TEXT_H_
#define TOCK_APP_TIME_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "tock/clock.h"
#include "tock/result.h"

namespace tock {

// ParseDuration reads "90s", "5m", "2h", "1d", "1m30s" or a bare integer
// (seconds). A leading + or - is accepted only when |allow_sign|. kUsage on
// anything else.
Result<std::int64_t> ParseDuration(std::string_view text, bool allow_sign = false);

// ParseTime reads RFC 3339 UTC ("2026-06-12T09:17:10Z") or integer seconds
// since the epoch. kUsage on anything else.
Result<UnixSeconds> ParseTime(std::string_view text);

// FormatUtc prints |t| as RFC 3339 UTC; a fractional time keeps its fraction
// ("2026-06-12T09:17:43.5Z"). Times outside years 0..9999 print as numbers.
std::string FormatUtc(double t);

// FormatDuration prints |seconds| (>= 0) compactly: "33s", "9m12s", "1d2h".
std::string FormatDuration(double seconds);

// FormatRelative prints |delta| = t - now as "in 9m12s", "33s ago" or "now".
std::string FormatRelative(double delta);

// FormatSeconds prints a number of seconds without a needless fraction:
// 33 -> "33", 0.5 -> "0.5".
std::string FormatSeconds(double seconds);

}  // namespace tock

#endif  // TOCK_APP_TIME_TEXT_H_
