// HostGuard: DNS-rebinding protection (server.md "Host header"). A server
// listening on loopback answers only requests addressed to a loopback name
// or address, or to the issuer's host; a web page that rebinds its own name
// to 127.0.0.1 sends its own name as Host and is refused with 421.
#ifndef TOCK_SERVER_HTTP_HOST_GUARD_H_
#define TOCK_SERVER_HTTP_HOST_GUARD_H_

#include <boost/beast/http/fields.hpp>
#include <string>
#include <string_view>

#include "tock/result.h"

namespace tock::server {

class HostGuard {
 public:
  enum class Verdict {
    kAllowed,
    kMissing,      // HTTP/1.1 without Host, or Host twice: 400 (RFC 9112 section 3.2)
    kInvalid,      // not uri-host [":" port]: 400
    kMisdirected,  // a host this server does not answer for: 421
  };

  // Off allows every request (a server not listening on loopback).
  HostGuard() = default;

  // ForListen guards a server listening on |listen_host| (an IP address)
  // with the issuer URL |issuer|; off unless |listen_host| is a loopback
  // address. kUsage when |issuer| is not an absolute URL with a host.
  static Result<HostGuard> ForListen(std::string_view listen_host, std::string_view issuer);

  bool enabled() const { return enabled_; }
  // Check judges the Host field(s) of a request of HTTP version |version|
  // (11 = 1.1). HTTP/1.0 without Host is allowed: browsers always send one.
  Verdict Check(const boost::beast::http::fields& headers, unsigned version) const;

 private:
  bool enabled_ = false;
  std::string issuer_host_;  // normalized as HostKey does
};

}  // namespace tock::server

#endif  // TOCK_SERVER_HTTP_HOST_GUARD_H_
