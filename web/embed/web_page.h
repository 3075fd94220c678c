// The decoder page of web/, embedded in the binary at build time
// (embed_assets.cmake) and served by `tock serve` at GET /.
#ifndef TOCK_WEB_EMBED_WEB_PAGE_H_
#define TOCK_WEB_EMBED_WEB_PAGE_H_

#include <span>
#include <string_view>

#include "http/router.h"

namespace tock::server {

// WebAsset is one embedded file of web/.
struct WebAsset {
  std::string_view path;          // "/index.html", "/app.js", ...
  std::string_view content_type;  // from the file's extension
  std::string_view etag;          // quoted, from the file's SHA-256
  std::string_view body;
};

// WebAssets lists every embedded file (defined in the generated web_assets.cc).
std::span<const WebAsset> WebAssets();

// ServeWebAsset answers |req| with |asset|: its type, a strict
// Content-Security-Policy, nosniff, ETag with no-cache, 304 on If-None-Match.
Response ServeWebAsset(const WebAsset& asset, const Request& req);

// AddWebRoutes routes GET / to index.html and GET /NAME to each file.
void AddWebRoutes(Router& router);

}  // namespace tock::server

#endif  // TOCK_WEB_EMBED_WEB_PAGE_H_
