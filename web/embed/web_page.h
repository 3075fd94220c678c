// The decoder page of web/, embedded in the binary at build time
// (embed_assets.cmake): only the files' bytes and what describes them. The
// server routes and answers them (server/web_routes.h).
#ifndef TOCK_WEB_EMBED_WEB_PAGE_H_
#define TOCK_WEB_EMBED_WEB_PAGE_H_

#include <span>
#include <string_view>

namespace tock::web {

// WebAsset is one embedded file of web/.
struct WebAsset {
  std::string_view path;          // "/index.html", "/app.js", ...
  std::string_view content_type;  // from the file's extension
  std::string_view etag;          // quoted, from the file's SHA-256
  std::string_view body;
};

// WebAssets lists every embedded file (defined in the generated web_assets.cc).
std::span<const WebAsset> WebAssets();

}  // namespace tock::web

#endif  // TOCK_WEB_EMBED_WEB_PAGE_H_
