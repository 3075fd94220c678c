// fuzz_compact: splitting and decoding the compact JWS (internal/jws_format.h)
// on the decode path (InspectUnverified: DOM built in the same pass) and the
// verify path (ParseCompact without a DOM: check-only, recording).
//
// - Both paths accept and refuse alike, with the same code and message.
// - On success the parts are the input's, the decoded parts re-encode to
//   exactly the input (tock accepts only canonical base64url), and each
//   path's recorded header members and claims match the DOM built (lazily,
//   on the verify path) from the same bytes.
// - The decode report, warnings and status work and agree with the DOM.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "internal/json.h"
#include "internal/jws_format.h"
#include "internal/opaque.h"
#include "tock/app/report.h"
#include "tock/inspect.h"

namespace tock::fuzz {
namespace {

using internal::ParsedToken;

// Below the default limit, so the fuzzer can reach kTooLarge.
constexpr std::size_t kMaxBytes = 2048;
constexpr UnixSeconds kNow = 1781255830;

void CheckParts(const ParsedToken& token, std::string_view input) {
  FUZZ_CHECK(token.compact == input);
  FUZZ_CHECK(std::string(token.header_part) + "." + std::string(token.payload_part) + "." +
                 std::string(token.signature_part) ==
             input);
  FUZZ_CHECK(token.signing_input ==
             std::string(token.header_part) + "." + std::string(token.payload_part));
  FUZZ_CHECK(!token.header_part.empty());
  FUZZ_CHECK(internal::SerializeCompact(token.header_json, token.payload_json, token.signature) ==
             input);
}

void CheckRecords(const ParsedToken& token) {
  CheckRecorded(token.header_fields, internal::kHeaderFieldNames, token.header());
  CheckRecorded(token.claims, internal::kClaimFieldNames, token.payload());
  // The DOM is the decoded JSON: it reads back from the decoded bytes.
  FUZZ_CHECK(SameJson(json::value(token.header()), CheckReparses(token.header_json)));
  FUZZ_CHECK(SameJson(json::value(token.payload()), CheckReparses(token.payload_json)));
}

// ExpectedStatus applies the decode status rule of the spec to the DOM.
LifetimeStatus ExpectedStatus(const json::object& payload, UnixSeconds now) {
  const auto exp = internal::FindNumber(payload, "exp");
  const auto nbf = internal::FindNumber(payload, "nbf");
  const auto t = static_cast<double>(now);
  if (exp && t >= *exp) return LifetimeStatus::kExpired;
  if (nbf && t < *nbf) return LifetimeStatus::kNotYetValid;
  if (exp || nbf) return LifetimeStatus::kValidNow;
  return LifetimeStatus::kNoLifetime;
}

void CheckView(const UnverifiedView& view) {
  const ParsedToken& token = TokenAccess::Parsed(view);
  FUZZ_CHECK(view.signature() == token.signature_part);
  for (bool pretty : {false, true}) {
    FUZZ_CHECK(SameJson(CheckReparses(view.HeaderJson(pretty)), json::value(token.header())));
    FUZZ_CHECK(SameJson(CheckReparses(view.PayloadJson(pretty)), json::value(token.payload())));
  }
  for (std::string_view name : {"alg", "kid", "typ", "iss", "sub", "aud", "jti"}) {
    (void)view.StringHeader(name);
    (void)view.StringClaim(name);
  }
  // Now, and the boundaries of the token's own times.
  std::vector<UnixSeconds> times = {kNow, 0};
  for (const char* name : {"exp", "nbf", "iat"}) {
    const auto t = view.NumberClaim(name);
    FUZZ_CHECK(t == internal::FindNumber(token.payload(), name));
    if (t && *t > -1e15 && *t < 1e15) times.push_back(static_cast<UnixSeconds>(*t));
  }
  for (UnixSeconds now : times) {
    FUZZ_CHECK(view.Status(now) == ExpectedStatus(token.payload(), now));
    const std::vector<std::string> warnings = view.Warnings(now);
    bool no_exp = false;
    for (const std::string& w : warnings) no_exp = no_exp || w == "no_exp";
    FUZZ_CHECK(no_exp == !token.payload().contains("exp"));
    const json::value report = CheckDocument(DecodeReportJson(view, now));
    FUZZ_CHECK(report.is_object());
  }
}

}  // namespace
}  // namespace tock::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tock;
  using namespace tock::fuzz;
  const std::string_view input = View(data, size);

  Result<UnverifiedView> decoded = InspectUnverified(input, kMaxBytes);
  auto checked = internal::ParseCompact(input, kMaxBytes, /*build_dom=*/false);
  FUZZ_CHECK(decoded.ok() == checked.ok());
  if (!decoded) {
    if (decoded.error().message() != checked.error().message()) {
      std::fprintf(stderr, "decode: %s\nverify: %s\n", decoded.error().message().c_str(),
                   checked.error().message().c_str());
    }
    FUZZ_CHECK(decoded.error().code() == checked.error().code());
    FUZZ_CHECK(decoded.error().message() == checked.error().message());
    const ErrorCode code = decoded.error().code();
    FUZZ_CHECK(code == ErrorCode::kTooLarge || code == ErrorCode::kMalformed ||
               code == ErrorCode::kBadBase64 || code == ErrorCode::kBadJson);
    FUZZ_CHECK((code == ErrorCode::kTooLarge) == (size > kMaxBytes));
    (void)CheckDocument(ErrorDocumentJson(decoded.error()));
    return 0;
  }
  const internal::ParsedToken& lazy = **checked;
  CheckParts(lazy, input);
  CheckParts(TokenAccess::Parsed(*decoded), input);
  // The verify path records first and builds the DOM only when asked.
  CheckRecords(lazy);
  CheckRecords(TokenAccess::Parsed(*decoded));
  CheckView(*decoded);
  return 0;
}
