#include "tock/token_builder.h"

#include <boost/json.hpp>

#include "internal/base64url.h"
#include "internal/crypto.h"
#include "internal/json.h"
#include "internal/jws_format.h"

namespace tock {

namespace json = boost::json;

struct TokenBuilder::State {
  json::object header;  // without "alg": Sign puts it first
  json::object payload;
};

TokenBuilder::TokenBuilder() : state_(std::make_unique<State>()) { state_->header["typ"] = "JWT"; }
TokenBuilder::~TokenBuilder() = default;
TokenBuilder::TokenBuilder(const TokenBuilder& other)
    : state_(std::make_unique<State>(*other.state_)) {}
TokenBuilder& TokenBuilder::operator=(const TokenBuilder& other) {
  if (this != &other) state_ = std::make_unique<State>(*other.state_);
  return *this;
}

std::string RandomJti() { return internal::Base64UrlEncode(internal::RandomBytes(16)); }

Result<void> TokenBuilder::MergeClaimsJson(std::string_view object_json) {
  auto parsed = internal::ParseJsonObject(object_json);
  if (!parsed.ok()) {
    return Error(ErrorCode::kUsage, "claims are not a JSON object: " + parsed.error().message());
  }
  for (const auto& member : *parsed) state_->payload[member.key()] = member.value();
  return {};
}

namespace {
// TextValue applies the CLI's NAME=VALUE rule: JSON when the text is valid
// JSON, else the text as a string.
json::value TextValue(std::string_view text) {
  auto parsed = internal::ParseJson(text);
  if (parsed.ok()) return std::move(parsed).value();
  return json::value(json::string(text));
}
}  // namespace

void TokenBuilder::SetClaimFromText(std::string_view name, std::string_view text) {
  state_->payload[name] = TextValue(text);
}

void TokenBuilder::SetString(std::string_view name, std::string_view value) {
  state_->payload[name] = json::string(value);
}

void TokenBuilder::SetNumber(std::string_view name, std::int64_t value) {
  state_->payload[name] = value;
}

void TokenBuilder::SetAudiences(const std::vector<std::string>& audiences) {
  if (audiences.empty()) {
    state_->payload.erase("aud");
  } else if (audiences.size() == 1) {
    state_->payload["aud"] = audiences.front();
  } else {
    json::array a;
    for (const auto& aud : audiences) a.emplace_back(aud);
    state_->payload["aud"] = std::move(a);
  }
}

void TokenBuilder::RemoveClaim(std::string_view name) { state_->payload.erase(name); }

void TokenBuilder::StampTimes(UnixSeconds now, const Lifetime& lifetime) {
  if (lifetime.iat_backdate_s) SetNumber("iat", now - *lifetime.iat_backdate_s);
  if (lifetime.nbf_backdate_s) SetNumber("nbf", now - *lifetime.nbf_backdate_s);
  if (lifetime.ttl_s) SetNumber("exp", now + *lifetime.ttl_s);
  if (lifetime.jti && !state_->payload.contains("jti")) SetString("jti", RandomJti());
}

Result<void> TokenBuilder::SetHeaderFromText(std::string_view name, std::string_view text) {
  if (name == "alg") {
    return Error(ErrorCode::kUsage, "the \"alg\" header is always the signing algorithm");
  }
  state_->header[name] = TextValue(text);
  return {};
}

void TokenBuilder::SetType(std::optional<std::string> typ) {
  if (typ) {
    state_->header["typ"] = *typ;
  } else {
    state_->header.erase("typ");
  }
}

void TokenBuilder::SetKid(std::optional<std::string> kid) {
  if (kid) {
    state_->header["kid"] = *kid;
  } else {
    state_->header.erase("kid");
  }
}

std::string TokenBuilder::PayloadJson() const { return internal::SerializeJson(state_->payload); }

Result<std::string> TokenBuilder::Sign(const Key& key, Algorithm alg) const {
  if (!key.CanPerform(alg)) {
    return Error(ErrorCode::kKeyError, "this " + std::string(ToString(key.type())) +
                                           " key cannot sign with " + std::string(ToString(alg)));
  }
  if (!key.has_private()) {
    return Error(ErrorCode::kKeyError, "a public key cannot sign: give the private key");
  }
  json::object header;
  header.reserve(state_->header.size() + 1);
  header["alg"] = ToString(alg);
  for (const auto& member : state_->header) header[member.key()] = member.value();

  std::string input = internal::Base64UrlEncode(internal::SerializeJson(header));
  input += '.';
  internal::Base64UrlEncodeAppend(input, internal::SerializeJson(state_->payload));
  Result<std::string> signature = internal::SignBytes(key, alg, input);
  if (!signature.ok()) return std::move(signature).error();
  input += '.';
  internal::Base64UrlEncodeAppend(input, *signature);
  return input;
}

}  // namespace tock
