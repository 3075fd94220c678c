// The one bounded HTTP(S) GET over libcurl: JWKS documents, discovery
// documents and the server's remote JWKS cache all come through it.
#ifndef TOCK_INTERNAL_HTTP_FETCH_H_
#define TOCK_INTERNAL_HTTP_FETCH_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "tock/http_transport.h"
#include "tock/result.h"

namespace tock::internal {

// HttpBody is a 200 response's body and its Cache-Control max-age in
// seconds, when it had one and no no-store/no-cache (RFC 9111 §5.2.2.1).
struct HttpBody {
  std::string body;
  std::optional<std::int64_t> max_age_s;
};

// HttpGet fetches |url| (http:// or https:// only; TLS verified against the
// system CA store; redirects followed only to http/https, and never from
// https down to http) within |timeout_s| seconds. The body is returned only
// for status 200 and only when it is at most |max_bytes| long. kNetworkError
// naming the URL and the reason otherwise (a non-http scheme included).
Result<HttpBody> HttpGet(const std::string& url, double timeout_s, std::size_t max_bytes);

// HttpGet through |transport| (the request sets follow_redirects): the same
// rules and failures, for callers that inject their transport (JwksCache).
Result<HttpBody> HttpGet(HttpTransport& transport, const std::string& url, double timeout_s,
                         std::size_t max_bytes);

// ParseMaxAge reads max-age=N from a Cache-Control value (lower case, the
// values of several fields joined by ','); nullopt when absent or when
// no-store / no-cache forbid caching.
std::optional<std::int64_t> ParseMaxAge(const std::string& cache_control);

}  // namespace tock::internal

#endif  // TOCK_INTERNAL_HTTP_FETCH_H_
