// Helpers to craft tokens byte for byte in tests (never installed).
#ifndef TOCK_TESTING_TEST_TOKENS_H_
#define TOCK_TESTING_TEST_TOKENS_H_

#include <gmock/gmock.h>

#include <string>
#include <string_view>

#include "tock/error.h"
#include "tock/key.h"
#include "tock/result.h"

namespace tock::testing {

// kSeedNow is 2026-06-12T09:17:10Z, the "now" of the seed incident.
inline constexpr std::int64_t kSeedNow = 1781255830;
// kSecret32 is a 32-byte HMAC secret: the HS256 minimum.
inline constexpr std::string_view kSecret32 = "0123456789abcdef0123456789abcdef";

// SecretKey returns Key::FromSecret(secret) or aborts the test.
Key SecretKey(std::string_view secret = kSecret32);

// SignRaw returns b64(header).b64(payload).b64(sig) where sig is made by
// |key| with |alg| over the exact bytes given: lets tests craft duplicate
// members, odd types and hostile headers.
std::string SignRaw(std::string_view header_json, std::string_view payload_json, const Key& key,
                    Algorithm alg);

// Hs256 is SignRaw with kSecret32 and HS256.
std::string Hs256(std::string_view header_json, std::string_view payload_json);

// HasCode matches a Result or Error whose error code is |code|.
MATCHER_P(HasCode, code, "fails with " + std::string(ToString(code))) {
  if constexpr (requires { arg.ok(); }) {
    if (arg.ok()) {
      *result_listener << "succeeded";
      return false;
    }
    *result_listener << "failed with " << arg.error().code_string() << ": "
                     << arg.error().message();
    return arg.error().code() == code;
  } else {
    *result_listener << "failed with " << arg.code_string() << ": " << arg.message();
    return arg.code() == code;
  }
}

}  // namespace tock::testing

#endif  // TOCK_TESTING_TEST_TOKENS_H_
