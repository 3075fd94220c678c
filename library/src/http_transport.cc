#include "tock/http_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>

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
  bool too_large = false;
};

std::size_t WriteBody(char* ptr, std::size_t size, std::size_t nmemb, void* userdata) {
  auto* ex = static_cast<Exchange*>(userdata);
  const std::size_t n = size * nmemb;
  if (ex->response.body.size() + n > ex->max_bytes) {
    ex->too_large = true;
    return 0;  // curl fails with CURLE_WRITE_ERROR
  }
  ex->response.body.append(ptr, n);
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

class CurlTransport final : public HttpTransport {
 public:
  Result<HttpResponse> Send(const HttpRequest& request) override;
};

Error NetworkError(const HttpRequest& request, const std::string& reason) {
  return Error(ErrorCode::kNetworkError, "cannot reach " + request.url + ": " + reason);
}

Result<HttpResponse> CurlTransport::Send(const HttpRequest& request) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
  if (!curl) return NetworkError(request, "libcurl could not be initialised");
  std::unique_ptr<curl_slist, SlistFree> headers;
  for (const auto& [name, value] : request.headers) {
    const std::string line = name + ": " + value;
    curl_slist* grown = curl_slist_append(headers.get(), line.c_str());
    if (grown == nullptr) return NetworkError(request, "out of memory");
    headers.release();
    headers.reset(grown);
  }
  // A request without Expect: a token request is small, and waiting for
  // 100 Continue would only add a round trip.
  curl_slist* grown = curl_slist_append(headers.get(), "Expect:");
  if (grown != nullptr) {
    headers.release();
    headers.reset(grown);
  }
  Exchange ex;
  ex.max_bytes = request.max_response_bytes;
  char error[CURL_ERROR_SIZE] = {};
  const double seconds = request.timeout_s > 0.001 ? std::min(request.timeout_s, 86400.0) : 0.001;
  const long timeout_ms = static_cast<long>(seconds * 1000.0);
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // credentials never follow a redirect
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &ex);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &ex);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "tock");
  if (request.method == "POST") {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  const CURLcode code = curl_easy_perform(c);
  if (ex.too_large) {
    return NetworkError(request, "the response is larger than the " +
                                     std::to_string(request.max_response_bytes) + "-byte limit");
  }
  if (code != CURLE_OK) {
    return NetworkError(request, error[0] != '\0' ? std::string(error) : curl_easy_strerror(code));
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  ex.response.status = static_cast<int>(status);
  return std::move(ex.response);
}

}  // namespace

std::optional<std::string> HttpResponse::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (EqualsNoCase(n, name)) return v;
  }
  return std::nullopt;
}

std::shared_ptr<HttpTransport> MakeCurlTransport() { return std::make_shared<CurlTransport>(); }

}  // namespace tock
