// The request and response documents of `POST /api/inspect` (server.md): the
// request body is untrusted JSON, so it is read here, by the library's one
// parser, and never by the server itself.
#ifndef TOCK_APP_INSPECT_REQUEST_H_
#define TOCK_APP_INSPECT_REQUEST_H_

#include <optional>
#include <string>
#include <string_view>

#include "tock/clock.h"
#include "tock/error.h"
#include "tock/inspect.h"
#include "tock/result.h"
#include "tock/validator.h"

namespace tock {

// InspectRequest is a parsed /api/inspect body:
//   {"token": "...", "key"?: JWK | JWKS | PEM string, "jwks_uri"?: URL,
//    "policy"?: {"iss"?, "aud"?, "sub"?, "typ"?, "require"?, "skew"?,
//                "max_age"?, "max_lifetime"?, "algorithms"?,
//                "allow_missing_exp"?}, "now"?: integer}
struct InspectRequest {
  std::string token;
  // key is the key text for LoadKeys: a JSON key or key set re-serialised,
  // or the string as given (PEM, or JWK/JWKS text).
  std::optional<std::string> key;
  std::optional<std::string> jwks_uri;
  // policy is the policy of `tock verify` with the same-named flags (an empty
  // "policy" or none: the defaults, exp required, skew 300 s). Always set
  // when ParseInspectRequest succeeds.
  std::optional<Validator> policy;
  std::optional<UnixSeconds> now;
};

// ParseInspectRequest reads |body|. kBadJson when it is not JSON (duplicate
// members and invalid UTF-8 included) or not an object; kUsage naming the
// member when a member is missing, of the wrong type, unknown, or holds a bad
// duration or algorithm, when both key and jwks_uri are given, or when the
// policy contradicts itself.
Result<InspectRequest> ParseInspectRequest(std::string_view body);

// InspectResponseJson is the answer: the `tock decode --json` document of
// |view| at |now|, plus "verification": |verification| (a `tock verify
// --json` document) when one is given.
std::string InspectResponseJson(const UnverifiedView& view, UnixSeconds now,
                                const std::optional<std::string>& verification);
// InspectResponseJson for a token that does not decode: {"error":{...}}, plus
// "verification" when one is given.
std::string InspectResponseJson(const Error& decode_error,
                                const std::optional<std::string>& verification);

}  // namespace tock

#endif  // TOCK_APP_INSPECT_REQUEST_H_
