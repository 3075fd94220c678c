// fuzz_verify: Verifier::Verify with an HS256 secret, a strict policy and a
// lax one, on two tokens per input:
//   1. the input itself, as a compact token;
//   2. a token built from the input as JSON ("HEADER\nPAYLOAD", or a payload
//      alone under {"alg":"HS256","typ":"JWT"}) and correctly signed here
//      with OpenSSL's HMAC, so the fuzzer reaches the claim checks.
// Nothing crashes; every accessor and report of the result works. When a
// token is accepted, the harness checks on its own that the signature is the
// HMAC of the signing input and that the claims meet the policy (the spec's
// time rules). A correctly signed token is never refused for its signature,
// base64url or key selection.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "tock/app/report.h"
#include "tock/clock.h"
#include "tock/key.h"
#include "tock/validator.h"
#include "tock/verifier.h"

namespace tock::fuzz {
namespace {

constexpr std::string_view kSecret = "tock-fuzz-hs256-secret-0123456789abcdef";
constexpr std::string_view kIssuer = "https://issuer.example";
constexpr std::string_view kAudience = "svc-a";
constexpr UnixSeconds kNow = 1781255830;
constexpr double kSkew = 300;
constexpr double kMaxAge = 3600;
constexpr double kMaxLifetime = 86400;

struct Fixture {
  Verifier verifier;
  Validator strict;
  Validator lax;
};

Validator Build(const ValidatorBuilder& builder) {
  Result<Validator> built = builder.Build();
  FUZZ_CHECK(built.ok());
  return std::move(*built);
}

const Fixture& GetFixture() {
  static const FixedClock clock(kNow);
  static const Fixture fixture = [] {
    Result<Key> key = Key::FromSecret(kSecret);
    FUZZ_CHECK(key.ok());
    ValidatorBuilder strict;
    strict.AddIssuer(std::string(kIssuer))
        .AddAudience(std::string(kAudience))
        .ExpectType("JWT")
        .RequireClaim("sub")
        .MaxAge(static_cast<std::int64_t>(kMaxAge))
        .MaxLifetime(static_cast<std::int64_t>(kMaxLifetime));
    ValidatorBuilder lax;
    lax.AllowMissingExp();
    return Fixture{Verifier(JwkSet({*key}), clock), Build(strict), Build(lax)};
  }();
  return fixture;
}

std::string Base64Url(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (unsigned char c : bytes) {
    bits = bits << 8 | c;
    count += 8;
    while (count >= 6) out += kAlphabet[(bits >> (count -= 6)) & 63];
  }
  if (count > 0) out += kAlphabet[(bits << (6 - count)) & 63];
  return out;
}

std::optional<std::string> DecodeBase64Url(std::string_view text) {
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    if (c >= '0' && c <= '9') v = c - '0' + 52;
    if (c == '-') v = 62;
    if (c == '_') v = 63;
    if (v < 0) return std::nullopt;
    bits = bits << 6 | static_cast<std::uint32_t>(v);
    count += 6;
    if (count >= 8) out += static_cast<char>((bits >> (count -= 8)) & 0xFF);
  }
  return out;
}

std::string Hmac(std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  FUZZ_CHECK(HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
                  reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac,
                  &length) != nullptr);
  return {reinterpret_cast<const char*>(mac), length};
}

bool StringOrStrings(const json::value* value) {
  if (value->is_string()) return true;
  if (!value->is_array()) return false;
  for (const json::value& e : value->get_array()) {
    if (!e.is_string()) return false;
  }
  return true;
}

bool HasAudience(const json::value* aud) {
  if (aud->is_string()) return View(aud->get_string()) == kAudience;
  for (const json::value& e : aud->get_array()) {
    if (View(e.get_string()) == kAudience) return true;
  }
  return false;
}

// CheckPolicy re-checks, independently of the verifier, that the claims of
// an accepted token meet the lax policy (types, time rules with the default
// skew) and, when |strict|, the strict one.
void CheckPolicy(const json::object& header, const json::object& claims, bool strict) {
  FUZZ_CHECK(internal::FindString(header, "alg") == "HS256");
  const auto t = static_cast<double>(kNow);
  const auto exp = internal::FindNumber(claims, "exp");
  const auto nbf = internal::FindNumber(claims, "nbf");
  const auto iat = internal::FindNumber(claims, "iat");
  // Registered claims are type-checked always; the time rules of the spec.
  for (const char* name : {"exp", "nbf", "iat"}) {
    FUZZ_CHECK(!claims.contains(name) || internal::FindNumber(claims, name).has_value());
  }
  for (const char* name : {"iss", "sub", "jti"}) {
    FUZZ_CHECK(!claims.contains(name) || internal::FindString(claims, name).has_value());
  }
  if (const json::value* aud = claims.if_contains("aud")) FUZZ_CHECK(StringOrStrings(aud));
  FUZZ_CHECK(!exp || t < *exp + kSkew);
  FUZZ_CHECK(!nbf || t >= *nbf - kSkew);
  FUZZ_CHECK(!iat || *iat <= t + kSkew);
  if (!strict) return;
  FUZZ_CHECK(exp && iat && t - *iat <= kMaxAge + kSkew && *exp - *iat <= kMaxLifetime);
  FUZZ_CHECK(internal::FindString(claims, "iss") == kIssuer);
  FUZZ_CHECK(claims.contains("aud") && HasAudience(claims.if_contains("aud")));
  FUZZ_CHECK(claims.contains("sub"));
  const auto typ = internal::FindString(header, "typ");
  FUZZ_CHECK(typ.has_value());
  std::string lower;
  for (char c : *typ) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  if (lower.starts_with("application/")) lower.erase(0, 12);
  FUZZ_CHECK(lower == "jwt");
}

