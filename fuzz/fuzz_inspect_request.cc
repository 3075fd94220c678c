// fuzz_inspect_request: ParseInspectRequest on the input as a
// `POST /api/inspect` body, then what the server does with a parsed request:
// decode the token, load the key, verify under the request's policy and
// write the response document.
//
// Nothing crashes. A refusal is kBadJson exactly when the body is not a JSON
// object, else kUsage. A parsed request holds the body's token, never both a
// key and a jwks_uri, always a policy; every response document is JSON.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "tock/app/inspect_request.h"
#include "tock/app/report.h"
#include "tock/clock.h"
#include "tock/inspect.h"
#include "tock/key_loader.h"
#include "tock/verifier.h"

namespace tock::fuzz {
namespace {

constexpr UnixSeconds kNow = 1781255830;

// Verification runs the request's verification as the server would; nullopt
// when the request has no usable key.
std::optional<std::string> Verification(const InspectRequest& request, UnixSeconds now) {
  if (!request.key) return std::nullopt;
  Result<LoadedKeys> keys = LoadKeys(*request.key);
  if (!keys) return ErrorDocumentJson(keys.error());
  const FixedClock clock(now);
  const Verifier verifier(JwkSet(keys->keys), clock);
  if (Result<void> policy = verifier.CheckPolicy(*request.policy); !policy) {
    FUZZ_CHECK(policy.error().code() == ErrorCode::kKeyError);
    return ErrorDocumentJson(policy.error());
  }
  Result<VerifiedToken> verified = verifier.Verify(request.token, *request.policy);
  if (verified) {
    FUZZ_CHECK(verified->now() == now);
    return VerifyAcceptedJson(*verified);
  }
  return VerifyRejectedJson(verified.error());
}

void CheckParsed(std::string_view body, const InspectRequest& request) {
  Result<json::object> dom = internal::ParseJsonObject(body);
  FUZZ_CHECK(dom.ok());
  FUZZ_CHECK(internal::FindString(*dom, "token") == request.token);
  FUZZ_CHECK(!(request.key && request.jwks_uri));
  FUZZ_CHECK(request.policy.has_value());
  if (request.jwks_uri) FUZZ_CHECK(internal::FindString(*dom, "jwks_uri") == *request.jwks_uri);
  if (request.now) {
    FUZZ_CHECK(dom->at("now").is_int64() && dom->at("now").get_int64() == *request.now);
  }

  const UnixSeconds now = request.now.value_or(kNow);
  const std::optional<std::string> verification = Verification(request, now);
  if (verification) FUZZ_CHECK(CheckDocument(*verification).is_object());
  Result<UnverifiedView> view = InspectUnverified(request.token);
  const std::string response = view ? InspectResponseJson(*view, now, verification)
                                    : InspectResponseJson(view.error(), verification);
  const json::value document = CheckDocument(response);
  FUZZ_CHECK(document.is_object());
  FUZZ_CHECK(document.get_object().contains("verification") == verification.has_value());
  FUZZ_CHECK(document.get_object().contains("error") == !view.ok());
}

}  // namespace
}  // namespace tock::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tock;
  using namespace tock::fuzz;
  const std::string_view body = View(data, size);
  Result<InspectRequest> request = ParseInspectRequest(body);
  if (request) {
    CheckParsed(body, *request);
    return 0;
  }
  const Error& error = request.error();
  FUZZ_CHECK(!error.message().empty());
  FUZZ_CHECK(error.code() == ErrorCode::kBadJson || error.code() == ErrorCode::kUsage);
  FUZZ_CHECK((error.code() == ErrorCode::kBadJson) == !internal::ParseJsonObject(body).ok());
  (void)CheckDocument(ErrorDocumentJson(error));
  return 0;
}
