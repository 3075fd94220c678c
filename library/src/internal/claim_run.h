// ClaimRun: how the claim checks collect their failures and record
// themselves in the check trace as they end (internal/claim_checks.cc).
#ifndef TOCK_INTERNAL_CLAIM_RUN_H_
#define TOCK_INTERNAL_CLAIM_RUN_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "internal/time_rules.h"
#include "internal/trace_recorder.h"
#include "tock/check_trace.h"
#include "tock/error.h"

namespace tock::internal {

// CheckSpec names one claim check of the fixed order for the trace.
struct CheckSpec {
  std::string_view name;
  std::string_view reads = {};  // the claim the check reads, if any
  bool active = true;           // false: the policy does not ask for it
  std::string_view skipped_because = {};
};

// ClaimRun collects the claim checks' failures in check order and, when a
// trace is kept, records each check as it ends, so the trace is what ran.
class ClaimRun {
 public:
  ClaimRun(const TimeContext& ctx, TraceRecorder* trace) : ctx_(ctx), trace_(trace) {}
  const TimeContext& ctx() const { return ctx_; }

  void Add(Error e) {
    e.mutable_diagnosis().now = ctx_.now;
    problems_.push_back(std::move(e));
  }
  void Add(std::optional<Error> e) {
    if (e) Add(std::move(*e));
  }
  // Begin starts the next check: the failures added from here on are its own.
  void Begin() { begin_ = problems_.size(); }
  // End records the check begun last (nullptr when no trace is kept): failed
  // with its own failures; else skipped when the policy does not ask for it;
  // else failed with the earlier failure that left the claim it reads
  // missing or mistyped; else passed, its detail left to the caller.
  TracedCheck* End(const CheckSpec& spec) {
    // Inline and first: Verify without a trace pays one branch per check.
    if (!trace_) return nullptr;
    return Record(spec);
  }
  std::vector<Error> Take() && { return std::move(problems_); }

 private:
  [[gnu::noinline]] TracedCheck* Record(const CheckSpec& spec) {
    if (problems_.size() > begin_) {
      return &trace_->Failed(
          spec.name, {problems_.begin() + static_cast<std::ptrdiff_t>(begin_), problems_.end()});
    }
    if (!spec.active) return &trace_->Skipped(spec.name, std::string(spec.skipped_because));
    if (const Error* earlier = ClaimProblem(spec.reads)) {
      return &trace_->Failed(spec.name, {*earlier});
    }
    return &trace_->Passed(spec.name, "");
  }

  // ClaimProblem is the first failure before this check that found |claim|
  // missing, else the first that found it of the wrong type.
  const Error* ClaimProblem(std::string_view claim) const {
    if (claim.empty()) return nullptr;
    for (ErrorCode code : {ErrorCode::kMissingClaim, ErrorCode::kBadClaim}) {
      for (std::size_t i = 0; i < begin_; ++i) {
        const Error& e = problems_[i];
        if (e.code() == code && e.diagnosis().claim == claim) return &e;
      }
    }
    return nullptr;
  }

  const TimeContext& ctx_;
  TraceRecorder* trace_;
  std::vector<Error> problems_;
  std::size_t begin_ = 0;
};

}  // namespace tock::internal

#endif  // TOCK_INTERNAL_CLAIM_RUN_H_
