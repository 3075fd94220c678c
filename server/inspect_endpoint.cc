// POST /api/inspect: decode a pasted token and, where a key or a trusted
// issuer applies, verify it. The body is parsed by the library
// (tock/inspect_request.h); jwks_uri is fetched only when it is ours or a
// [[trust]] entry's: the endpoint is no proxy. Anyone may call it, so what
// it is sent must cost nothing (server.md, "Hostile input costs nothing"):
// keys are loaded as untrusted input (public halves only, RSA <= 4096 bits)
// and at most kMaxKeysTried of them are tried.
#include <algorithm>
#include <cctype>

#include "endpoints.h"
#include "key_resolution.h"
#include "tock/app/inspect_request.h"
#include "tock/app/json_writer.h"
#include "tock/app/report.h"
#include "tock/key_loader.h"
#include "tock/verifier.h"

namespace tock::server {
namespace {

// KeysOrWhy is the key set a verification uses, or why none could be had
// (the verification document then says so).
using KeysOrWhy = Result<std::shared_ptr<const JwkSet>>;

// kMaxKeysTried bounds the signature checks one request can cause.
constexpr std::size_t kMaxKeysTried = 4;

// IsJsonMediaType: "application/json", any case, parameters (charset)
// allowed. Anything else is 415: it also stops a cross-site no-cors POST,
// which can only send text/plain, form or multipart bodies.
bool IsJsonMediaType(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  constexpr std::string_view kJson = "application/json";
  return type.size() == kJson.size() &&
         std::equal(type.begin(), type.end(), kJson.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

// FirstKeysTried keeps the keys the verifier would try first: after kid
// selection, those that can perform the token's alg, at most kMaxKeysTried.
JwkSet FirstKeysTried(JwkSet keys, const std::optional<UnverifiedView>& view) {
  std::optional<std::string> kid = view ? view->StringHeader("kid") : std::nullopt;
  std::optional<std::string> alg_name = view ? view->StringHeader("alg") : std::nullopt;
  std::optional<Algorithm> alg = alg_name ? ParseAlgorithm(*alg_name) : std::nullopt;
  std::vector<Key> kept;
  for (const Key* key : keys.Candidates(kid.value_or(""), kid.has_value())) {
    if (alg && !key->CanPerform(*alg)) continue;
    kept.push_back(*key);
    if (kept.size() == kMaxKeysTried) break;
  }
  if (kept.empty()) return keys;  // the verifier explains why none fits
  return JwkSet(std::move(kept));
}

// IssuerOfJwksUri is the issuer whose keys |jwks_uri| names: ours, or a
// [[trust]] entry's configured one.
std::optional<std::string> IssuerOfJwksUri(const ServerContext& ctx, const std::string& jwks_uri) {
  if (jwks_uri == ctx.config.issuer + "/.well-known/jwks.json") return ctx.config.issuer;
  for (const auto& [issuer, entry] : ctx.trust) {
    if (entry.config.jwks_uri == jwks_uri) return issuer;
  }
  return std::nullopt;
}

// ChooseKeys: the request's key, else its jwks_uri (ours or a trusted one),
// else the keys of the token's iss when we trust it. nullopt: nothing to
// verify with; an error: the request is refused (400).
Result<std::optional<KeysOrWhy>> ChooseKeys(ServerContext& ctx, const InspectRequest& r,
                                            const std::optional<UnverifiedView>& view) {
  const TokenHeader header = view ? TokenHeader::Of(*view) : TokenHeader{};
  if (r.key) {
    Result<LoadedKeys> loaded = LoadKeys(*r.key, KeyLoadOptions::Untrusted());
    if (!loaded.ok() && loaded.error().code() == ErrorCode::kTooLarge) return loaded.error();
    if (!loaded.ok()) return std::optional<KeysOrWhy>(loaded.error());
    return std::optional<KeysOrWhy>(
        std::make_shared<const JwkSet>(FirstKeysTried(JwkSet(std::move(loaded->keys)), view)));
  }
  std::optional<std::string> iss;
  if (r.jwks_uri) {
    iss = IssuerOfJwksUri(ctx, *r.jwks_uri);
    if (!iss) {
      return Error(ErrorCode::kUsage, "jwks_uri \"" + *r.jwks_uri +
                                          "\" is neither this server's JWKS nor a configured "
                                          "[[trust]] one; /api/inspect fetches no other URL.");
    }
  } else {
    iss = view ? view->StringClaim("iss") : std::nullopt;
    if (!iss || !ctx.issuer_keys.Find(*iss)) return std::optional<KeysOrWhy>();
  }
  return std::optional<KeysOrWhy>(ResolveKeys(ctx, KeyOwners::kIssuers, header, iss));
}

Response BadRequest(const Request& req, const Error& error) {
  return JsonResponse(req, http::status::bad_request, ErrorDocumentJson(error));
}

}  // namespace

Response HandleInspect(ServerContext& ctx, const Request& req) {
  if (!IsJsonMediaType(req.Header(http::field::content_type))) {
    Error error(ErrorCode::kUsage, "the body must be sent with \"Content-Type: application/json\"");
    return JsonResponse(req, http::status::unsupported_media_type, ErrorDocumentJson(error));
  }
  Result<InspectRequest> parsed = ParseInspectRequest(req.msg.body());
  if (!parsed.ok()) return BadRequest(req, parsed.error());
  const InspectRequest& r = *parsed;
  const UnixSeconds now = r.now.value_or(ctx.clock.Now());
  Result<UnverifiedView> inspected = InspectUnverified(r.token);
  std::optional<UnverifiedView> view;
  if (inspected.ok()) view = *inspected;

  Result<std::optional<KeysOrWhy>> choice = ChooseKeys(ctx, r, view);
  if (!choice.ok()) return BadRequest(req, choice.error());
  std::optional<std::string> verification;
  if (const std::optional<KeysOrWhy>& keys = *choice; keys && !keys->ok()) {
    verification = VerifyRejectedJson(keys->error());
  } else if (keys) {
    FixedClock clock(now);
    Verifier verifier(*keys->value(), clock);
    Result<void> policy = verifier.CheckPolicy(*r.policy);
    // The page renders the library's check trace; it keeps no rules of its own.
    verification = policy.ok() ? VerifyReportJson(verifier.VerifyWithTrace(r.token, *r.policy))
                               : VerifyRejectedJson(policy.error());
  }
  std::string body = view ? InspectResponseJson(*view, now, verification)
                          : InspectResponseJson(inspected.error(), verification);
  Response res = JsonResponse(req, http::status::ok, std::move(body));
  res.set(http::field::cache_control, "no-store");
  return res;
}

}  // namespace tock::server
