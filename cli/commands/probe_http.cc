#include "commands/probe_http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <mutex>

#include "common/options.h"

namespace tock::cli {
namespace {

// Answers are read for their status and WWW-Authenticate only: a body is
// dropped as it arrives, and one over this size ends the request.
constexpr std::size_t kMaxBodyBytes = 1u << 20;
constexpr std::size_t kMaxChallengeBytes = 1024;

struct Collected {
  std::size_t body_bytes = 0;
  std::string www_authenticate;
};

std::size_t DropBody(char*, std::size_t size, std::size_t nmemb, void* userdata) {
  auto* c = static_cast<Collected*>(userdata);
  c->body_bytes += size * nmemb;
  return c->body_bytes > kMaxBodyBytes ? 0 : size * nmemb;
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

std::string Describe(long status, const std::string& challenge) {
  std::string text = "HTTP " + std::to_string(status);
  text += challenge.empty() ? " (no WWW-Authenticate)" : ", WWW-Authenticate: " + challenge;
  return text;
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
    return UsageError("--header: expected 'Name: value', not \"" + std::string(text) + "\".");
  }
  return std::make_pair(std::string(name), std::string(TrimSpace(text.substr(colon + 1))));
}

Result<std::unique_ptr<HttpProber>> HttpProber::Make(ProbeRequest request) {
  if (!HasPrefixNoCase(request.url, "http://") && !HasPrefixNoCase(request.url, "https://")) {
    return UsageError("URL must be http:// or https://, not \"" + request.url + "\".");
  }
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<HttpProber> prober(new HttpProber(std::move(request)));
  prober->curl_ = curl_easy_init();
  if (prober->curl_ == nullptr) {
    return Error(ErrorCode::kNetworkError, "libcurl could not be initialised");
  }
  return prober;
}

HttpProber::~HttpProber() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

Result<ProbeAnswer> HttpProber::Send(const std::string& token) {
  CURL* c = static_cast<CURL*>(curl_);
  curl_easy_reset(c);  // keeps the connection cache
  Collected collected;
  char error[CURL_ERROR_SIZE] = {};
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request_.headers) {
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
  }
  headers = curl_slist_append(headers, (request_.bearer_header + ": Bearer " + token).c_str());
  const long timeout_ms = static_cast<long>(request_.timeout_s * 1000);
  curl_easy_setopt(c, CURLOPT_URL, request_.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // only URL is contacted
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, DropBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &collected);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, KeepChallenge);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &collected);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "tock-probe");
  ApplyMethod(c, request_.method);
  const CURLcode code = curl_easy_perform(c);
  curl_slist_free_all(headers);
  if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && collected.body_bytes > kMaxBodyBytes)) {
    return Error(ErrorCode::kNetworkError,
                 "cannot reach " + request_.url + ": " +
                     (error[0] != '\0' ? std::string(error) : curl_easy_strerror(code)));
  }
  long status = 0;
  curl_off_t total_us = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(c, CURLINFO_TOTAL_TIME_T, &total_us);
  const std::string detail = Describe(status, collected.www_authenticate);
  if (status == 429 || status >= 500) {
    return Error(ErrorCode::kProbeError,
                 "the validator answered " + detail +
                     (status == 429 ? ": it is rate-limiting the probe" : ": it is failing"));
  }
  return ProbeAnswer{request_.accept.Contains(status), detail,
                     static_cast<double>(total_us) / 1000.0};
}

}  // namespace tock::cli
