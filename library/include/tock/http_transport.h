// HttpTransport: the one HTTP exchange tock::TokenSource needs, behind an
// interface so that tests (and programs with their own HTTP stack) can
// substitute it. MakeCurlTransport is the libcurl implementation.
#ifndef TOCK_HTTP_TRANSPORT_H_
#define TOCK_HTTP_TRANSPORT_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tock/result.h"

namespace tock {

// HttpHeaders are name/value pairs in the order sent or received.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// HttpRequest is one request: a method ("GET", "POST", "HEAD", or another
// verb, sent with the body), an absolute URL, headers (Content-Type included
// when there is a body) and the body.
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  HttpHeaders headers;
  std::string body;
  double timeout_s = 10.0;
  std::size_t max_response_bytes = 1 << 20;
  // discard_body: only the status and headers are wanted (a validator judged
  // by its status). The body is counted, not kept; one over
  // max_response_bytes ends the transfer, and a status that arrived is the
  // answer even when the transfer then failed (a server that answers and
  // resets the connection).
  bool discard_body = false;
  std::string user_agent = "tock";  // empty: no User-Agent header
  // follow_redirects: a GET of a public document (a JWKS, a discovery
  // document) may follow up to 5 redirects, only to http/https and never
  // from https down to http. Never set it on a request with credentials.
  bool follow_redirects = false;
};

// HttpResponse is the final response: status, headers, body.
struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;
  double total_ms = 0;  // the whole exchange, as the transport measured it

  // Header returns the first header named |name| (case-insensitive).
  std::optional<std::string> Header(std::string_view name) const;
};

// HttpTransport sends one request and returns the response, whatever its
// status. Implementations must never follow redirects unless the request
// sets follow_redirects (a 3xx is returned as is: a token request carries
// credentials) and must be safe to call from
// several threads at once. kNetworkError on a transport failure (no
// connection, timeout, TLS failure, a body over max_response_bytes).
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

// MakeCurlTransport returns the libcurl transport: http and https only, TLS
// verified against the system CA store, no redirects. It keeps a few idle
// connections open for reuse, so total_ms of a repeated request to one host
// is the server's round trip rather than a TCP (and TLS) handshake's.
std::shared_ptr<HttpTransport> MakeCurlTransport();

}  // namespace tock

#endif  // TOCK_HTTP_TRANSPORT_H_
