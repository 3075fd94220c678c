#include "testing/test_tokens.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "internal/crypto.h"
#include "internal/jws_format.h"

namespace tock::testing {

Key SecretKey(std::string_view secret) {
  Result<Key> key = Key::FromSecret(secret);
  if (!key.ok()) {
    ADD_FAILURE() << "secret refused: " << key.error().message();
    std::abort();
  }
  return *key;
}

std::string SignRaw(std::string_view header_json, std::string_view payload_json, const Key& key,
                    Algorithm alg) {
  std::string unsigned_token = internal::SerializeCompact(header_json, payload_json, "");
  unsigned_token.pop_back();  // the trailing '.' of the empty signature
  Result<std::string> sig = internal::SignBytes(key, alg, unsigned_token);
  if (!sig.ok()) {
    ADD_FAILURE() << "signing failed: " << sig.error().message();
    return unsigned_token + ".";
  }
  return internal::SerializeCompact(header_json, payload_json, *sig);
}

std::string Hs256(std::string_view header_json, std::string_view payload_json) {
  return SignRaw(header_json, payload_json, SecretKey(), Algorithm::kHS256);
}

}  // namespace tock::testing
