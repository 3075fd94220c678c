// The benchmarks' standard token, keys and policy (issue 6), shared by
// tock-bench, verify_loop and, through an exported directory, bench/compare's
// peers, so every implementation works on the very same bytes.
#ifndef TOCK_BENCH_FIXTURES_H_
#define TOCK_BENCH_FIXTURES_H_

#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tock/tock.h"

namespace tock::bench {

inline constexpr std::string_view kIssuer = "https://issuer.example.com";
inline constexpr std::string_view kSubject = "service-client-42";
inline constexpr std::string_view kAudience = "https://api.example.com";
inline constexpr std::string_view kScope = "read:data write:data";
// kJti is a fixed 22-character jti (128 bits, base64url) so every run signs
// the same bytes.
inline constexpr std::string_view kJti = "b3KpR1xZq9Tf0cWm4LhE2A";
// The token is valid from iat - 60 to iat + 3600; the benchmark clock reads
// iat + 30, inside that window.
inline constexpr UnixSeconds kNbfBackdate = 60;
inline constexpr UnixSeconds kTtl = 3600;
inline constexpr UnixSeconds kClockAfterIat = 30;

// EvpPkeyFree releases an EVP_PKEY held by a unique_ptr.
struct EvpPkeyFree {
  void operator()(EVP_PKEY* pkey) const;
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

// AlgFixture is everything one algorithm's benchmarks need.
struct AlgFixture {
  Algorithm alg = Algorithm::kHS256;
  std::string kid;                     // RFC 7638 thumbprint of the key, 43 characters
  std::string secret;                  // HS only: the 32-byte HMAC secret
  std::string private_pem;             // asymmetric only: PKCS#8 from Key::PrivatePem
  std::string public_pem;              // asymmetric only: SPKI, written by OpenSSL
  std::unique_ptr<Key> signing_key;    // private key (or secret) carrying kid
  std::unique_ptr<Key> verify_key;     // public key (or secret) carrying kid
  std::unique_ptr<Verifier> verifier;  // one key, the benchmark clock
  std::string token;                   // the standard token
  std::string signing_input;           // header.payload of |token|
  std::string signature;               // decoded third part of |token|
  EvpPkeyPtr ossl_private;             // the same key parsed by OpenSSL, for ceilings
  EvpPkeyPtr ossl_public;
};

// BenchAlgorithms lists the algorithms: HS256, RS256, PS256, ES256,
// ES384, EdDSA.
const std::vector<Algorithm>& BenchAlgorithms();

// InitFixtures builds the fixtures for |algs|. With a non-empty |dir|, keys
// and tokens found there (<ALG>.key, <ALG>.token, times) are reused and
// missing ones are generated and written there, together with the public
// PEMs and claims.json for the peers. Exits the process with a message on
// any failure: a benchmark on a broken fixture measures nothing.
void InitFixtures(const std::string& dir, const std::vector<Algorithm>& algs);

// Fixture returns the fixture of |alg|; InitFixtures must have built it.
const AlgFixture& Fixture(Algorithm alg);

// Times of the standard token and the benchmark clock.
UnixSeconds IssuedAt();
const Clock& BenchClock();

// StandardValidator checks iss, aud, exp and nbf with the default skew.
const Validator& StandardValidator();

// StandardBuilder returns a builder holding the standard claims and |kid|.
TokenBuilder StandardBuilder(std::string_view kid);

// Die prints |what| to stderr and exits with status 2.
[[noreturn]] void Die(const std::string& what);

// Base64UrlDecodeOrDie decodes unpadded base64url.
std::string Base64UrlDecodeOrDie(std::string_view text);

}  // namespace tock::bench

#endif  // TOCK_BENCH_FIXTURES_H_
