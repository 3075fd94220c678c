#include "common/bearer_request.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <thread>

#include "common/options.h"
#include "render/escape.h"

namespace tock::cli {
namespace {

constexpr std::size_t kMaxChallengeBytes = 1024;

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool HasPrefixNoCase(std::string_view text, std::string_view lower_prefix) {
  if (text.size() < lower_prefix.size()) return false;
  for (std::size_t i = 0; i < lower_prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != lower_prefix[i]) return false;
  }
  return true;
}

// Challenges joins every WWW-Authenticate of the response, capped: it is
// quoted in messages, and a hostile server may send a lot of it.
std::string Challenges(const HttpHeaders& headers) {
  std::string joined;
  for (const auto& [name, value] : headers) {
    if (name.size() != 16 || !HasPrefixNoCase(name, "www-authenticate")) continue;
    if (!joined.empty()) joined += ", ";
    joined += value;
    if (joined.size() > kMaxChallengeBytes) {
      joined.resize(kMaxChallengeBytes);
      break;
    }
  }
  return joined;
}

HttpRequest MakeHttpRequest(const BearerRequest& request, std::string_view token) {
  HttpRequest http;
  http.method = request.method;
  http.url = request.url;
  http.headers = request.headers;
  http.headers.emplace_back(request.bearer_header, "Bearer " + std::string(token));
  http.timeout_s = request.timeout_s;
  http.max_response_bytes = request.max_body_bytes;
  http.discard_body = true;  // a validator is judged by its status
  http.user_agent = request.user_agent;
  return http;
}

}  // namespace

Result<AcceptSet> AcceptSet::Parse(std::string_view text) {
  AcceptSet set;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    const std::string_view item = TrimSpace(text.substr(start, comma - start));
    long value = 0;
    const bool is_class = item.size() == 3 && (item.substr(1) == "xx" || item.substr(1) == "XX");
    const std::string_view digits = is_class ? item.substr(0, 1) : item;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    const bool valid = !digits.empty() && ec == std::errc() && end == digits.data() + digits.size();
    if (!valid || (is_class && (value < 1 || value > 5)) ||
        (!is_class && (value < 100 || value > 599))) {
      return UsageError("--accept: \"" + std::string(item) +
                        "\" is not a status code (100-599) or class (2xx).");
    }
    (is_class ? set.classes_ : set.codes_).push_back(value);
    start = comma + 1;
  }
  return set;
}

bool AcceptSet::Contains(long status) const {
  return std::find(codes_.begin(), codes_.end(), status) != codes_.end() ||
         std::find(classes_.begin(), classes_.end(), status / 100) != classes_.end();
}

Result<std::pair<std::string, std::string>> ParseHeaderOption(std::string_view text) {
  const std::size_t colon = text.find(':');
  const std::string_view name =
      colon == std::string_view::npos ? "" : TrimSpace(text.substr(0, colon));
  const bool bad_name =
      name.empty() || std::any_of(name.begin(), name.end(), [](char ch) {
        return std::isspace(static_cast<unsigned char>(ch)) || ch < 0x21 || ch > 0x7e;
      });
  const bool bad_value = text.find_first_of("\r\n") != std::string_view::npos;
  if (bad_name || bad_value) {
    return UsageError("--header: expected 'Name: value', not \"" + EscapeControls(text) + "\".");
  }
  return std::make_pair(std::string(name), std::string(TrimSpace(text.substr(colon + 1))));
}

BearerClient::BearerClient(BearerRequest request, std::shared_ptr<HttpTransport> transport)
    : request_(std::move(request)), transport_(std::move(transport)) {}

std::optional<BearerAnswer> BearerClient::Send(std::string_view token) {
  if (sent_ >= request_.max_requests) return std::nullopt;
  if (last_start_ && request_.rate_per_s > 0) {
    auto gap = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(1.0 / request_.rate_per_s));
    std::this_thread::sleep_until(*last_start_ + gap);
  }
  last_start_ = std::chrono::steady_clock::now();
  ++sent_;
  Result<HttpResponse> response = transport_->Send(MakeHttpRequest(request_, token));
  if (!response.ok()) return BearerAnswer{std::nullopt, "", response.error().message()};
  return BearerAnswer{response->status, Challenges(response->headers), "", response->total_ms};
}
void BearerFlags::Register(CLI::App& app) {
  app.add_option("--method", method, "HTTP method of every request")->capture_default_str();
  app.add_option("--header", headers, "Extra request header; repeatable")
      ->type_name("'Name: value'")
      ->allow_extra_args(false);
  app.add_option("--bearer-header", bearer_header, "Header that carries 'Bearer TOKEN'")
      ->type_name("NAME")
      ->capture_default_str();
  app.add_option("--accept", accept, "Statuses that mean accepted, e.g. 200,204 or 2xx")
      ->type_name("CODES")
      ->capture_default_str();
  app.add_option("--rate", rate, "Requests per second at most")
      ->type_name("N")
      ->capture_default_str();
}

Result<BearerRequest> BearerFlags::ToRequest(const std::string& url) const {
  BearerRequest request;
  if (!HasPrefixNoCase(url, "http://") && !HasPrefixNoCase(url, "https://")) {
    return UsageError("URL must be http:// or https://, not \"" + EscapeControls(url) + "\".");
  }
  request.url = url;
  if (method.empty() || method.find_first_of(" \t\r\n") != std::string::npos) {
    return UsageError("--method: \"" + EscapeControls(method) + "\" is not an HTTP method.");
  }
  request.method = method;
  for (const std::string& h : headers) {
    Result<std::pair<std::string, std::string>> header = ParseHeaderOption(h);
    if (!header.ok()) return std::move(header).error();
    request.headers.push_back(std::move(*header));
  }
  if (bearer_header.empty() || bearer_header.find_first_of(" \t\r\n:") != std::string::npos) {
    return UsageError("--bearer-header: \"" + EscapeControls(bearer_header) +
                      "\" is not a header name.");
  }
  request.bearer_header = bearer_header;
  Result<AcceptSet> parsed = AcceptSet::Parse(accept);
  if (!parsed.ok()) return std::move(parsed).error();
  request.accept = std::move(*parsed);
  if (!(rate > 0) || !std::isfinite(rate)) {
    return UsageError("--rate must be a positive number of requests per second.");
  }
  request.rate_per_s = rate;
  return request;
}

}  // namespace tock::cli
