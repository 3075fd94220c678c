#include "tock/verified_token.h"

#include "internal/json.h"
#include "internal/jws_format.h"
#include "internal/opaque.h"

namespace tock {
namespace {

using internal::JsonKind;
using internal::RecordedMember;

// The registered claims and header fields come from the parser's record;
// any other name builds the DOM once (ParsedToken::payload()).
std::optional<std::string> StringOf(const internal::ParsedToken& token, bool in_header,
                                    std::string_view name) {
  const internal::MemberRecord& record = in_header ? token.header_fields : token.claims;
  if (const RecordedMember* m = record.Find(name)) {
    if (m->kind != JsonKind::kString) return std::nullopt;
    return std::string(m->text);
  }
  auto s = internal::FindString(in_header ? token.header() : token.payload(), name);
  return s ? std::optional<std::string>(std::string(*s)) : std::nullopt;
}

}  // namespace

std::vector<std::string> VerifiedToken::audiences() const {
  return TokenAccess::Parsed(*this).Audiences();
}

std::optional<std::string> VerifiedToken::StringClaim(std::string_view name) const {
  return StringOf(TokenAccess::Parsed(*this), /*in_header=*/false, name);
}

std::optional<double> VerifiedToken::NumberClaim(std::string_view name) const {
  if (const RecordedMember* m = TokenAccess::Parsed(*this).claims.Find(name)) {
    if (m->kind != JsonKind::kNumber) return std::nullopt;
    return m->number;
  }
  return internal::FindNumber(TokenAccess::Parsed(*this).payload(), name);
}

std::optional<std::string> VerifiedToken::StringHeader(std::string_view name) const {
  return StringOf(TokenAccess::Parsed(*this), /*in_header=*/true, name);
}

std::optional<std::string> VerifiedToken::ClaimJson(std::string_view name) const {
  const boost::json::value* v = TokenAccess::Parsed(*this).payload().if_contains(name);
  if (v == nullptr) return std::nullopt;
  return internal::SerializeJson(*v);
}

std::string VerifiedToken::ClaimsJson(bool pretty) const {
  return internal::SerializeJson(TokenAccess::Parsed(*this).payload(), pretty);
}

std::string VerifiedToken::HeaderJson(bool pretty) const {
  return internal::SerializeJson(TokenAccess::Parsed(*this).header(), pretty);
}

}  // namespace tock
