#include "tock/token_builder.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/json.hpp>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "internal/base64url.h"
#include "internal/crypto.h"
#include "internal/json.h"

namespace tock {

namespace json = boost::json;

namespace {

// Encoded is what Sign writes of the header and claims, which only a setter
// changes: the header JSON after the leading {"alg":"..." member, and the
// claims JSON in base64url.
struct Encoded {
  std::string header_tail;  // `,"typ":"JWT","kid":"..."}`, or `}`
  std::string payload;
};

std::unique_ptr<const Encoded> Encode(const json::object& header, const json::object& payload) {
  auto encoded = std::make_unique<Encoded>();
  if (header.empty()) {
    encoded->header_tail.push_back('}');
  } else {
    encoded->header_tail = internal::SerializeJson(header);
    encoded->header_tail.front() = ',';  // the '{' opening the members
  }
  encoded->payload = internal::Base64UrlEncode(internal::SerializeJson(payload));
  return encoded;
}

// The header JSON up to the algorithm's name.
constexpr std::string_view kAlgPrefix = R"({"alg":")";
// Headers up to this size (a kid and a few more members) are written on the
// stack.
constexpr std::size_t kStackHeaderBytes = 256;
// Signatures up to this size (RSA 4096) are made on the stack.
constexpr std::size_t kStackSignatureBytes = 512;

}  // namespace

// State keeps the header and claims, and their encoding for Sign. A prepared
// builder signs the same claims again and again: serialising them took most
// of a sign/HS256 (docs/performance.md), so the first Sign after a change
// encodes them once and the next ones reuse it. Sign is const and may run on
// several threads at once, so the encoding is published with a
// compare-and-swap (the loser frees its own); setters, which have the
// builder to themselves, reach the JSON only through Mutable*(), which drops
// the encoding. Nothing that varies per call (time, randomness) is kept:
// StampTimes is a setter like the others.
struct TokenBuilder::State {
  State() = default;
  State(const State& other) : header_(other.header_), payload_(other.payload_) {}
  State& operator=(const State&) = delete;
  ~State() { delete encoded_.load(std::memory_order_acquire); }

  const json::object& header() const { return header_; }  // without "alg"
  const json::object& payload() const { return payload_; }
  json::object& MutableHeader() {
    Changed();
    return header_;
  }
  json::object& MutablePayload() {
    Changed();
    return payload_;
  }

  // GetEncoded returns the encoding of the current header and claims.
  const Encoded& GetEncoded() const {
    if (const Encoded* ready = encoded_.load(std::memory_order_acquire)) return *ready;
    std::unique_ptr<const Encoded> fresh = Encode(header_, payload_);
    const Encoded* expected = nullptr;
    if (encoded_.compare_exchange_strong(expected, fresh.get(), std::memory_order_acq_rel)) {
      return *fresh.release();
    }
    return *expected;
  }

 private:
  void Changed() { delete encoded_.exchange(nullptr, std::memory_order_acq_rel); }

  json::object header_;
  json::object payload_;
  mutable std::atomic<const Encoded*> encoded_{nullptr};
};

TokenBuilder::TokenBuilder() : state_(std::make_unique<State>()) {
  state_->MutableHeader()["typ"] = "JWT";
}
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
  json::object& payload = state_->MutablePayload();
  for (const auto& member : *parsed) payload[member.key()] = member.value();
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
  state_->MutablePayload()[name] = TextValue(text);
}

void TokenBuilder::SetString(std::string_view name, std::string_view value) {
  state_->MutablePayload()[name] = json::string(value);
}

void TokenBuilder::SetNumber(std::string_view name, std::int64_t value) {
  state_->MutablePayload()[name] = value;
}

void TokenBuilder::SetAudiences(const std::vector<std::string>& audiences) {
  if (audiences.empty()) {
    state_->MutablePayload().erase("aud");
  } else if (audiences.size() == 1) {
    state_->MutablePayload()["aud"] = audiences.front();
  } else {
    json::array a;
    for (const auto& aud : audiences) a.emplace_back(aud);
    state_->MutablePayload()["aud"] = std::move(a);
  }
}

