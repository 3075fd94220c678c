// Which URLs tock serve fetches keys from: one rule for a configured
// jwks_uri (trust entry or client), a discovery issuer and a discovered
// jwks_uri (server.md, "Hostile input costs nothing" → URLs).
#ifndef TOCK_SERVER_URL_POLICY_H_
#define TOCK_SERVER_URL_POLICY_H_

#include <string>
#include <string_view>

#include "tock/result.h"

namespace tock::server {

// CheckFetchUrl parses |url| with Boost.URL and accepts it when it is an
// absolute https URL with a host, or an http URL whose host is a loopback IP
// literal (127.0.0.0/8, [::1]) or the name "localhost"; never with userinfo
// ("http://localhost:@evil.example/" names the host evil.example). A string
// prefix test would pass "http://127.evil.example/". kUsage with the reason
// otherwise, quoting the URL (userinfo shown as "***").
Result<void> CheckFetchUrl(std::string_view url);

// FetchUrlAllowed is CheckFetchUrl as a predicate (for DiscoveryJwksFetcher).
bool FetchUrlAllowed(const std::string& url);

}  // namespace tock::server

#endif  // TOCK_SERVER_URL_POLICY_H_
