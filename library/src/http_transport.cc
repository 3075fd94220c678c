#include "tock/http_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <vector>

#include "internal/curl_send.h"

namespace tock {
namespace {

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

struct CurlFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

// Exchange collects one response; the body cap is enforced as bytes arrive.
struct Exchange {
  HttpResponse response;
  std::size_t max_bytes = 0;
  std::size_t body_bytes = 0;
  bool discard_body = false;
  bool too_large = false;
};

std::size_t WriteBody(char* ptr, std::size_t size, std::size_t nmemb, void* userdata) {
  auto* ex = static_cast<Exchange*>(userdata);
  const std::size_t n = size * nmemb;
  ex->body_bytes += n;
  if (ex->body_bytes > ex->max_bytes) {
    ex->too_large = true;
    return 0;  // curl fails with CURLE_WRITE_ERROR
  }
  if (!ex->discard_body) ex->response.body.append(ptr, n);
  return n;
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

std::size_t WriteHeader(char* ptr, std::size_t size, std::size_t nmemb, void* userdata) {
  auto* ex = static_cast<Exchange*>(userdata);
  const std::size_t n = size * nmemb;
  std::string_view line(ptr, n);
  // A new status line (100 Continue) starts a new header block.
  if (line.rfind("HTTP/", 0) == 0) {
    ex->response.headers.clear();
    return n;
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || ex->response.headers.size() >= 200) return n;
  ex->response.headers.emplace_back(std::string(TrimSpace(line.substr(0, colon))),
                                    std::string(TrimSpace(line.substr(colon + 1))));
  return n;
}

Error NetworkError(const HttpRequest& request, const internal::CurlPolicy& policy,
                   const std::string& reason) {
  return Error(ErrorCode::kNetworkError,
               std::string(policy.failure_prefix) + request.url + ": " + reason);
}

// HandlePool keeps a few idle easy handles: a handle keeps its connections,
// so a later request to the same host skips the handshake.
class HandlePool {
 public:
  ~HandlePool() {
    for (CURL* c : idle_) curl_easy_cleanup(c);
  }
  std::unique_ptr<CURL, CurlFree> Take() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (idle_.empty()) return std::unique_ptr<CURL, CurlFree>(curl_easy_init());
    CURL* c = idle_.back();
    idle_.pop_back();
    curl_easy_reset(c);  // keeps the connection cache
    return std::unique_ptr<CURL, CurlFree>(c);
  }
  void Give(std::unique_ptr<CURL, CurlFree> handle) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (idle_.size() < kMaxIdle) idle_.push_back(handle.release());
  }

 private:
  static constexpr std::size_t kMaxIdle = 4;
  std::mutex mutex_;
  std::vector<CURL*> idle_;
};

class CurlTransport final : public HttpTransport {
 public:
  Result<HttpResponse> Send(const HttpRequest& request) override;

 private:
  HandlePool pool_;
};

void ApplyMethod(CURL* c, const HttpRequest& request) {
  if (request.method == "GET") return;
  if (request.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    return;
  }
  // Any other verb carries the body, with its Content-Length (0 when empty).
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  if (request.method != "POST") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
}

Result<std::unique_ptr<curl_slist, SlistFree>> MakeHeaderList(const HttpRequest& request,
                                                              const internal::CurlPolicy& policy) {
  std::unique_ptr<curl_slist, SlistFree> headers;
  auto append = [&headers](const std::string& line) {
    curl_slist* grown = curl_slist_append(headers.get(), line.c_str());
    if (grown == nullptr) return false;
    headers.release();
    headers.reset(grown);
    return true;
  };
  for (const auto& [name, value] : request.headers) {
    if (!append(name + ": " + value)) return NetworkError(request, policy, "out of memory");
  }
  // A request without Expect: a token request is small, and waiting for
  // 100 Continue would only add a round trip.
  append("Expect:");
  return headers;
}

void ApplyRedirects(CURL* c, const HttpRequest& request, const internal::CurlPolicy& policy) {
  if (!policy.follow_redirects) {
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // credentials never follow a redirect
    return;
  }
  const bool https = request.url.size() >= 8 && EqualsNoCase(request.url.substr(0, 8), "https://");
  // A redirect may not leave http(s), nor downgrade https to http.
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, https ? "https" : "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
}

// Perform sends |request| on |c| (a fresh or reset handle).
Result<HttpResponse> Perform(CURL* c, const HttpRequest& request,
                             const internal::CurlPolicy& policy) {
  Result<std::unique_ptr<curl_slist, SlistFree>> headers = MakeHeaderList(request, policy);
  if (!headers.ok()) return std::move(headers).error();
  Exchange ex;
  ex.max_bytes = request.max_response_bytes;
  ex.discard_body = request.discard_body;
  char error[CURL_ERROR_SIZE] = {};
  // NaN and non-positive timeouts become 1 ms rather than "no timeout".
  const double seconds = request.timeout_s > 0.001 ? std::min(request.timeout_s, 86400.0) : 0.001;
  const long timeout_ms = static_cast<long>(seconds * 1000.0);
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  ApplyRedirects(c, request, policy);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // safe in threaded servers
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!request.discard_body) {
    // Refuse early a body that announces its size (Content-Length) too large.
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(request.max_response_bytes));
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers->get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &ex);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &ex);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  if (!request.user_agent.empty()) {
    curl_easy_setopt(c, CURLOPT_USERAGENT, request.user_agent.c_str());
  }
  ApplyMethod(c, request);
  const CURLcode code = curl_easy_perform(c);
  long status = 0;
  curl_off_t total_us = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(c, CURLINFO_TOTAL_TIME_T, &total_us);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);  // the list dies here
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
  const bool status_is_answer = request.discard_body && status != 0;
  if ((ex.too_large || code == CURLE_FILESIZE_EXCEEDED) && !status_is_answer) {
    return NetworkError(request, policy,
                        "the response is larger than the " +
                            std::to_string(request.max_response_bytes) + "-byte limit");
  }
  if (code != CURLE_OK && !status_is_answer) {
    return NetworkError(request, policy,
                        error[0] != '\0' ? std::string(error) : curl_easy_strerror(code));
  }
  ex.response.status = static_cast<int>(status);
  ex.response.total_ms = static_cast<double>(total_us) / 1000.0;
  return std::move(ex.response);
}

void InitCurlOnce() {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Result<HttpResponse> CurlTransport::Send(const HttpRequest& request) {
  InitCurlOnce();
  // A document fetch (follow_redirects) words its failures as HttpGet does.
  const internal::CurlPolicy policy = request.follow_redirects
                                          ? internal::CurlPolicy{true, "cannot fetch "}
                                          : internal::CurlPolicy{};
  std::unique_ptr<CURL, CurlFree> curl = pool_.Take();
  if (!curl) return NetworkError(request, policy, "libcurl could not be initialised");
  Result<HttpResponse> response = Perform(curl.get(), request, policy);
  pool_.Give(std::move(curl));
  return response;
}

}  // namespace

std::optional<std::string> HttpResponse::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (EqualsNoCase(n, name)) return v;
  }
  return std::nullopt;
}

namespace internal {

Result<HttpResponse> CurlSend(const HttpRequest& request, const CurlPolicy& policy) {
  InitCurlOnce();
  std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
  if (!curl) return NetworkError(request, policy, "libcurl could not be initialised");
  return Perform(curl.get(), request, policy);
}

}  // namespace internal

std::shared_ptr<HttpTransport> MakeCurlTransport() { return std::make_shared<CurlTransport>(); }

}  // namespace tock
