// The library's one libcurl exchange: tock::MakeCurlTransport (no redirects)
// and internal::HttpGet (JWKS and discovery documents, redirects followed)
// both send through CurlSend, so libcurl is set up in one place.
#ifndef TOCK_INTERNAL_CURL_SEND_H_
#define TOCK_INTERNAL_CURL_SEND_H_

#include <string_view>

#include "tock/http_transport.h"

namespace tock::internal {

// CurlPolicy is what differs between the callers.
struct CurlPolicy {
  // Follow up to 5 redirects, only to http/https and never from https down
  // to http. Off for requests that carry credentials.
  bool follow_redirects = false;
  // Start of every kNetworkError message, followed by "URL: reason".
  std::string_view failure_prefix = "cannot reach ";
};

// CurlSend sends |request| on a fresh libcurl handle, with TLS verified
// against the system CA store; kNetworkError (prefixed as |policy| says) on
// a transport failure or a body over max_response_bytes.
Result<HttpResponse> CurlSend(const HttpRequest& request, const CurlPolicy& policy);

}  // namespace tock::internal

#endif  // TOCK_INTERNAL_CURL_SEND_H_
