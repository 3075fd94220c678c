#include "http/host_guard.h"

#include <boost/asio/ip/address.hpp>
#include <boost/url/authority_view.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <iterator>
#include <optional>

namespace tock::server {
namespace {

namespace urls = boost::urls;
namespace http = boost::beast::http;

// HostKey is a host in one spelling per host: IP literals printed by
// Boost.URL, names decoded, lower-cased and without the root's trailing dot
// ("LocalHost." = "localhost"). |skip| leading characters of a name are
// dropped (see ParseHost).
std::string HostKey(const urls::authority_view& a, std::size_t skip = 0) {
  switch (a.host_type()) {
    case urls::host_type::ipv4:
      return a.host_ipv4_address().to_string();
    case urls::host_type::ipv6: {
      std::string key = "[";  // appended, not "[" + ...: GCC 12 warns falsely (-Wrestrict)
      key += a.host_ipv6_address().to_string();
      key += ']';
      return key;
    }
    default: {
      std::string name = a.host_name().substr(skip);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (!name.empty() && name.back() == '.') name.pop_back();
      return name;
    }
  }
}

bool IsLoopbackHost(const urls::authority_view& a) {
  switch (a.host_type()) {
    case urls::host_type::ipv4:
      return a.host_ipv4_address().is_loopback();  // 127.0.0.0/8
    case urls::host_type::ipv6: {
      urls::ipv6_address v6 = a.host_ipv6_address();
      // ::ffff:127.x.y.z is an IPv4 loopback address too.
      return v6.is_loopback() || (v6.is_v4_mapped() && v6.to_bytes()[12] == 127);
    }
    default:
      return false;
  }
}

struct ParsedHost {
  std::string key;  // as HostKey
  bool loopback = false;
};

// ParseHost reads Host = uri-host [ ":" port ] (RFC 9110 section 7.2), an
// authority without userinfo; nullopt when it is not one.
std::optional<ParsedHost> ParseHost(std::string_view value) {
  urls::result<urls::authority_view> host = urls::parse_authority(value);
  std::size_t skip = 0;
  std::string prefixed(1, 'x');  // outlives |host|, which views it
  if (!host && !value.empty() && value.front() != '[') {
    // Boost.URL 1.81 takes "127.0.0.1.nip.io" for an IPv4 address with
    // leftover text instead of a reg-name (RFC 3986 section 3.2.2): with a
    // letter in front only the reg-name rule matches; the letter is dropped.
    prefixed.append(value);
    host = urls::parse_authority(prefixed);
    skip = 1;
  }
  if (!host || host->has_userinfo() || host->host_type() == urls::host_type::none ||
      host->host_type() == urls::host_type::ipvfuture)
    return std::nullopt;
  ParsedHost out{HostKey(*host, skip), IsLoopbackHost(*host)};
  if (out.key.empty()) return std::nullopt;
  out.loopback = out.loopback || out.key == "localhost";
  return out;
}

}  // namespace

Result<HostGuard> HostGuard::ForListen(std::string_view listen_host, std::string_view issuer) {
  HostGuard guard;
  boost::system::error_code ec;
  boost::asio::ip::address listen = boost::asio::ip::make_address(std::string(listen_host), ec);
  if (ec || !listen.is_loopback()) return guard;
  std::optional<ParsedHost> host;
  if (urls::result<urls::url_view> url = urls::parse_absolute_uri(issuer); url) {
    host = ParseHost(url->encoded_host_and_port());
  } else if (std::size_t scheme_end = issuer.find("://"); scheme_end != std::string_view::npos) {
    // The Boost.URL 1.81 reg-name problem of ParseHost, for the issuer.
    std::string patched(issuer.substr(0, scheme_end + 3));
    patched += 'x';
    patched.append(issuer.substr(scheme_end + 3));
    if (urls::result<urls::url_view> p = urls::parse_absolute_uri(patched); p)
      host = ParseHost(p->encoded_host_and_port().substr(1));
  }
  if (!host) {
    return Error(ErrorCode::kUsage,
                 "issuer \"" + std::string(issuer) + "\" is not an absolute URL with a host");
  }
  guard.enabled_ = true;
  guard.issuer_host_ = host->key;
  return guard;
}

HostGuard::Verdict HostGuard::Check(const http::fields& headers, unsigned version) const {
  if (!enabled_) return Verdict::kAllowed;
  auto [first, end] = headers.equal_range(http::field::host);
  if (first == end) return version >= 11 ? Verdict::kMissing : Verdict::kAllowed;
  if (std::next(first) != end) return Verdict::kMissing;
  std::optional<ParsedHost> host =
      ParseHost(std::string_view(first->value().data(), first->value().size()));
  if (!host) return Verdict::kInvalid;
  if (host->loopback || host->key == issuer_host_) return Verdict::kAllowed;
  return Verdict::kMisdirected;
}

}  // namespace tock::server
