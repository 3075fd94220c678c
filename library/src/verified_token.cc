#include "tock/verified_token.h"

#include "internal/json.h"
#include "internal/jws_format.h"

namespace tock {

std::vector<std::string> VerifiedToken::audiences() const {
  std::vector<std::string> out;
  const boost::json::value* aud = parsed_->payload.if_contains("aud");
  if (aud == nullptr) return out;
  if (aud->is_string()) {
    out.emplace_back(aud->get_string());
  } else if (aud->is_array()) {
    // Verify type-checked aud: every element is a string.
    for (const auto& e : aud->get_array()) out.emplace_back(e.get_string());
  }
  return out;
}

std::optional<std::string> VerifiedToken::StringClaim(std::string_view name) const {
  auto s = internal::FindString(parsed_->payload, name);
  return s ? std::optional<std::string>(std::string(*s)) : std::nullopt;
}

std::optional<double> VerifiedToken::NumberClaim(std::string_view name) const {
  return internal::FindNumber(parsed_->payload, name);
}

std::optional<std::string> VerifiedToken::StringHeader(std::string_view name) const {
  auto s = internal::FindString(parsed_->header, name);
  return s ? std::optional<std::string>(std::string(*s)) : std::nullopt;
}

std::optional<std::string> VerifiedToken::ClaimJson(std::string_view name) const {
  const boost::json::value* v = parsed_->payload.if_contains(name);
  if (v == nullptr) return std::nullopt;
  return internal::SerializeJson(*v);
}

std::string VerifiedToken::ClaimsJson(bool pretty) const {
  return internal::SerializeJson(parsed_->payload, pretty);
}

std::string VerifiedToken::HeaderJson(bool pretty) const {
  return internal::SerializeJson(parsed_->header, pretty);
}

}  // namespace tock
