#include "internal/http_fetch.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "internal/curl_send.h"

namespace tock::internal {
namespace {

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

// CacheControl joins the response's Cache-Control values, lower case, each
// followed by ',' (as ParseMaxAge reads them), capped.
std::string CacheControl(const HttpHeaders& headers) {
  std::string joined;
  for (const auto& [name, value] : headers) {
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower != "cache-control") continue;
    if (joined.size() >= 4096) break;
    for (char c : value) joined += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    joined += ',';
  }
  return joined;
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

namespace {

// DocumentRequest is the GET of a public document, or kNetworkError for a
// URL that is not http(s).
Result<HttpRequest> DocumentRequest(const std::string& url, double timeout_s,
                                    std::size_t max_bytes) {
  if (!StartsWithNoCase(url, "https://") && !StartsWithNoCase(url, "http://")) {
    return Error(ErrorCode::kNetworkError,
                 "cannot fetch " + url + ": only http:// and https:// URLs are allowed");
  }
  HttpRequest request;
  request.url = url;
  request.timeout_s = timeout_s;
  request.max_response_bytes = max_bytes;
  request.follow_redirects = true;
  return request;
}

Result<HttpBody> DocumentBody(const std::string& url, Result<HttpResponse> response) {
  if (!response.ok()) return std::move(response).error();
  if (response->status != 200) {
    return Error(ErrorCode::kNetworkError, "cannot fetch " + url + ": the server answered HTTP " +
                                               std::to_string(response->status) +
                                               " (200 is required)");
  }
  return HttpBody{std::move(response->body), ParseMaxAge(CacheControl(response->headers))};
}

}  // namespace

Result<HttpBody> HttpGet(const std::string& url, double timeout_s, std::size_t max_bytes) {
  Result<HttpRequest> request = DocumentRequest(url, timeout_s, max_bytes);
  if (!request.ok()) return std::move(request).error();
  return DocumentBody(url,
                      CurlSend(*request, CurlPolicy{/*follow_redirects=*/true, "cannot fetch "}));
}

Result<HttpBody> HttpGet(HttpTransport& transport, const std::string& url, double timeout_s,
                         std::size_t max_bytes) {
  Result<HttpRequest> request = DocumentRequest(url, timeout_s, max_bytes);
  if (!request.ok()) return std::move(request).error();
  return DocumentBody(url, transport.Send(*request));
}

}  // namespace tock::internal
