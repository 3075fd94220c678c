// The request layer of `tock audit` and `tock probe`: send one bearer token
// ("Bearer TOKEN" in a chosen header, with the user's method and extra
// headers) to one URL and nowhere else (no redirects), within a rate and a
// request cap, and say what the URL answered and how long it took. Both
// commands share the flags that shape the request (BearerFlags).
#ifndef TOCK_CLI_COMMON_BEARER_REQUEST_H_
#define TOCK_CLI_COMMON_BEARER_REQUEST_H_

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tock/http_transport.h"
#include "tock/result.h"

namespace tock::cli {

// AcceptSet is --accept: status codes ("200,204") and classes ("2xx").
class AcceptSet {
 public:
  static Result<AcceptSet> Parse(std::string_view text);
  bool Contains(long status) const;

 private:
  std::vector<long> codes_;
  std::vector<long> classes_;  // 2 for "2xx"
};

// ParseHeaderOption reads --header 'Name: value'; kUsage when malformed.
Result<std::pair<std::string, std::string>> ParseHeaderOption(std::string_view text);

// BearerRequest is how every token is sent.
struct BearerRequest {
  std::string url;
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;  // --header
  std::string bearer_header = "Authorization";
  AcceptSet accept;
  double rate_per_s = 0;  // 0: no pause between requests
  int max_requests = 200;
  double timeout_s = 10;
  // Bodies are dropped as they arrive (a validator is judged by its status);
  // one over this size ends the transfer, the status still counts.
  std::size_t max_body_bytes = 1u << 20;
  std::string user_agent;  // empty: no User-Agent header
};

// BearerAnswer is what the URL said: a status, or none (transport_error).
struct BearerAnswer {
  std::optional<int> status;
  std::string www_authenticate;  // all challenges, ", "-joined, capped
  std::string transport_error;
  double rtt_ms = 0;  // the transport's total time of the exchange
};

// BearerClient sends tokens one at a time through the library's transport
// (tock::MakeCurlTransport by default: no redirects, connections reused, so
// a round trip is the validator's rather than a handshake's), never faster
// than the rate and never more than the cap. Not thread-safe: one command,
// one client.
class BearerClient {
 public:
  explicit BearerClient(BearerRequest request,
                        std::shared_ptr<HttpTransport> transport = MakeCurlTransport());

  // Send waits for the rate, then sends |token|; nullopt (nothing sent) when
  // the request cap is reached.
  std::optional<BearerAnswer> Send(std::string_view token);
  bool Accepted(int status) const { return request_.accept.Contains(status); }
  int sent() const { return sent_; }
  const BearerRequest& request() const { return request_; }

 private:
  BearerRequest request_;
  std::shared_ptr<HttpTransport> transport_;
  int sent_ = 0;
  std::optional<std::chrono::steady_clock::time_point> last_start_;
};

// BearerFlags are the request-shaping flags audit and probe share:
// --method, --header, --bearer-header, --accept, --rate.
struct BearerFlags {
  std::string method = "GET";
  std::vector<std::string> headers;
  std::string bearer_header = "Authorization";
  std::string accept = "2xx";
  double rate = 10;

  void Register(CLI::App& app);
  // ToRequest checks the flags and |url| (http:// or https://; kUsage) and fills the request's
  // url, method, headers, bearer header, accept set and rate.
  Result<BearerRequest> ToRequest(const std::string& url) const;
};

}  // namespace tock::cli

#endif  // TOCK_CLI_COMMON_BEARER_REQUEST_H_