// CheckAccepted re-checks why |compact| may be accepted (its HMAC, its
// claims) and that every accessor agrees with the claims it serialises.
void CheckAccepted(std::string_view compact, const VerifiedToken& token, bool strict) {
  const std::size_t first = compact.find('.');
  const std::size_t second = compact.find('.', first + 1);
  FUZZ_CHECK(first != std::string_view::npos && second != std::string_view::npos);
  const std::optional<std::string> signature = DecodeBase64Url(compact.substr(second + 1));
  FUZZ_CHECK(signature && *signature == Hmac(compact.substr(0, second)));
  FUZZ_CHECK(token.algorithm() == Algorithm::kHS256);
  FUZZ_CHECK(token.now() == kNow);

  const json::value header = CheckReparses(token.HeaderJson());
  const json::value claims_value = CheckReparses(token.ClaimsJson());
  FUZZ_CHECK(header.is_object() && claims_value.is_object());
  const json::object& claims = claims_value.get_object();
  CheckPolicy(header.get_object(), claims, strict);

  FUZZ_CHECK(token.issuer() == internal::FindString(claims, "iss"));
  FUZZ_CHECK(token.subject() == internal::FindString(claims, "sub"));
  FUZZ_CHECK(token.jwt_id() == internal::FindString(claims, "jti"));
  FUZZ_CHECK(token.expires_at() == internal::FindNumber(claims, "exp"));
  FUZZ_CHECK(token.not_before() == internal::FindNumber(claims, "nbf"));
  FUZZ_CHECK(token.issued_at() == internal::FindNumber(claims, "iat"));
  (void)token.audiences();
  (void)token.type();
  (void)token.key_id();
  (void)token.key().Thumbprint();
  for (const char* name : {"aud", "exp", "x", ""}) {
    const std::optional<std::string> one = token.ClaimJson(name);
    FUZZ_CHECK(one.has_value() == claims.contains(name));
    if (one) FUZZ_CHECK(SameJson(CheckReparses(*one), claims.at(name)));
  }
  (void)CheckReparses(token.ClaimsJson(true));
  (void)CheckReparses(token.HeaderJson(true));
  const json::value report = CheckDocument(VerifyAcceptedJson(token));
  FUZZ_CHECK(report.is_object() && report.get_object().at("valid") == json::value(true));
}

void CheckRejected(const Error& error) {
  FUZZ_CHECK(!error.message().empty());
  FUZZ_CHECK(!error.code_string().empty());
  if (!error.problems().empty()) FUZZ_CHECK(error.problems().front().code() == error.code());
  const json::value report = CheckDocument(VerifyRejectedJson(error));
  FUZZ_CHECK(report.is_object() && report.get_object().at("valid") == json::value(false));
  (void)CheckDocument(ErrorDocumentJson(error));
  (void)CheckDocument(ErrorObjectJson(error));
}

// VerifyWith verifies |compact| under |validator| and checks the result;
// returns the error code (nullopt when accepted) for the caller.
std::optional<ErrorCode> VerifyWith(std::string_view compact, const Validator& validator,
                                    bool strict) {
  const Result<VerifiedToken> result = GetFixture().verifier.Verify(compact, validator);
  // TOCK_FUZZ_VERBOSE=1: what each input came to, to check the seeds.
  static const bool verbose = std::getenv("TOCK_FUZZ_VERBOSE") != nullptr;
  if (verbose) {
    std::fprintf(stderr, "%s: %s\n", strict ? "strict" : "lax",
                 result ? "accepted" : result.error().message().c_str());
  }
  if (result) {
    CheckAccepted(compact, *result, strict);
    return std::nullopt;
  }
  CheckRejected(result.error());
  return result.error().code();
}

// CheckSigned verifies a token built and signed from |input| taken as JSON.
void CheckSigned(std::string_view input) {
  const std::size_t newline = input.find('\n');
  const std::string_view header = newline == std::string_view::npos
                                      ? R"({"alg":"HS256","typ":"JWT"})"
                                      : input.substr(0, newline);
  const std::string_view payload =
      newline == std::string_view::npos ? input : input.substr(newline + 1);
  const std::string signing_input = Base64Url(header) + "." + Base64Url(payload);
  const std::string compact = signing_input + "." + Base64Url(Hmac(signing_input));
  for (bool strict : {true, false}) {
    const Fixture& f = GetFixture();
    const std::optional<ErrorCode> code = VerifyWith(compact, strict ? f.strict : f.lax, strict);
    if (!code) continue;
    // Canonical base64url of three parts, signed with the one (kid-less)
    // key: never refused for its form, its key or its signature.
    FUZZ_CHECK(*code != ErrorCode::kBadBase64 && *code != ErrorCode::kBadSignature &&
               *code != ErrorCode::kKeyNotFound);
    FUZZ_CHECK(*code != ErrorCode::kMalformed || header.empty());
    FUZZ_CHECK(*code != ErrorCode::kTooLarge || compact.size() > kDefaultMaxTokenBytes);
    if (*code == ErrorCode::kBadJson) {
      FUZZ_CHECK(!internal::ParseJsonObject(header).ok() ||
                 !internal::ParseJsonObject(payload).ok());
    }
  }
}

}  // namespace
}  // namespace tock::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tock::fuzz;
  const std::string_view input = View(data, size);
  const Fixture& f = GetFixture();
  (void)VerifyWith(input, f.strict, true);
  (void)VerifyWith(input, f.lax, false);
  CheckSigned(input);
  return 0;
}
