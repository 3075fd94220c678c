#include "url_policy.h"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <boost/url/url_view.hpp>

namespace tock::server {
namespace {

namespace urls = boost::urls;

Error Refused(std::string_view url, std::string_view reason) {
  return Error(ErrorCode::kUsage, "URL \"" + std::string(url) +
                                      "\" is refused: " + std::string(reason) +
                                      " (keys are fetched over https://; http:// only from "
                                      "127.0.0.0/8, [::1] or localhost)");
}

bool IsLocalhostName(std::string_view host) {
  constexpr std::string_view kLocalhost = "localhost";
  if (host.size() != kLocalhost.size()) return false;
  for (std::size_t i = 0; i < host.size(); ++i) {
    // Host names compare case-insensitively (RFC 3986 §3.2.2); the encoded
    // host is compared, so "localhos%74" is not "localhost".
    const char c = host[i] >= 'A' && host[i] <= 'Z' ? char(host[i] - 'A' + 'a') : host[i];
    if (c != kLocalhost[i]) return false;
  }
  return true;
}

// IsLoopbackHost: an IP literal in 127.0.0.0/8 or ::1, or "localhost".
bool IsLoopbackHost(const urls::url_view& u) {
  switch (u.host_type()) {
    case urls::host_type::ipv4:
      return (u.host_ipv4_address().to_uint() >> 24) == 127;
    case urls::host_type::ipv6:
      return u.host_ipv6_address().is_loopback();
    case urls::host_type::name:
      return IsLocalhostName(std::string_view(u.encoded_host().data(), u.encoded_host().size()));
    default:
      return false;
  }
}

}  // namespace

Result<void> CheckFetchUrl(std::string_view url) {
  urls::result<urls::url_view> parsed = urls::parse_absolute_uri(url);
  if (!parsed) return Refused(url, "it is not an absolute URL (RFC 3986)");
  const urls::url_view& u = *parsed;
  const bool https = u.scheme_id() == urls::scheme::https;
  if (!https && u.scheme_id() != urls::scheme::http) {
    return Refused(url, "its scheme is neither https nor http");
  }
  if (!u.has_authority() || u.encoded_host().empty()) return Refused(url, "it has no host");
  if (u.has_userinfo()) {
    urls::url shown(u);  // the userinfo may hold a password: never print it
    shown.set_encoded_userinfo("***");
    return Refused(std::string_view(shown.buffer().data(), shown.buffer().size()),
                   "it has userinfo (\"user@\" before the host), which is never allowed");
  }
  if (!https && !IsLoopbackHost(u)) {
    return Refused(url, "http:// is allowed only for a loopback host");
  }
  return {};
}

bool FetchUrlAllowed(const std::string& url) { return CheckFetchUrl(url).ok(); }

}  // namespace tock::server
