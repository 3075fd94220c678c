// POST /api/inspect: decode (and, where a key applies, verify) a pasted token.
#include "endpoints.h"
#include "json_writer.h"

namespace tock::server {

// TODO(server): the full contract of server.md (key, jwks_uri, policy, now)
// needs a JSON reader for the request body; until then only 501.
Response HandleInspect(ServerContext& ctx, const Request& req) {
  (void)ctx;
  return JsonResponse(req, http::status::not_implemented,
                      JsonWriter()
                          .Str("error", "not_implemented")
                          .Str("error_description", "POST /api/inspect is not implemented yet")
                          .Finish());
}

}  // namespace tock::server
