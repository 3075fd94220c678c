#include "tock/inspect.h"

#include <cmath>
#include <cstdint>
#include <utility>

#include "internal/json.h"
#include "internal/jws_format.h"
#include "internal/opaque.h"

namespace tock {
namespace {

namespace json = boost::json;

// A lifetime over a day is worth a warning: a leaked token stays useful for
// that long, and service-to-service tokens usually live minutes.
constexpr double kLongLifetimeSeconds = 24 * 60 * 60;

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool IsStringOrStringArray(const json::value& value) {
  if (value.is_string()) return true;
  if (!value.is_array()) return false;
  for (const json::value& element : value.get_array()) {
    if (!element.is_string()) return false;
  }
  return true;
}

// IsExactNumericDate: a number within ±2^53 seconds (the verifier's
// bad_claim rule for time claims).
bool IsExactNumericDate(const json::value& value) {
  constexpr std::int64_t kMax = internal::kMaxExactInteger;
  if (value.is_int64()) return value.get_int64() >= -kMax && value.get_int64() <= kMax;
  if (value.is_uint64()) return value.get_uint64() <= static_cast<std::uint64_t>(kMax);
  return value.is_double() && std::fabs(value.get_double()) <= static_cast<double>(kMax);
}

// HasRightType applies the spec's registered-claim types (RFC 7519 §4.1).
bool HasRightType(std::string_view name, const json::value& value) {
  if (name == "aud") return IsStringOrStringArray(value);
  if (name == "exp" || name == "nbf" || name == "iat") return IsExactNumericDate(value);
  return value.is_string();  // iss, sub, jti
}

}  // namespace

std::string_view ToString(LifetimeStatus status) {
  switch (status) {
    case LifetimeStatus::kValidNow:
      return "valid_now";
    case LifetimeStatus::kNotYetValid:
      return "not_yet_valid";
    case LifetimeStatus::kExpired:
      return "expired";
    case LifetimeStatus::kNoLifetime:
      return "no_lifetime";
  }
  return "no_lifetime";
}

UnverifiedView::UnverifiedView(std::shared_ptr<const void> parsed) : parsed_(std::move(parsed)) {}

std::string UnverifiedView::HeaderJson(bool pretty) const {
  return internal::SerializeJson(TokenAccess::Parsed(*this).header(), pretty);
}

std::string UnverifiedView::PayloadJson(bool pretty) const {
  return internal::SerializeJson(TokenAccess::Parsed(*this).payload(), pretty);
}

std::string_view UnverifiedView::signature() const {
  return TokenAccess::Parsed(*this).signature_part;
}

std::optional<std::string> UnverifiedView::StringHeader(std::string_view name) const {
  const std::optional<std::string_view> value =
      internal::FindString(TokenAccess::Parsed(*this).header(), name);
  if (!value) return std::nullopt;
  return std::string(*value);
}

std::optional<std::string> UnverifiedView::StringClaim(std::string_view name) const {
  const std::optional<std::string_view> value =
      internal::FindString(TokenAccess::Parsed(*this).payload(), name);
  if (!value) return std::nullopt;
  return std::string(*value);
}

std::optional<double> UnverifiedView::NumberClaim(std::string_view name) const {
  return internal::FindNumber(TokenAccess::Parsed(*this).payload(), name);
}

// Status uses the verifier's time rules with zero skew; a time claim that is
// not a number does not count (it is reported as bad_claim:NAME instead).
LifetimeStatus UnverifiedView::Status(UnixSeconds now) const {
  const double t = static_cast<double>(now);
  const std::optional<double> exp = NumberClaim("exp");
  const std::optional<double> nbf = NumberClaim("nbf");
  if (exp && t >= *exp) return LifetimeStatus::kExpired;
  if (nbf && t < *nbf) return LifetimeStatus::kNotYetValid;
  if (exp || nbf) return LifetimeStatus::kValidNow;
  return LifetimeStatus::kNoLifetime;
}

std::vector<std::string> UnverifiedView::Warnings(UnixSeconds now) const {
  const json::object& header = TokenAccess::Parsed(*this).header();
  const json::object& payload = TokenAccess::Parsed(*this).payload();
  std::vector<std::string> warnings;
  // An alg that is not a string is as unusable as a missing one.
  const std::optional<std::string_view> alg = internal::FindString(header, "alg");
  if (!alg || EqualsIgnoringAsciiCase(*alg, "none")) warnings.emplace_back("alg_none");
  if (!payload.contains("exp")) warnings.emplace_back("no_exp");

  const std::optional<double> exp = NumberClaim("exp");
  const std::optional<double> nbf = NumberClaim("nbf");
  const std::optional<double> iat = NumberClaim("iat");
  const std::optional<double> start = iat ? iat : nbf;
  if (exp && start && *exp - *start > kLongLifetimeSeconds) {
    warnings.emplace_back("long_lifetime");
  }
  if (exp && nbf && *nbf > *exp) warnings.emplace_back("nbf_after_exp");
  if (exp && iat && *iat > *exp) warnings.emplace_back("iat_after_exp");
  if (iat && *iat > static_cast<double>(now)) warnings.emplace_back("iat_in_future");

  for (const char* name : {"iss", "sub", "aud", "exp", "nbf", "iat", "jti"}) {
    const json::value* value = payload.if_contains(name);
    if (value != nullptr && !HasRightType(name, *value)) {
      warnings.push_back(std::string("bad_claim:") + name);
    }
  }
  if (header.contains("crit")) warnings.emplace_back("crit_present");
  // RFC 7515 §4.1.2-§4.1.6: keys or key locations chosen by the token's
  // sender; tock never uses them, but their presence suggests an attack.
  for (const char* name : {"jwk", "jku", "x5u", "x5c"}) {
    if (header.contains(name)) {
      warnings.emplace_back("key_in_header");
      break;
    }
  }
  return warnings;
}

Result<UnverifiedView> InspectUnverified(std::string_view compact, std::size_t max_bytes) {
  Result<std::shared_ptr<const internal::ParsedToken>> parsed =
      internal::ParseCompact(compact, max_bytes, /*build_dom=*/true);
  if (!parsed) return std::move(parsed).error();
  return TokenAccess::View(std::move(*parsed));
}

}  // namespace tock
