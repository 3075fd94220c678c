// FetchDocument (declared in tock/key_loader.h): an HTTP(S) GET with libcurl
// that also reads Cache-Control, for the server's remote JWKS cache.
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>
#include <string>

#include "tock/key_loader.h"

namespace tock {
namespace {

struct Transfer {
  std::string body;
  std::size_t max_bytes = 0;
  bool too_large = false;
  std::string cache_control;
};

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t n = size * count;
  if (t->body.size() + n > t->max_bytes) {
    t->too_large = true;
    return 0;  // Aborts the transfer: a key document has a bounded size.
  }
  t->body.append(data, n);
  return n;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t n = size * count;
  std::string line(data, n);
  std::string lower = line;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // A new status line (redirect, 100-continue) starts a new header block.
  if (lower.rfind("http/", 0) == 0) t->cache_control.clear();
  if (lower.rfind("cache-control:", 0) == 0 && t->cache_control.size() < 4096) {
    t->cache_control += lower.substr(14);
    t->cache_control += ",";
  }
  return n;
}

// MaxAge reads max-age=N from a Cache-Control value; no-store/no-cache win.
std::optional<std::int64_t> MaxAge(const std::string& value) {
  if (value.find("no-store") != std::string::npos || value.find("no-cache") != std::string::npos) {
    return std::nullopt;
  }
  std::size_t pos = 0;
  while ((pos = value.find("max-age", pos)) != std::string::npos) {
    bool starts =
        pos == 0 || value[pos - 1] == ',' || value[pos - 1] == ' ' || value[pos - 1] == '\t';
    pos += 7;
    if (!starts) continue;  // s-maxage or another directive ending in max-age.
    while (pos < value.size() && (value[pos] == ' ' || value[pos] == '=' || value[pos] == '"')) {
      ++pos;
    }
    std::int64_t seconds = 0;
    auto [end, ec] = std::from_chars(value.data() + pos, value.data() + value.size(), seconds);
    if (ec == std::errc() && end != value.data() + pos && seconds >= 0) return seconds;
  }
  return std::nullopt;
}

struct CurlFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

}  // namespace

Result<FetchedDocument> FetchDocument(const std::string& url, const FetchOptions& options) {
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
    return Error(ErrorCode::kUsage, "Cannot fetch \"" + url +
                                        "\": only http:// and https:// "
                                        "URLs are supported.");
  }
  static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  std::unique_ptr<CURL, CurlFree> curl(initialised ? curl_easy_init() : nullptr);
  if (!curl) return Error(ErrorCode::kNetworkError, "libcurl could not be initialised.");
  Transfer t;
  t.max_bytes = options.max_bytes;
  long timeout_ms = static_cast<long>(options.timeout_s * 1000.0);
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, std::max(timeout_ms, 1L));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, std::max(timeout_ms, 1L));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "tock");
  CURLcode rc = curl_easy_perform(c);
  if (t.too_large) {
    return Error(ErrorCode::kNetworkError, "The document at " + url + " is larger than " +
                                               std::to_string(options.max_bytes) + " bytes.");
  }
  if (rc != CURLE_OK) {
    return Error(ErrorCode::kNetworkError,
                 "Fetching " + url + " failed: " + curl_easy_strerror(rc) + ".");
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    return Error(ErrorCode::kNetworkError,
                 "Fetching " + url + " answered HTTP " + std::to_string(status) + ", not 200.");
  }
  return FetchedDocument{std::move(t.body), MaxAge(t.cache_control)};
}

}  // namespace tock
