// The decoder page over HTTP: GET / and each embedded file of web/, with
// the page's security headers and ETag revalidation.
#include "web_routes.h"

#include <string>

namespace tock::server {
namespace {

// Everything the page loads comes from this origin: no inline script or
// style (a pasted token is attacker-chosen text), no plugins, no <base>
// rewriting, no framing (clickjacking), no form posts elsewhere.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'none'";

// EtagMatches reads If-None-Match (RFC 9110 §13.1.2): "*" or a list of tags.
bool EtagMatches(std::string_view header, std::string_view etag) {
  if (header == "*") return true;
  while (!header.empty()) {
    std::size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.substr(0, 2) == "W/") item.remove_prefix(2);  // weak comparison
    if (item == etag) return true;
  }
  return false;
}

}  // namespace

Response ServeWebAsset(const web::WebAsset& asset, const Request& req) {
  bool fresh = EtagMatches(req.Header(http::field::if_none_match), asset.etag);
  Response res = MakeResponse(req, fresh ? http::status::not_modified : http::status::ok,
                              fresh ? "" : asset.content_type,
                              fresh ? std::string() : std::string(asset.body));
  res.set(http::field::etag, asset.etag);
  // no-cache: the browser keeps the file but asks (If-None-Match) each time,
  // so a new build's page is never mixed with an old build's modules.
  res.set(http::field::cache_control, "no-cache");
  res.set("Content-Security-Policy", kContentSecurityPolicy);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  res.set("Cross-Origin-Opener-Policy", "same-origin");
  res.set("X-Frame-Options", "DENY");
  return res;
}

void AddWebRoutes(Router& router) {
  for (const web::WebAsset& asset : web::WebAssets()) {
    const web::WebAsset* a = &asset;
    auto handler = [a](const Request& req) { return ServeWebAsset(*a, req); };
    router.Add(http::verb::get, std::string(asset.path), handler);
    if (asset.path == "/index.html") router.Add(http::verb::get, "/", handler);
  }
}

}  // namespace tock::server
