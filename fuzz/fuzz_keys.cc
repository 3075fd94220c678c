// fuzz_keys: LoadKeys (PEM, DER, JWK, JWKS detected from the bytes) on the
// input as a local key file and as a document fetched from a URL.
//
// Nothing crashes. On success: a remote document never yields an HMAC
// secret; every key's accessors, Thumbprint and PublicJwk work; the public
// JWK (and the private PEM/JWK when there is a private half) load back as a
// key with the same thumbprint; the set's PublicJwks loads back as the same
// keys; and a key that can sign makes a token that it, and its public half,
// verify.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "tock/app/key_type.h"
#include "tock/clock.h"
#include "tock/jwk_set.h"
#include "tock/key.h"
#include "tock/key_loader.h"
#include "tock/token_builder.h"
#include "tock/validator.h"
#include "tock/verifier.h"

namespace tock::fuzz {
namespace {

constexpr UnixSeconds kNow = 1781255830;

// LoadOne loads |text|, which tock wrote for |key|, and checks it is the
// same key.
Key LoadOne(const std::string& text, const Key& key) {
  Result<LoadedKeys> loaded = LoadKeys(text);
  if (!loaded) std::fprintf(stderr, "%s\n%s\n", text.c_str(), loaded.error().message().c_str());
  FUZZ_CHECK(loaded.ok() && loaded->keys.size() == 1);
  const Key& again = loaded->keys.front();
  FUZZ_CHECK(again.Thumbprint() == key.Thumbprint());
  FUZZ_CHECK(again.type() == key.type() && again.curve() == key.curve());
  FUZZ_CHECK(again.bits() == key.bits());
  return again;
}

// CheckSignVerify signs a token with |key| and verifies it with |verify_key|.
void CheckSignVerify(const Key& key, const Key& verify_key, Algorithm alg) {
  static const FixedClock clock(kNow);
  TokenBuilder builder;
  builder.SetString("iss", "fuzz");
  builder.StampTimes(kNow, Lifetime{});
  Result<std::string> token = builder.Sign(key, alg);
  FUZZ_CHECK(token.ok());
  const Verifier verifier(JwkSet({verify_key}), clock);
  Result<Validator> validator = ValidatorBuilder().Build();
  FUZZ_CHECK(validator.ok());
  Result<VerifiedToken> verified = verifier.Verify(*token, *validator);
  if (!verified) std::fprintf(stderr, "%s\n", verified.error().message().c_str());
  FUZZ_CHECK(verified.ok() && verified->algorithm() == alg);
}

void CheckKey(const Key& key) {
  const bool secret = key.type() == KeyType::kOct;
  FUZZ_CHECK(!ToString(key.type()).empty());
  (void)key.curve();
  FUZZ_CHECK(key.bits() > 0);
  FUZZ_CHECK(!secret || key.has_private());
  (void)key.kid();
  (void)key.alg();
  (void)key.use();
  const std::vector<Algorithm> algorithms = key.Algorithms();
  for (Algorithm alg : AllAlgorithms()) {
    bool listed = false;
    for (Algorithm a : algorithms) listed = listed || a == alg;
    FUZZ_CHECK(key.CanPerform(alg) == listed);
  }
  const std::string thumbprint = key.Thumbprint();
  FUZZ_CHECK(thumbprint.size() == 43);  // SHA-256, base64url
  FUZZ_CHECK(key.WithKid("fuzz-kid").kid() == "fuzz-kid");
  FUZZ_CHECK(key.WithKid("fuzz-kid").Thumbprint() == thumbprint);

  Result<std::string> public_jwk = key.PublicJwk(std::string("k1"));
  FUZZ_CHECK(public_jwk.ok() != secret);
  if (secret) FUZZ_CHECK(public_jwk.error().code() == ErrorCode::kKeyError);
  std::optional<Key> public_key;
  if (public_jwk) {
    public_key = LoadOne(*public_jwk, key);
    FUZZ_CHECK(!public_key->has_private() && public_key->kid() == "k1");
  }
  if (key.has_private()) {
    if (!secret) {
      Result<std::string> pem = key.PrivatePem();
      FUZZ_CHECK(pem.ok());
      FUZZ_CHECK(LoadOne(*pem, key).has_private());
    }
    Result<std::string> jwk = key.PrivateJwk();
    FUZZ_CHECK(jwk.ok());
    FUZZ_CHECK(LoadOne(*jwk, key).has_private());
    if (!algorithms.empty()) {
      const Algorithm alg = DefaultAlgorithm(key);
      FUZZ_CHECK(key.CanPerform(alg));
      CheckSignVerify(key, key, alg);
      if (public_key) CheckSignVerify(key, *public_key, alg);
    }
  }
}

void CheckSet(const std::vector<Key>& keys) {
  const JwkSet set(keys);
  FUZZ_CHECK(set.keys().size() == keys.size());
  bool any_secret = false;
  for (const Key& key : keys) {
    any_secret = any_secret || key.type() == KeyType::kOct;
    const std::string kid = key.kid().value_or("");
    for (const Key* candidate : set.Candidates(kid, key.kid().has_value())) {
      FUZZ_CHECK(candidate != nullptr);
    }
  }
  (void)set.Candidates("no-such-kid", true);
  (void)set.Candidates("", false);
  (void)set.Algorithms();
  Result<std::string> jwks = set.PublicJwks();
  FUZZ_CHECK(jwks.ok() != any_secret);
  if (!jwks) return;
  Result<LoadedKeys> again = LoadKeys(*jwks, KeyOrigin::kRemote);
  FUZZ_CHECK(again.ok() && again->keys.size() == keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    FUZZ_CHECK(again->keys[i].Thumbprint() == keys[i].Thumbprint());
    FUZZ_CHECK(again->keys[i].kid().has_value());
  }
}

}  // namespace
}  // namespace tock::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tock;
  using namespace tock::fuzz;
  const std::string_view input = View(data, size);
  for (KeyOrigin origin : {KeyOrigin::kLocal, KeyOrigin::kRemote}) {
    Result<LoadedKeys> loaded = LoadKeys(input, origin);
    if (!loaded) {
      FUZZ_CHECK(loaded.error().code() == ErrorCode::kKeyError);
      FUZZ_CHECK(!loaded.error().message().empty());
      continue;
    }
    FUZZ_CHECK(!loaded->keys.empty());
    for (const Key& key : loaded->keys) {
      FUZZ_CHECK(origin == KeyOrigin::kLocal || key.type() != KeyType::kOct);
      CheckKey(key);
    }
    for (const std::string& note : loaded->notes) FUZZ_CHECK(!note.empty());
    CheckSet(loaded->keys);
  }
  return 0;
}
