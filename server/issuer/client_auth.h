// Client authentication for POST /token: client_secret_basic and
// private_key_jwt (RFC 7523), with the uniform failure of server.md
// ("Hostile input costs nothing").
#ifndef TOCK_SERVER_ISSUER_CLIENT_AUTH_H_
#define TOCK_SERVER_ISSUER_CLIENT_AUTH_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "context.h"
#include "http/router.h"
#include "tock/error.h"
#include "tock/inspect.h"

namespace tock::server {

// kClientAuthFailed is the one error_description of every failed client
// authentication, whatever the cause: no oracle for client ids, secrets or
// keys. The log line carries the cause.
inline constexpr std::string_view kClientAuthFailed = "client authentication failed";

// OAuthFailure is an RFC 6749 §5.2 error plus what the log line needs.
struct OAuthFailure {
  http::status status;
  std::string error;        // invalid_client, invalid_request, ...
  std::string description;  // what the caller reads
  std::string code;         // the precise cause for the log (verify code, unknown_client, ...)
  bool basic = false;       // the client tried HTTP Basic: answer a challenge
  std::string detail;       // the precise reason for the log, when the description is uniform
};

// BadClient is a failed client authentication (401 invalid_client) with the
// uniform description; |detail| and |code| go to the log only.
OAuthFailure BadClient(std::string detail, std::string code, bool basic);

// Form is the decoded /token body (no parameter repeated).
struct Form {
  std::map<std::string, std::string> values;
  std::optional<std::string> Get(const std::string& name) const {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  }
};

// Authenticated is the client that proved its identity.
struct Authenticated {
  const Client* client = nullptr;
};
using AuthResult = std::variant<Authenticated, OAuthFailure>;

// AuthContext is what authentication learnt, for the log line.
struct AuthContext {
  std::string client_id;               // the client the caller claims to be
  std::optional<UnverifiedView> view;  // the assertion, unverified
  std::optional<Error> error;          // the library's error, when there is one
};

// AuthenticateBasic checks "Basic ..." credentials (scrypt). Before the
// scrypt it refuses (429) a claimed client whose rate bucket is empty; it
// never charges that bucket (HandleToken does, once the client is known).
AuthResult AuthenticateBasic(ServerContext& ctx, std::string_view header, AuthContext& out);

// AuthenticateAssertion checks a private_key_jwt client assertion: the
// client's keys, iss = sub = client id, aud = the issuer (one value), the
// time rules and a one-time jti, consumed only once everything else passed.
AuthResult AuthenticateAssertion(ServerContext& ctx, const Form& form, AuthContext& out);

// RateLimited is the 429 answer for |who| ("client \"x\"", "this address").
OAuthFailure RateLimited(const ServerContext& ctx, const std::string& who);

}  // namespace tock::server

#endif  // TOCK_SERVER_ISSUER_CLIENT_AUTH_H_
