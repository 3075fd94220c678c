// A bounded HTTP(S) GET over libcurl, for fetching JWKS documents.
#ifndef TOCK_INTERNAL_HTTP_FETCH_H_
#define TOCK_INTERNAL_HTTP_FETCH_H_

#include <cstddef>
#include <string>

#include "tock/result.h"

namespace tock::internal {

// HttpGet fetches |url| (http:// or https:// only; TLS verified against the
// system CA store; redirects followed only to http/https, and never from
// https down to http) within |timeout_s| seconds. The body is returned only
// for status 200 and only when it is at most |max_bytes| long. kNetworkError
// naming the URL and the reason otherwise.
Result<std::string> HttpGet(const std::string& url, double timeout_s, std::size_t max_bytes);

}  // namespace tock::internal

#endif  // TOCK_INTERNAL_HTTP_FETCH_H_
