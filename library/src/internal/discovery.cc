#include "internal/discovery.h"

#include <optional>

#include "internal/json.h"

namespace tock::internal {

std::string DiscoveryUrl(const std::string& issuer) {
  std::string base = issuer;
  if (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/.well-known/openid-configuration";
}

Result<std::string> JwksUriOf(const std::string& issuer, const std::string& url,
                              std::string_view body) {
  auto doc = ParseJsonObject(body);
  if (!doc.ok()) {
    return Error(ErrorCode::kKeyError,
                 "discovery document at " + url + ": " + doc.error().message());
  }
  const std::optional<std::string_view> found = FindString(*doc, "issuer");
  if (!found || *found != issuer) {
    return Error(ErrorCode::kKeyError, "discovery document at " + url + " names issuer \"" +
                                           std::string(found.value_or("")) + "\", not \"" + issuer +
                                           "\".");
  }
  const std::optional<std::string_view> jwks_uri = FindString(*doc, "jwks_uri");
  if (!jwks_uri || jwks_uri->empty()) {
    return Error(ErrorCode::kKeyError,
                 "discovery document at " + url + " has no \"jwks_uri\" string.");
  }
  return std::string(*jwks_uri);
}

}  // namespace tock::internal
