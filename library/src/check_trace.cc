#include "tock/check_trace.h"

#include <algorithm>

namespace tock {

std::string_view ToString(CheckOutcome outcome) {
  switch (outcome) {
    case CheckOutcome::kPassed:
      return "passed";
    case CheckOutcome::kFailed:
      return "failed";
    case CheckOutcome::kSkipped:
      return "skipped";
    case CheckOutcome::kNotReached:
      return "not_reached";
  }
  return "";
}

const TracedCheck* CheckTrace::Find(std::string_view name) const {
  auto it = std::find_if(checks.begin(), checks.end(),
                         [name](const TracedCheck& c) { return c.name == name; });
  return it == checks.end() ? nullptr : &*it;
}

bool CheckTrace::AnyNotReached() const {
  return std::any_of(checks.begin(), checks.end(),
                     [](const TracedCheck& c) { return c.outcome == CheckOutcome::kNotReached; });
}

}  // namespace tock
