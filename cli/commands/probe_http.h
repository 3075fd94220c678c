// The HTTP side of `tock probe`: one request per probe token to the URL and
// nowhere else (no redirects followed), the answer classified by --accept.
#ifndef TOCK_CLI_COMMANDS_PROBE_HTTP_H_
#define TOCK_CLI_COMMANDS_PROBE_HTTP_H_

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "commands/probe_search.h"
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

struct ProbeRequest {
  std::string url;
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;  // --header
  std::string bearer_header = "Authorization";
  AcceptSet accept;
  double timeout_s = 10;
};

// ParseHeaderOption reads --header 'Name: value'; kUsage when malformed.
Result<std::pair<std::string, std::string>> ParseHeaderOption(std::string_view text);

// HttpProber sends probe requests over one libcurl handle (connections are
// reused, so the round trip is the validator's, not a TCP handshake's).
class HttpProber {
 public:
  static Result<std::unique_ptr<HttpProber>> Make(ProbeRequest request);
  ~HttpProber();
  HttpProber(const HttpProber&) = delete;
  HttpProber& operator=(const HttpProber&) = delete;

  // Send sends |token| as "Bearer TOKEN" in the bearer header. 429 and 5xx
  // are kProbeError (the probe stops), a failed request kNetworkError.
  Result<ProbeAnswer> Send(const std::string& token);

 private:
  explicit HttpProber(ProbeRequest request) : request_(std::move(request)) {}
  ProbeRequest request_;
  void* curl_ = nullptr;
};

}  // namespace tock::cli

#endif  // TOCK_CLI_COMMANDS_PROBE_HTTP_H_