void TokenBuilder::RemoveClaim(std::string_view name) { state_->MutablePayload().erase(name); }

void TokenBuilder::StampTimes(UnixSeconds now, const Lifetime& lifetime) {
  if (lifetime.iat_backdate_s) SetNumber("iat", now - *lifetime.iat_backdate_s);
  if (lifetime.nbf_backdate_s) SetNumber("nbf", now - *lifetime.nbf_backdate_s);
  if (lifetime.ttl_s) SetNumber("exp", now + *lifetime.ttl_s);
  if (lifetime.jti && !state_->payload().contains("jti")) SetString("jti", RandomJti());
}

Result<void> TokenBuilder::SetHeaderFromText(std::string_view name, std::string_view text) {
  if (name == "alg") {
    return Error(ErrorCode::kUsage, "the \"alg\" header is always the signing algorithm");
  }
  state_->MutableHeader()[name] = TextValue(text);
  return {};
}

void TokenBuilder::SetType(std::optional<std::string> typ) {
  if (typ) {
    state_->MutableHeader()["typ"] = *typ;
  } else {
    state_->MutableHeader().erase("typ");
  }
}

void TokenBuilder::SetKid(std::optional<std::string> kid) {
  if (kid) {
    state_->MutableHeader()["kid"] = *kid;
  } else {
    state_->MutableHeader().erase("kid");
  }
}

std::string TokenBuilder::PayloadJson() const { return internal::SerializeJson(state_->payload()); }

Result<std::string> TokenBuilder::Sign(const Key& key, Algorithm alg) const {
  if (!key.CanPerform(alg)) {
    return Error(ErrorCode::kKeyError, "this " + std::string(ToString(key.type())) +
                                           " key cannot sign with " + std::string(ToString(alg)));
  }
  if (!key.has_private()) {
    return Error(ErrorCode::kKeyError, "a public key cannot sign: give the private key");
  }
  const Encoded& encoded = state_->GetEncoded();

  // RFC 7515 §7.1: BASE64URL(header) '.' BASE64URL(payload) '.'
  // BASE64URL(signature), written into one string reserved at its final
  // size. The header is {"alg":"<alg>" followed by the other members, so
  // "alg" comes first as it always has.
  const std::string_view alg_name = ToString(alg);
  const std::size_t header_size =
      kAlgPrefix.size() + alg_name.size() + 1 + encoded.header_tail.size();
  std::array<char, kStackHeaderBytes> stack_header;
  std::string heap_header;
  char* header = stack_header.data();
  if (header_size > stack_header.size()) {
    heap_header.resize(header_size);
    header = heap_header.data();
  }
  char* end = std::copy(kAlgPrefix.begin(), kAlgPrefix.end(), header);
  end = std::copy(alg_name.begin(), alg_name.end(), end);
  *end++ = '"';
  std::copy(encoded.header_tail.begin(), encoded.header_tail.end(), end);
  const std::string_view header_json(header, header_size);
  const std::size_t signature_size = internal::SignatureSize(key, alg);
  std::string token;
  token.reserve(internal::Base64UrlEncodedSize(header_json.size()) + 1 + encoded.payload.size() +
                1 + internal::Base64UrlEncodedSize(signature_size));
  internal::Base64UrlEncodeAppend(token, header_json);
  token += '.';
  token += encoded.payload;

  // The signature goes to the stack (RSA up to 4096 bits), or the heap for
  // larger keys.
  std::array<unsigned char, kStackSignatureBytes> stack_signature;
  std::vector<unsigned char> heap_signature;
  std::span<unsigned char> signature(stack_signature);
  if (signature_size > signature.size()) {
    heap_signature.resize(signature_size);
    signature = heap_signature;
  }
  Result<std::size_t> length = internal::SignBytesInto(key, alg, token, signature);
  if (!length.ok()) return std::move(length).error();
  token += '.';
  internal::Base64UrlEncodeAppend(
      token, std::string_view(reinterpret_cast<const char*>(signature.data()), *length));
  return token;
}

}  // namespace tock
