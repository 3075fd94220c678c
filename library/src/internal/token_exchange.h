// The pieces of one token request that TokenSource strings together:
// discovery, the request, reading the answer and the issuer-clock estimate.
#ifndef TOCK_INTERNAL_TOKEN_EXCHANGE_H_
#define TOCK_INTERNAL_TOKEN_EXCHANGE_H_

#include <optional>
#include <string>

#include "tock/clock.h"
#include "tock/http_transport.h"
#include "tock/result.h"
#include "tock/token_source.h"

namespace tock::internal {

// DiscoverTokenEndpoint finds the token endpoint of |issuer| (OpenID
// Discovery, then RFC 8414 with its path insertion). kNetworkError when a
// document cannot be fetched at all; kDiscoveryError when neither exists,
// when one names another issuer, or has no usable token_endpoint.
Result<std::string> DiscoverTokenEndpoint(HttpTransport& transport, const std::string& issuer,
                                          double timeout_s);

// BuildTokenRequest makes the POST for |endpoint|: the grant, scope,
// audience/resource, and client_secret_basic or a fresh private_key_jwt
// assertion stamped at |assertion_now| for |assertion_aud|.
Result<HttpRequest> BuildTokenRequest(const TokenSourceOptions& options,
                                      const std::string& endpoint, const std::string& assertion_aud,
                                      UnixSeconds assertion_now);

// EstimateIssuerClock estimates the issuer's clock offset from |response|
// received between |start| and |end| (local times, seconds).
IssuerClock EstimateIssuerClock(const HttpResponse& response, double start, double end);

// ReadTokenAnswer turns the endpoint's answer into a token (arrived at
// |end|) or the error the TokenSource contract names; errors carry the
// clock estimate in their diagnosis.
Result<AccessToken> ReadTokenAnswer(const HttpResponse& response, double start, double end);

}  // namespace tock::internal

#endif  // TOCK_INTERNAL_TOKEN_EXCHANGE_H_
