// TraceRecorder: how Verify's checks write the check trace as they run.
#ifndef TOCK_INTERNAL_TRACE_RECORDER_H_
#define TOCK_INTERNAL_TRACE_RECORDER_H_

#include <string>
#include <string_view>
#include <vector>

#include "internal/time_rules.h"
#include "tock/check_trace.h"
#include "tock/key.h"

namespace tock::internal {

// kCheckOrder is the fixed order of Verify's checks, each named as in the trace.
inline constexpr std::string_view kCheckOrder[] = {
    "token", "header",  "key",          "signature", "claim types", "required", "exp", "nbf",
    "iat",   "max age", "max lifetime", "iss",       "aud",         "sub",      "typ"};

// TraceRecorder appends to |trace| one check at a time; each call records
// the next check of kCheckOrder (a check recorded out of order is a bug,
// caught by assert and by the unit tests). Finish marks the rest not reached.
class TraceRecorder {
 public:
  TraceRecorder(CheckTrace& trace, const TimeContext& ctx);

  TracedCheck& Passed(std::string_view name, std::string detail);
  TracedCheck& Skipped(std::string_view name, std::string detail);
  // Failed records |problems| (at least one); |detail| defaults to the first
  // one's message.
  TracedCheck& Failed(std::string_view name, std::vector<Error> problems, std::string detail = {});
  void SetClockNote(std::string note) { trace_.clock_note = std::move(note); }
  void Finish();

 private:
  TracedCheck& Next(std::string_view name, CheckOutcome outcome, std::string detail);
  CheckTrace& trace_;
};

// RawQuoted puts |text| between double quotes, unescaped: trace details are
// escaped by whoever prints them. RawQuotedList joins such with ", ".
std::string RawQuoted(std::string_view text);
std::string RawQuotedList(const std::vector<std::string>& items);

// KeyDetail describes the key whose signature check passed:
// `kid "k1", EC P-256, thumbprint …`, `oct 256 bits`, `RSA 2048 bits, …`.
std::string KeyDetail(const Key& key);

}  // namespace tock::internal

#endif  // TOCK_INTERNAL_TRACE_RECORDER_H_
