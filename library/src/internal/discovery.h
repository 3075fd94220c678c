// The jwks_uri of an issuer's metadata (OpenID Connect Discovery 1.0 §4;
// RFC 8414 names the member the same way), shared by tock::DiscoverJwksUri
// (libcurl) and the JwksCache's discovery fetcher (any HttpTransport).
#ifndef TOCK_INTERNAL_DISCOVERY_H_
#define TOCK_INTERNAL_DISCOVERY_H_

#include <string>
#include <string_view>

#include "tock/result.h"

namespace tock::internal {

// DiscoveryUrl is {issuer}/.well-known/openid-configuration, a trailing '/'
// of |issuer| removed first.
std::string DiscoveryUrl(const std::string& issuer);

// JwksUriOf reads "jwks_uri" from the discovery document |body| fetched from
// |url|. Its "issuer" must equal |issuer| exactly (§4.3: a document for
// another issuer would let it mix up keys). kKeyError naming |url| when the
// document is not JSON, names another issuer, or has no string jwks_uri.
Result<std::string> JwksUriOf(const std::string& issuer, const std::string& url,
                              std::string_view body);

}  // namespace tock::internal

#endif  // TOCK_INTERNAL_DISCOVERY_H_
