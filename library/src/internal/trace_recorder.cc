#include "internal/trace_recorder.h"

#include <cassert>
#include <iterator>

namespace tock::internal {

TraceRecorder::TraceRecorder(CheckTrace& trace, const TimeContext& ctx) : trace_(trace) {
  trace_.now = ctx.now;
  trace_.skew_s = ctx.skew_s;
  trace_.checks.reserve(std::size(kCheckOrder));
}

TracedCheck& TraceRecorder::Next(std::string_view name, CheckOutcome outcome, std::string detail) {
  assert(trace_.checks.size() < std::size(kCheckOrder) &&
         kCheckOrder[trace_.checks.size()] == name);
  TracedCheck& check = trace_.checks.emplace_back();
  check.name = std::string(name);
  check.outcome = outcome;
  check.detail = std::move(detail);
  return check;
}

TracedCheck& TraceRecorder::Passed(std::string_view name, std::string detail) {
  return Next(name, CheckOutcome::kPassed, std::move(detail));
}

TracedCheck& TraceRecorder::Skipped(std::string_view name, std::string detail) {
  return Next(name, CheckOutcome::kSkipped, std::move(detail));
}

TracedCheck& TraceRecorder::Failed(std::string_view name, std::vector<Error> problems,
                                   std::string detail) {
  if (detail.empty() && !problems.empty()) detail = problems.front().message();
  TracedCheck& check = Next(name, CheckOutcome::kFailed, std::move(detail));
  check.problems = std::move(problems);
  return check;
}

void TraceRecorder::Finish() {
  for (std::size_t i = trace_.checks.size(); i < std::size(kCheckOrder); ++i) {
    Next(kCheckOrder[i], CheckOutcome::kNotReached, "");
  }
}

std::string RawQuoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.append(1, '"').append(text).append(1, '"');
  return out;
}

std::string RawQuotedList(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + RawQuoted(item);
  return out;
}

std::string KeyDetail(const Key& key) {
  std::string detail;
  if (key.kid()) detail.append("kid ").append(RawQuoted(*key.kid())).append(", ");
  detail.append(ToString(key.type()));
  if (key.type() == KeyType::kOct || key.type() == KeyType::kRsa) {
    detail.append(" ").append(std::to_string(key.bits())).append(" bits");
  }
  if (!key.curve().empty()) detail.append(" ").append(key.curve());
  if (key.type() != KeyType::kOct) detail.append(", thumbprint ").append(key.Thumbprint());
  return detail;
}

}  // namespace tock::internal
