#include "internal/http_fetch.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>
#include <mutex>

namespace tock::internal {
namespace {

struct CurlFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

// Body collects the response, refusing to grow past the limit: the cap is
// enforced as bytes arrive, not after a huge body was buffered.
struct Body {
  std::string data;
  std::size_t max_bytes = 0;
  bool too_large = false;
  std::string cache_control;  // lower case, of the last response's fields
};

std::size_t Write(char* ptr, std::size_t size, std::size_t nmemb, void* userdata) {
  auto* body = static_cast<Body*>(userdata);
  const std::size_t n = size * nmemb;
  if (body->data.size() + n > body->max_bytes) {
    body->too_large = true;
    return 0;  // makes curl fail with CURLE_WRITE_ERROR
  }
  body->data.append(ptr, n);
  return n;
}

std::size_t Header(char* ptr, std::size_t size, std::size_t nmemb, void* userdata) {
  auto* body = static_cast<Body*>(userdata);
  const std::size_t n = size * nmemb;
  std::string line(ptr, n);
  std::transform(line.begin(), line.end(), line.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // A new status line (a redirect, 100 Continue) starts a new header block.
  if (line.rfind("http/", 0) == 0) body->cache_control.clear();
  if (line.rfind("cache-control:", 0) == 0 && body->cache_control.size() < 4096) {
    body->cache_control += line.substr(14);
    body->cache_control += ',';
  }
  return n;
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

Error NetworkError(const std::string& url, const std::string& reason) {
  return Error(ErrorCode::kNetworkError, "cannot fetch " + url + ": " + reason);
}

}  // namespace

std::optional<std::int64_t> ParseMaxAge(const std::string& value) {
  if (value.find("no-store") != std::string::npos || value.find("no-cache") != std::string::npos) {
    return std::nullopt;
  }
  std::size_t pos = 0;
  while ((pos = value.find("max-age", pos)) != std::string::npos) {
    const bool starts =
        pos == 0 || value[pos - 1] == ',' || value[pos - 1] == ' ' || value[pos - 1] == '\t';
    pos += 7;
    if (!starts) continue;  // s-maxage or another directive ending in max-age
    while (pos < value.size() && (value[pos] == ' ' || value[pos] == '=' || value[pos] == '"')) {
      ++pos;
    }
    std::int64_t seconds = 0;
    const auto [end, ec] =
        std::from_chars(value.data() + pos, value.data() + value.size(), seconds);
    if (ec == std::errc() && end != value.data() + pos && seconds >= 0) return seconds;
  }
  return std::nullopt;
}

Result<HttpBody> HttpGet(const std::string& url, double timeout_s, std::size_t max_bytes) {
  const bool https = StartsWithNoCase(url, "https://");
  if (!https && !StartsWithNoCase(url, "http://")) {
    return NetworkError(url, "only http:// and https:// URLs are allowed");
  }
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
  if (!curl) return NetworkError(url, "libcurl could not be initialised");

  Body body;
  body.max_bytes = max_bytes;
  char error[CURL_ERROR_SIZE] = {};
  // NaN and non-positive timeouts become 1 ms rather than "no timeout".
  const double seconds = timeout_s > 0.001 ? std::min(timeout_s, 86400.0) : 0.001;
  const long timeout_ms = static_cast<long>(seconds * 1000.0);
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  // A redirect may not leave http(s), nor downgrade https to http.
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, https ? "https" : "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // safe in threaded servers
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(max_bytes));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Write);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, Header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &body);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "tock");

  const CURLcode code = curl_easy_perform(c);
  if (body.too_large || code == CURLE_FILESIZE_EXCEEDED) {
    return NetworkError(
        url, "the response is larger than the " + std::to_string(max_bytes) + "-byte limit");
  }
  if (code != CURLE_OK) {
    return NetworkError(url, error[0] != '\0' ? std::string(error) : curl_easy_strerror(code));
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    return NetworkError(
        url, "the server answered HTTP " + std::to_string(status) + " (200 is required)");
  }
  return HttpBody{std::move(body.data), ParseMaxAge(body.cache_control)};
}

}  // namespace tock::internal
