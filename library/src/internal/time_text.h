// Duration and time text for the library's own messages (the time rules'
// diagnoses). tock_app's tock/app/time_text.h is the same functions for the
// CLI and the server.
#ifndef TOCK_INTERNAL_TIME_TEXT_H_
#define TOCK_INTERNAL_TIME_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "tock/clock.h"
#include "tock/result.h"

namespace tock::internal {

Result<std::int64_t> ParseDuration(std::string_view text, bool allow_sign = false);
Result<UnixSeconds> ParseTime(std::string_view text);
std::string FormatUtc(double t);
std::string FormatDuration(double seconds);
std::string FormatRelative(double delta);
std::string FormatSeconds(double seconds);

}  // namespace tock::internal

#endif  // TOCK_INTERNAL_TIME_TEXT_H_
