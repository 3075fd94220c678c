#include "http/trusted_proxies.h"

#include <algorithm>

namespace tock::server {
namespace {

namespace ip = boost::asio::ip;
namespace http = boost::beast::http;

// Unmapped turns ::ffff:a.b.c.d (an IPv4 peer of a dual-stack socket) into
// a.b.c.d, so one IPv4 CIDR covers both spellings.
ip::address Unmapped(const ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  return a;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// ForwardedChain is every X-Forwarded-For element, in order, over all the
// header's lines (a proxy may add a line instead of appending).
std::vector<std::string_view> ForwardedChain(const http::fields& headers) {
  std::vector<std::string_view> chain;
  for (auto [it, end] = headers.equal_range("X-Forwarded-For"); it != end; ++it) {
    std::string_view value(it->value().data(), it->value().size());
    while (true) {
      std::size_t comma = value.find(',');
      std::string_view element = Trim(value.substr(0, comma));
      if (!element.empty()) chain.push_back(element);
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  return chain;
}

Error BadEntry(std::string_view cidr, std::string_view why) {
  return Error(ErrorCode::kUsage,
               "trusted_proxies: \"" + std::string(cidr) + "\" " + std::string(why));
}

}  // namespace

Result<void> TrustedProxies::CheckOne(std::string_view cidr) {
  Result<TrustedProxies> one = Parse({std::string(cidr)});
  if (!one.ok()) return one.error();
  return {};
}

Result<TrustedProxies> TrustedProxies::Parse(const std::vector<std::string>& cidrs) {
  TrustedProxies out;
  for (const std::string& text : cidrs) {
    boost::system::error_code ec;
    std::string cidr = text;
    if (cidr.find('/') == std::string::npos) {
      ip::address a = ip::make_address(cidr, ec);
      if (ec) return BadEntry(text, "is neither an IP address nor a CIDR such as \"10.0.0.0/8\"");
      cidr += a.is_v4() ? "/32" : "/128";
    }
    if (cidr.find(':') == std::string::npos) {
      ip::network_v4 net = ip::make_network_v4(cidr, ec);
      if (ec) return BadEntry(text, "is not a CIDR such as \"10.0.0.0/8\"");
      if (net.address() != net.network())
        return BadEntry(text,
                        "has host bits set; did you mean \"" + net.canonical().to_string() + "\"?");
      out.v4_.push_back(net);
    } else {
      ip::network_v6 net = ip::make_network_v6(cidr, ec);
      if (ec) return BadEntry(text, "is not a CIDR such as \"fd00::/8\"");
      if (net.address() != net.network())
        return BadEntry(text,
                        "has host bits set; did you mean \"" + net.canonical().to_string() + "\"?");
      out.v6_.push_back(net);
    }
  }
  return out;
}

bool TrustedProxies::Contains(const ip::address& address) const {
  ip::address a = Unmapped(address);
  if (a.is_v4()) {
    return std::any_of(v4_.begin(), v4_.end(), [&](const ip::network_v4& net) {
      return ip::network_v4(a.to_v4(), net.prefix_length()).network() == net.network();
    });
  }
  return std::any_of(v6_.begin(), v6_.end(), [&](const ip::network_v6& net) {
    return ip::network_v6(a.to_v6(), net.prefix_length()).network() == net.network();
  });
}

std::string TrustedProxies::ClientAddress(const ip::address& peer,
                                          const http::fields& headers) const {
  if (empty() || !Contains(peer)) return peer.to_string();
  ip::address hop = Unmapped(peer);
  std::vector<std::string_view> chain = ForwardedChain(headers);
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    boost::system::error_code ec;
    ip::address element = ip::make_address(*it, ec);
    if (ec) break;
    hop = Unmapped(element);
    if (!Contains(hop)) break;
  }
  return hop.to_string();
}

}  // namespace tock::server
