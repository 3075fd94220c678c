// The HTTP endpoints of server.md; each reads a Request and the shared
// ServerContext and returns a Response.
#ifndef TOCK_SERVER_ENDPOINTS_H_
#define TOCK_SERVER_ENDPOINTS_H_

#include <string>
#include <string_view>

#include "context.h"
#include "http/router.h"
#include "tock/app/json_writer.h"
#include "tock/error.h"
#include "tock/inspect.h"

namespace tock::server {

Response HandleDiscovery(ServerContext& ctx, const Request& req);
Response HandleJwks(ServerContext& ctx, const Request& req);
Response HandleToken(ServerContext& ctx, const Request& req);
Response HandleValidate(ServerContext& ctx, const Request& req);
// ValidateBlocks: /validate needs the worker pool only for a trust entry
// whose keys must first be fetched, or a one_time entry's replay store.
bool ValidateBlocks(ServerContext& ctx, const Request& req);
Response HandleInspect(ServerContext& ctx, const Request& req);
Response HandleHealth(ServerContext& ctx, const Request& req);
Response HandleLive(ServerContext& ctx, const Request& req);
Response HandleMetrics(ServerContext& ctx, const Request& req);

// HeaderSafe keeps only the characters RFC 6750 §3 allows in
// error_description (%x20-21 / %x23-5B / %x5D-7E); every other byte is '?'.
std::string HeaderSafe(std::string_view text);

// AddTokenFields adds iss, kid, sub, iat, nbf, exp of |view| (when present)
// to a log line: the token's claims, never the token.
void AddTokenFields(JsonWriter& line, const UnverifiedView& view);

// AddErrorFields adds code and message of |error| to a log line.
void AddErrorFields(JsonWriter& line, const Error& error);

}  // namespace tock::server

#endif  // TOCK_SERVER_ENDPOINTS_H_
