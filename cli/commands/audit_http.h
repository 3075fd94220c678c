// The audit's request layer: send one bearer token to the audited URL, within
// the request cap and the rate. Kept apart from the attack catalogue so that
// it can be folded together with `tock probe`'s identical needs (--method,
// --header, --bearer-header, --accept, --rate, a request cap).
#ifndef TOCK_CLI_COMMANDS_AUDIT_HTTP_H_
#define TOCK_CLI_COMMANDS_AUDIT_HTTP_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tock/result.h"

namespace tock::cli::audit {

// StatusRange is an inclusive range of HTTP statuses ("204" or "2xx").
struct StatusRange {
  int low = 0;
  int high = 0;
};

// ParseAccept reads --accept: comma-separated codes or classes ("200,204",
// "2xx"). kUsage on anything else.
Result<std::vector<StatusRange>> ParseAccept(std::string_view text);

// BearerRequest is how every token is sent.
struct BearerRequest {
  std::string url;
  std::string method = "GET";
  std::vector<std::string> headers;  // "Name: value", sent as given
  std::string bearer_header = "Authorization";
  std::vector<StatusRange> accept = {{200, 299}};
  double rate_per_s = 10;
  int max_requests = 200;
  double timeout_s = 10;
};

// Answer is what the URL said: a status, or no answer (transport_error).
struct Answer {
  std::optional<int> status;
  std::string www_authenticate;
  std::string transport_error;
};

// BearerClient sends tokens one at a time, never faster than the rate and
// never more than the cap. Not thread-safe: one audit, one client.
class BearerClient {
 public:
  explicit BearerClient(BearerRequest request);
  // Send waits for the rate, then sends |token|; nullopt (nothing sent) when
  // the request cap is reached.
  std::optional<Answer> Send(std::string_view token);
  bool Accepted(int status) const;
  int sent() const { return sent_; }
  int remaining() const { return request_.max_requests - sent_; }
  const BearerRequest& request() const { return request_; }

 private:
  BearerRequest request_;
  int sent_ = 0;
  std::optional<std::chrono::steady_clock::time_point> last_start_;
};

}  // namespace tock::cli::audit

#endif  // TOCK_CLI_COMMANDS_AUDIT_HTTP_H_
