#include "tock/app/report.h"

#include <boost/json.hpp>
#include <cmath>

#include "internal/json.h"
#include "tock/app/time_text.h"

namespace tock {
namespace {

namespace json = boost::json;

// Number keeps integral values integral in the output (delta_s is
// fractional only when the claim is).
// Reparsed reads back JSON the library serialised (a token's header or
// payload), so it lands in this document byte for byte as the library wrote it.
json::value Reparsed(const std::string& text) {
  Result<json::value> value = internal::ParseJson(text);
  return value.ok() ? std::move(*value) : json::value();
}

json::value Number(double v) {
  if (std::fabs(v) < 9007199254740992.0 && v == std::trunc(v)) {
    return json::value(static_cast<std::int64_t>(v));
  }
  return json::value(v);
}

json::value StringOrArray(const std::vector<std::string>& values) {
  if (values.size() == 1) return json::value(values.front());
  json::array a;
  for (const auto& v : values) a.emplace_back(v);
  return a;
}

json::object ErrorObject(const Error& e) {
  const Diagnosis& d = e.diagnosis();
  json::object o;
  o["code"] = e.code_string();
  o["message"] = e.message();
  if (d.claim) o["claim"] = *d.claim;
  if (!d.expected.empty()) o["expected"] = StringOrArray(d.expected);
  if (d.actual) o["actual"] = StringOrArray(*d.actual);
  if (d.now) o["now"] = *d.now;
  if (d.claim && d.claim_time) o[*d.claim] = Number(*d.claim_time);
  if (d.skew_s) o["skew_s"] = *d.skew_s;
  if (d.delta_s) o["delta_s"] = Number(*d.delta_s);
  if (d.max_s) {
    o[e.code() == ErrorCode::kLifetimeTooLong ? "max_lifetime_s" : "max_age_s"] = *d.max_s;
  }
  if (d.hint) o["hint"] = *d.hint;
  return o;
}

json::object TimesObject(const UnverifiedView& view, UnixSeconds now) {
  json::object times;
  for (const char* name : {"iat", "nbf", "exp"}) {
    std::optional<double> t = view.NumberClaim(name);
    if (!t) continue;
    json::object entry;
    entry["value"] = Number(*t);
    entry["utc"] = FormatUtc(*t);
    entry["relative_s"] = Number(*t - static_cast<double>(now));
    times[name] = std::move(entry);
  }
  return times;
}

json::object CheckJson(const TracedCheck& check) {
  json::object o;
  o["name"] = check.name;
  o["outcome"] = ToString(check.outcome);
  o["detail"] = check.detail;
  if (check.now) o["now"] = *check.now;
  if (check.claim_time) o["claim_time"] = Number(*check.claim_time);
  if (check.skew_s) o["skew_s"] = *check.skew_s;
  if (check.delta_s) o["delta_s"] = Number(*check.delta_s);
  if (check.limit_s) o["limit_s"] = *check.limit_s;
  if (!check.problems.empty()) {
    json::array problems;
    for (const Error& p : check.problems) problems.emplace_back(ErrorObject(p));
    o["problems"] = std::move(problems);
  }
  return o;
}

json::object AcceptedDocument(const VerifiedToken& token) {
  json::object doc;
  doc["valid"] = true;
  doc["header"] = Reparsed(token.HeaderJson());
  doc["claims"] = Reparsed(token.ClaimsJson());
  json::object key;
  if (token.key().kid()) key["kid"] = *token.key().kid();
  key["kty"] = ToString(token.key().type());
  if (!token.key().curve().empty()) key["crv"] = token.key().curve();
  key["thumbprint"] = token.key().Thumbprint();
  doc["key"] = std::move(key);
  doc["alg"] = ToString(token.algorithm());
  doc["now"] = token.now();
  return doc;
}

json::object RejectedDocument(const Error& error) {
  json::object doc;
  doc["valid"] = false;
  doc["error"] = ErrorObject(error);
  json::array problems;
  if (error.problems().empty()) {
    problems.emplace_back(ErrorObject(error));
  } else {
    for (const Error& p : error.problems()) problems.emplace_back(ErrorObject(p));
  }
  doc["problems"] = std::move(problems);
  return doc;
}

}  // namespace

std::string DecodeReportJson(const UnverifiedView& view, UnixSeconds now) {
  json::object doc;
  doc["header"] = Reparsed(view.HeaderJson());
  doc["payload"] = Reparsed(view.PayloadJson());
  doc["signature"] = std::string(view.signature());
  doc["now"] = now;
  doc["times"] = TimesObject(view, now);
  doc["status"] = ToString(view.Status(now));
  json::array warnings;
  for (const std::string& w : view.Warnings(now)) warnings.emplace_back(w);
  doc["warnings"] = std::move(warnings);
  return internal::SerializeJson(doc);
}

std::string VerifyAcceptedJson(const VerifiedToken& token) {
  return internal::SerializeJson(AcceptedDocument(token));
}

std::string VerifyRejectedJson(const Error& error) {
  return internal::SerializeJson(RejectedDocument(error));
}

std::string VerifyReportJson(const TracedVerification& verification) {
  const Result<VerifiedToken>& result = verification.result;
  json::object doc = result.ok() ? AcceptedDocument(*result) : RejectedDocument(result.error());
  const CheckTrace& trace = verification.trace;
  doc["now"] = trace.now;
  doc["skew_s"] = trace.skew_s;
  json::array checks;
  for (const TracedCheck& check : trace.checks) checks.emplace_back(CheckJson(check));
  doc["checks"] = std::move(checks);
  if (trace.clock_note) doc["clock_note"] = *trace.clock_note;
  return internal::SerializeJson(doc);
}

std::string ErrorDocumentJson(const Error& error) {
  json::object doc;
  doc["error"] = ErrorObject(error);
  return internal::SerializeJson(doc);
}

std::string ErrorObjectJson(const Error& error) {
  return internal::SerializeJson(ErrorObject(error));
}

}  // namespace tock
