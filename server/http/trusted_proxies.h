// TrustedProxies: [limits] trusted_proxies, the reverse proxies whose
// X-Forwarded-For is believed (server.md "Behind a proxy").
#ifndef TOCK_SERVER_HTTP_TRUSTED_PROXIES_H_
#define TOCK_SERVER_HTTP_TRUSTED_PROXIES_H_

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <boost/beast/http/fields.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "tock/result.h"

namespace tock::server {

class TrustedProxies {
 public:
  TrustedProxies() = default;

  // Parse reads CIDRs ("10.0.0.0/8", "::1/128") or single addresses
  // ("192.0.2.7" = /32). kUsage naming the first bad entry; a prefix with
  // host bits set ("10.1.2.3/8") is refused, as it is surely a typo.
  static Result<TrustedProxies> Parse(const std::vector<std::string>& cidrs);
  // CheckOne is Parse for one entry (the config reports it at its line).
  static Result<void> CheckOne(std::string_view cidr);

  bool empty() const { return v4_.empty() && v6_.empty(); }
  bool Contains(const boost::asio::ip::address& address) const;

  // ClientAddress is the address a request came from: |peer| itself unless
  // it is a trusted proxy; then the last X-Forwarded-For address that is not
  // one (all of them trusted: the first). An element that is not an IP
  // address ends the walk at the last trusted hop: a proxy's garbage never
  // becomes a client address.
  std::string ClientAddress(const boost::asio::ip::address& peer,
                            const boost::beast::http::fields& headers) const;

 private:
  std::vector<boost::asio::ip::network_v4> v4_;
  std::vector<boost::asio::ip::network_v6> v6_;
};

}  // namespace tock::server

#endif  // TOCK_SERVER_HTTP_TRUSTED_PROXIES_H_
