// Loading keys from PEM, DER, JWK and JWKS content, detected from the bytes.
#ifndef TOCK_KEY_LOADER_H_
#define TOCK_KEY_LOADER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tock/key.h"
#include "tock/result.h"

namespace tock {

// KeyOrigin says where key content came from. Keys published at a URL can
// never be HMAC secrets: `oct` members of a remote JWKS are ignored.
enum class KeyOrigin { kLocal, kRemote };

// LoadedKeys is what a key source gave: its usable keys, and one note per
// member that was skipped (RSA under 2048 bits, "use": "enc", unknown kty or
// crv, remote oct) for the caller to show on stderr.
struct LoadedKeys {
  std::vector<Key> keys;
  std::vector<std::string> notes;
};

// kMaxUntrustedRsaBits bounds RSA keys that arrive from the network: a
// larger modulus only makes every verification slower.
inline constexpr int kMaxUntrustedRsaBits = 4096;

// KeyLoadOptions say how far the source of key content is trusted.
struct KeyLoadOptions {
  KeyOrigin origin = KeyOrigin::kLocal;
  // untrusted: the content is attacker-chosen (a request body). Private
  // material (PEM, DER or JWK) is reduced to its public half without any
  // pairwise or primality check, which costs seconds for a large RSA key, so
  // the loaded keys can verify but never sign; oct secrets stay usable. An
  // RSA key over max_rsa_bits fails the whole load with kTooLarge.
  bool untrusted = false;
  int max_rsa_bits = kMaxUntrustedRsaBits;  // applies only when untrusted

  // Untrusted returns the options for key content from a request.
  static KeyLoadOptions Untrusted() {
    KeyLoadOptions options;
    options.untrusted = true;
    return options;
  }
};

// LoadKeys parses |content|: PEM (SPKI, PKCS#8, PKCS#1, SEC1, X.509
// certificate; several blocks allowed), DER, a JWK object or a JWKS document,
// detected from the content. Fails with kKeyError when nothing usable is in
// it: a single key that is unusable fails with that key's reason, a set
// fails only when no member is usable.
// Keys from config files and the CLI (KeyOrigin only) get the full checks:
// a private key must match its public half.
Result<LoadedKeys> LoadKeys(std::string_view content, KeyOrigin origin = KeyOrigin::kLocal);
Result<LoadedKeys> LoadKeys(std::string_view content, const KeyLoadOptions& options);

// LoadKeyFile reads |path| and calls LoadKeys. kIoError when unreadable or
// over kMaxKeyDocumentBytes; a kKeyError message starts with the path. The
// notes are LoadKeys' own: the caller prefixes them with the source.
Result<LoadedKeys> LoadKeyFile(const std::string& path);

// FetchOptions bound a key fetch over HTTP(S).
struct FetchOptions {
  double timeout_s = 5.0;
  std::size_t max_bytes = 1 << 20;
};

// FetchJwks downloads a JWKS from an http:// or https:// URL (TLS verified
// against the system CA store) and loads it with KeyOrigin::kRemote.
// kNetworkError on transport failure or an HTTP status other than 200,
// kKeyError (naming the URL) when the body holds no usable key. Redirects are
// followed only to http(s), never from https down to http.
Result<LoadedKeys> FetchJwks(const std::string& url, const FetchOptions& options = {});

// FetchedDocument is a body fetched over HTTP(S) with the response's
// Cache-Control max-age in seconds, when it had one (and no no-store/no-cache).
struct FetchedDocument {
  std::string body;
  std::optional<std::int64_t> max_age_s;
};

// FetchDocument downloads |url| and returns the body (status 200 only) with
// the response's Cache-Control max-age, for JWKS caches (RFC 9111 §5.2.2.1).
// kNetworkError on transport failure or another status.
Result<FetchedDocument> FetchDocument(const std::string& url, const FetchOptions& options = {});

// DiscoverJwksUri fetches {issuer}/.well-known/openid-configuration (OpenID
// Connect Discovery 1.0 §4; a trailing '/' of |issuer| removed first) and
// returns its "jwks_uri". The document's "issuer" must equal |issuer| exactly
// (§4.3: a document for another issuer would let it mix up keys).
// kNetworkError as FetchDocument; kKeyError naming the URL when the document is
// not JSON, names another issuer, or has no string jwks_uri.
Result<std::string> DiscoverJwksUri(const std::string& issuer, const FetchOptions& options = {});

}  // namespace tock

#endif  // TOCK_KEY_LOADER_H_
