#include "commands/audit_http.h"

#include <curl/curl.h>

#include <charconv>
#include <memory>
#include <thread>

namespace tock::cli::audit {
namespace {

// Bodies are read only to keep the connection well-behaved; a validator's
// answer is judged by its status, so a large body is cut off here.
constexpr std::size_t kMaxBodyBytes = 64 * 1024;

struct Collected {
  std::size_t body_bytes = 0;
  std::string www_authenticate;
};

std::size_t OnBody(char*, std::size_t size, std::size_t count, void* user) {
  auto* c = static_cast<Collected*>(user);
  c->body_bytes += size * count;
  return c->body_bytes > kMaxBodyBytes ? 0 : size * count;
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char a = text[i], b = prefix[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
    if (a != b) return false;
  }
  return true;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* c = static_cast<Collected*>(user);
  std::string_view line(data, size * count);
  constexpr std::string_view kName = "www-authenticate:";
  if (StartsWithNoCase(line, kName)) {
    line.remove_prefix(kName.size());
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
    c->www_authenticate = std::string(line.substr(0, 512));
  }
  return size * count;
}

struct CurlFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

Answer Perform(const BearerRequest& request, std::string_view token) {
  std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
  if (!curl) return Answer{std::nullopt, "", "cannot start libcurl"};
  std::unique_ptr<curl_slist, CurlFree> headers;
  auto add = [&](const std::string& line) {
    headers.reset(curl_slist_append(headers.release(), line.c_str()));
  };
  for (const std::string& h : request.headers) add(h);
  add(request.bearer_header + ": Bearer " + std::string(token));
  Collected collected;
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  if (request.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // never carry a token elsewhere
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_s * 1000));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &collected);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &collected);
  CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  // A status that arrived is the answer, even when the transfer then failed:
  // a body cut off at kMaxBodyBytes, or a server that answers 431 to a 64 KiB
  // header and resets the connection with the rest of it unread (node does).
  if (rc != CURLE_OK && status == 0) {
    return Answer{std::nullopt, "", curl_easy_strerror(rc)};
  }
  return Answer{static_cast<int>(status), collected.www_authenticate, ""};
}

}  // namespace

Result<std::vector<StatusRange>> ParseAccept(std::string_view text) {
  std::vector<StatusRange> ranges;
  auto bad = [&] {
    return Error(ErrorCode::kUsage,
                 "--accept expects status codes or classes such as "
                 "\"200,204\" or \"2xx\", got \"" +
                     std::string(text) + "\".");
  };
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    std::string_view item =
        text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.size() != 3 || item[0] < '1' || item[0] > '5') return bad();
    if ((item[1] == 'x' || item[1] == 'X') && (item[2] == 'x' || item[2] == 'X')) {
      int hundreds = (item[0] - '0') * 100;
      ranges.push_back({hundreds, hundreds + 99});
    } else {
      int code = 0;
      auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), code);
      if (ec != std::errc() || end != item.data() + item.size()) return bad();
      ranges.push_back({code, code});
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return ranges;
}

BearerClient::BearerClient(BearerRequest request) : request_(std::move(request)) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
}

std::optional<Answer> BearerClient::Send(std::string_view token) {
  if (sent_ >= request_.max_requests) return std::nullopt;
  if (last_start_ && request_.rate_per_s > 0) {
    auto gap = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(1.0 / request_.rate_per_s));
    std::this_thread::sleep_until(*last_start_ + gap);
  }
  last_start_ = std::chrono::steady_clock::now();
  ++sent_;
  return Perform(request_, token);
}

bool BearerClient::Accepted(int status) const {
  for (const StatusRange& r : request_.accept) {
    if (status >= r.low && status <= r.high) return true;
  }
  return false;
}

}  // namespace tock::cli::audit
