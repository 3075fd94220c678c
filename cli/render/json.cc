#include "render/json.h"

#include "render/escape.h"
#include "tock/app/report.h"

namespace tock::cli {

// EscapeJsonText only rewrites characters JSON allows raw (DEL, C1, bidi
// controls) as \uXXXX: the document means the same, and printing it cannot
// drive a terminal.

std::string DecodeJson(const UnverifiedView& view, UnixSeconds now) {
  return EscapeJsonText(DecodeReportJson(view, now));
}

std::string DecodeFailureJson(const Error& error) {
  return EscapeJsonText(ErrorDocumentJson(error));
}

std::string VerifyJson(const TracedVerification& verification) {
  return EscapeJsonText(VerifyReportJson(verification));
}

std::string CannotJudgeJson(const Error& error, bool verify) {
  return EscapeJsonText(verify ? VerifyRejectedJson(error) : ErrorDocumentJson(error));
}

}  // namespace tock::cli
