#include "common/bearer_request.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <mutex>
#include <thread>

#include "common/options.h"
#include "render/escape.h"

namespace tock::cli {
namespace {

constexpr std::size_t kMaxChallengeBytes = 1024;

struct Collected {
  std::size_t max_body_bytes = 0;
  std::size_t body_bytes = 0;
  std::string www_authenticate;
};

std::size_t DropBody(char*, std::size_t size, std::size_t nmemb, void* userdata) {
  auto* c = static_cast<Collected*>(userdata);
  c->body_bytes += size * nmemb;
  return c->body_bytes > c->max_body_bytes ? 0 : size * nmemb;
}

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

std::size_t KeepChallenge(char* ptr, std::size_t size, std::size_t nmemb, void* userdata) {
  auto* c = static_cast<Collected*>(userdata);
  const std::string_view line(ptr, size * nmemb);
  if (HasPrefixNoCase(line, "http/")) c->www_authenticate.clear();  // a new response
  if (HasPrefixNoCase(line, "www-authenticate:")) {
    if (!c->www_authenticate.empty()) c->www_authenticate += ", ";
    c->www_authenticate += TrimSpace(line.substr(17));
    if (c->www_authenticate.size() > kMaxChallengeBytes) {
      c->www_authenticate.resize(kMaxChallengeBytes);
    }
  }
  return size * nmemb;
}

void ApplyMethod(CURL* c, const std::string& method) {
  if (method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else {
    // An empty body, sent with Content-Length: 0, under the given verb.
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
}

BearerAnswer Perform(CURL* c, const BearerRequest& request, std::string_view token) {
  curl_easy_reset(c);  // keeps the connection cache
  Collected collected;
  collected.max_body_bytes = request.max_body_bytes;
  char error[CURL_ERROR_SIZE] = {};
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
  }
  headers = curl_slist_append(headers,
                              (request.bearer_header + ": Bearer " + std::string(token)).c_str());
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // never carry a token elsewhere
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_s * 1000));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, DropBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &collected);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, KeepChallenge);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &collected);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  if (!request.user_agent.empty()) {
    curl_easy_setopt(c, CURLOPT_USERAGENT, request.user_agent.c_str());
  }
  ApplyMethod(c, request.method);
  const CURLcode code = curl_easy_perform(c);
  curl_slist_free_all(headers);
  long status = 0;
  curl_off_t total_us = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(c, CURLINFO_TOTAL_TIME_T, &total_us);
  // A status that arrived is the answer, even when the transfer then failed:
  // a body cut off at max_body_bytes, or a server that answers 431 to a
  // 64 KiB header and resets the connection with the rest unread (node does).
  if (code != CURLE_OK && status == 0) {
    return BearerAnswer{std::nullopt, "",
                        error[0] != '\0' ? std::string(error) : curl_easy_strerror(code)};
  }
  return BearerAnswer{static_cast<int>(status), collected.www_authenticate, "",
                      static_cast<double>(total_us) / 1000.0};
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

Result<std::unique_ptr<BearerClient>> BearerClient::Make(BearerRequest request) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<BearerClient> client(new BearerClient(std::move(request)));
  client->curl_ = curl_easy_init();
  if (client->curl_ == nullptr) {
    return Error(ErrorCode::kNetworkError, "libcurl could not be initialised");
  }
  return client;
}

BearerClient::~BearerClient() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

std::optional<BearerAnswer> BearerClient::Send(std::string_view token) {
  if (sent_ >= request_.max_requests) return std::nullopt;
  if (last_start_ && request_.rate_per_s > 0) {
    auto gap = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(1.0 / request_.rate_per_s));
    std::this_thread::sleep_until(*last_start_ + gap);
  }
  last_start_ = std::chrono::steady_clock::now();
  ++sent_;
  return Perform(static_cast<CURL*>(curl_), request_, token);
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
