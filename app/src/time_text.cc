// The CLI's and the server's time text is the library's own (the time rules
// write their diagnoses with it), so a time prints the same everywhere.
#include "tock/app/time_text.h"

#include "internal/time_text.h"

namespace tock {

Result<std::int64_t> ParseDuration(std::string_view text, bool allow_sign) {
  return internal::ParseDuration(text, allow_sign);
}
Result<UnixSeconds> ParseTime(std::string_view text) { return internal::ParseTime(text); }
std::string FormatUtc(double t) { return internal::FormatUtc(t); }
std::string FormatDuration(double seconds) { return internal::FormatDuration(seconds); }
std::string FormatRelative(double delta) { return internal::FormatRelative(delta); }
std::string FormatSeconds(double seconds) { return internal::FormatSeconds(seconds); }

}  // namespace tock
