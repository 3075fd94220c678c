// GET /validate: judge a bearer token for nginx auth_request or any caller.
#include <algorithm>
#include <cmath>
#include <functional>

#include "endpoints.h"
#include "tock/json_writer.h"
#include "tock/report.h"
#include "tock/validator.h"
#include "tock/verifier.h"
#include "validate/cached_verify.h"

namespace tock::server {
namespace {

// Judged is the outcome of checking one token.
struct Judged {
  std::optional<VerifiedToken> token;
  std::optional<Error> error;
  std::string issuer_label = "untrusted";  // metrics: only trusted issuers name a series
  std::int64_t retry_after_s = 0;          // > 0: the answer is 503
  std::optional<ToRemember> remember;      // for the verified-token cache, once accepted
};

Error NoKeys(const Error& cause) {
  return Error(ErrorCode::kNetworkError, "keys for this issuer cannot be had: " + cause.message());
}

// PolicyFor builds the validator of a trust entry (or our own issuer), with
// the location's ?aud= narrowing the accepted audiences.
Result<Validator> PolicyFor(const ServerContext& ctx, const TrustConfig* trust,
                            const std::optional<std::string>& location_aud) {
  ValidatorBuilder vb;
  const std::vector<std::string>& audiences = trust ? trust->audiences : ctx.own_audiences;
  // audiences = ["*"]: the entry accepts any audience (explicitly; the
  // config refuses an entry without audiences). A location's ?aud= still
  // narrows it.
  const bool any_audience = audiences.size() == 1 && audiences.front() == "*";
  if (location_aud) {
    if (!any_audience && !audiences.empty() &&
        std::find(audiences.begin(), audiences.end(), *location_aud) == audiences.end()) {
      Diagnosis d;
      d.claim = "aud";
      d.expected = {*location_aud};
      d.actual = audiences;
      return Error(ErrorCode::kAudMismatch,
                   "this location requires audience \"" + *location_aud +
                       "\", which the issuer's trust entry does not accept",
                   d);
    }
    vb.AddAudience(*location_aud);
  } else if (!any_audience) {
    for (const std::string& aud : audiences) vb.AddAudience(aud);
  }
  if (trust) {
    vb.AddIssuer(trust->issuer).Skew(trust->skew_s);
    for (Algorithm alg : trust->algorithms) vb.AllowAlgorithm(alg);
    for (const std::string& claim : trust->require) vb.RequireClaim(claim);
    if (trust->one_time) vb.RequireClaim("jti");
  } else {
    vb.AddIssuer(ctx.config.issuer).ExpectType("at+jwt");
  }
  return vb.Build();
}

Judged Judge(ServerContext& ctx, std::string_view token, const std::optional<UnverifiedView>& view,
             const std::optional<std::string>& location_aud) {
  Judged j;
  std::optional<std::string> iss = view->StringClaim("iss");
  if (!iss) {
    Diagnosis d;
    d.claim = "iss";
    j.error = Error(ErrorCode::kMissingClaim,
                    "the token has no \"iss\" claim, so no trusted issuer can judge it", d);
    return j;
  }
  const TrustEntry* entry = nullptr;
  if (*iss != ctx.config.issuer) {
    auto it = ctx.trust.find(*iss);
    if (it == ctx.trust.end()) {
      Diagnosis d;
      d.claim = "iss";
      d.actual = std::vector<std::string>{*iss};
      d.expected.push_back(ctx.config.issuer);
      for (auto& [name, e] : ctx.trust) d.expected.push_back(name);
      j.error = Error(ErrorCode::kIssMismatch,
                      "issuer \"" + *iss + "\" is not trusted by this server", d);
      return j;
    }
    entry = &it->second;
  }
  j.issuer_label = *iss;
  std::shared_ptr<const JwkSet> keys;
  if (entry) {
    Result<std::shared_ptr<const JwkSet>> got =
        entry->keys.Get(view->StringHeader("kid").value_or(""));
    if (!got.ok()) {
      j.error = NoKeys(got.error());
      j.retry_after_s = std::max<std::int64_t>(1, entry->config.cooldown_s);
      return j;
    }
    keys = *got;
  } else {
    keys = std::make_shared<const JwkSet>(ctx.keys->Published(ctx.clock.Now()));
  }
  Result<Validator> policy = PolicyFor(ctx, entry ? &entry->config : nullptr, location_aud);
  if (!policy.ok()) {
    j.error = policy.error();
    return j;
  }
  Verifier verifier(*keys, ctx.clock);
  // one_time tokens never go through the verified-token cache.
  Result<VerifiedToken> verified =
      entry && entry->config.one_time
          ? verifier.Verify(token, *policy)
          : VerifyCached(ctx, verifier, *policy, *iss, token, j.remember);
  if (!verified.ok()) {
    j.error = verified.error();
    return j;
  }
  if (entry && entry->config.one_time) {
    UnixSeconds exp = static_cast<UnixSeconds>(std::ceil(verified->expires_at().value_or(0)));
    Result<void> fresh = ctx.replay->Consume("token:" + *iss + ":" + *verified->jwt_id(),
                                             exp + entry->config.skew_s);
    if (!fresh.ok()) {
      j.error = fresh.error();
      if (fresh.error().code() != ErrorCode::kReplayed) j.retry_after_s = 5;
      return j;
    }
  }
  j.token = std::move(*verified);
  return j;
}

std::vector<std::string> SplitSpaces(const std::string& s) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    std::size_t end = s.find(' ', pos);
    if (end == std::string::npos) end = s.size();
    if (end > pos) out.push_back(s.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

// HeaderValue strips control characters from a claim copied into an
// X-Auth-* header (Beast does not refuse CR/LF in values).
std::string HeaderValue(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
  }
  return out;
}

// kMaxDescriptionBytes bounds error_description in WWW-Authenticate: a
// token's iss or kid can be kilobytes, and a proxy refuses a response header
// over its buffer (nginx: 4 or 8 KiB) with a 502/500 instead of our 401.
constexpr std::size_t kMaxDescriptionBytes = 200;

// ChallengeDescription is |message| with only RFC 6750 characters, cut to
// kMaxDescriptionBytes ending "..."; HeaderSafe leaves ASCII only, so the cut
// never splits a character. The JSON body keeps the whole message.
std::string ChallengeDescription(std::string_view message) {
  std::string safe = HeaderSafe(message);
  if (safe.size() > kMaxDescriptionBytes) {
    safe.resize(kMaxDescriptionBytes - 3);
    safe += "...";
  }
  return safe;
}

// BadQuery is the 400 of a location requirement that cannot be used.
Response BadQuery(const Request& req, const std::string& description) {
  return JsonResponse(
      req, http::status::bad_request,
      JsonWriter().Str("error", "invalid_request").Str("error_description", description).Finish());
}

// BlankRequirement names ?aud= or ?scope= when present but empty or only
// blanks: an nginx variable that expanded to nothing must never mean "no
// requirement" (fail closed).
std::optional<std::string> BlankRequirement(const FormPairs& query) {
  for (const auto& [name, value] : query) {
    if (name != "aud" && name != "scope") continue;
    if (value.find_first_not_of(" \t\r\n") == std::string::npos) return name;
  }
  return std::nullopt;
}

void LogRejected(ServerContext& ctx, const Request& req, const Error& error,
                 const std::optional<UnverifiedView>& view) {
  JsonWriter line = ctx.log.Start("warn", "token_rejected");
  AddErrorFields(line, error);
  line.Str("endpoint", "/validate").Str("remote", req.remote_ip);
  if (view) AddTokenFields(line, *view);
  line.Int("now", ctx.clock.Now());
  ctx.log.Write(line);
}

Response Rejected(ServerContext& ctx, const Request& req, const Error& error,
                  const std::optional<UnverifiedView>& view, const std::string& issuer_label,
                  std::int64_t retry_after_s, bool bare_challenge) {
  LogRejected(ctx, req, error, view);
  ctx.metrics.Inc("tock_validations_total", {{"issuer", issuer_label},
                                             {"result", "rejected"},
                                             {"code", std::string(error.code_string())}});
  if (retry_after_s > 0) {
    Response res = JsonResponse(req, http::status::service_unavailable, VerifyRejectedJson(error));
    res.set(http::field::retry_after, std::to_string(retry_after_s));
    return res;
  }
  Response res = JsonResponse(req, http::status::unauthorized, VerifyRejectedJson(error));
  // RFC 6750 §3.1: a request without credentials gets a bare challenge.
  res.set(http::field::www_authenticate,
          bare_challenge ? std::string("Bearer")
                         : "Bearer error=\"invalid_token\", error_description=\"" +
                               ChallengeDescription(error.message()) + "\"");
  return res;
}

}  // namespace

bool ValidateBlocks(ServerContext& ctx, const Request& req) {
  if (ctx.trust.empty()) return false;  // our own keys only: in memory
  std::string_view auth = req.Header(http::field::authorization);
  if (auth.size() < 7) return false;
  std::string_view token = auth.substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  Result<UnverifiedView> view = InspectUnverified(token);
  if (!view.ok()) return false;
  std::optional<std::string> iss = view->StringClaim("iss");
  auto it = iss ? ctx.trust.find(*iss) : ctx.trust.end();
  if (it == ctx.trust.end()) return false;
  const TrustEntry& entry = it->second;
  // one_time consumes the jti in the replay store (Redis, a database).
  if (entry.config.one_time && ctx.replay->Name() != "memory") return true;
  return entry.keys.remote && entry.keys.remote->WouldWait(view->StringHeader("kid").value_or(""));
}

Response HandleValidate(ServerContext& ctx, const Request& req) {
  // The query is the location's requirement (?aud=, ?scope=): one that does
  // not decode must fail closed, not be read as "no requirement".
  Result<FormPairs> query = ParseForm(req.query, "the query string");
  if (!query.ok()) return BadQuery(req, query.error().message());
  if (std::optional<std::string> blank = BlankRequirement(*query)) {
    return BadQuery(req, "?" + *blank + "= is present but empty: a location that requires " +
                             (*blank == "aud" ? "an audience" : "scopes") +
                             " must name it (check the nginx variable it is built from)");
  }
  std::string_view auth = req.Header(http::field::authorization);
  if (auth.empty()) {
    Error error(ErrorCode::kMalformed,
                "no Authorization header: send \"Authorization: Bearer TOKEN\"");
    return Rejected(ctx, req, error, std::nullopt, "untrusted", 0, true);
  }
  if (auth.size() < 7 || !std::equal(auth.begin(), auth.begin() + 7, "bearer ", [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == b;
      })) {
    Error error(ErrorCode::kMalformed, "the Authorization header is not \"Bearer TOKEN\"");
    return Rejected(ctx, req, error, std::nullopt, "untrusted", 0, false);
  }
  std::string_view token = auth.substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  std::optional<std::string> location_aud = FormValue(*query, "aud");
  std::optional<std::string> location_scope = FormValue(*query, "scope");

  Result<UnverifiedView> inspected = InspectUnverified(token);
  if (!inspected.ok())
    return Rejected(ctx, req, inspected.error(), std::nullopt, "untrusted", 0, false);
  std::optional<UnverifiedView> view = *inspected;
  Judged j = Judge(ctx, token, view, location_aud);
  if (j.error) return Rejected(ctx, req, *j.error, view, j.issuer_label, j.retry_after_s, false);

  const VerifiedToken& t = *j.token;
  std::string scope = t.StringClaim("scope").value_or("");
  if (location_scope) {
    std::vector<std::string> have = SplitSpaces(scope);
    for (const std::string& need : SplitSpaces(*location_scope)) {
      if (std::find(have.begin(), have.end(), need) != have.end()) continue;
      std::string message = "the token's scope \"" + scope + "\" lacks \"" + need +
                            "\", which this location requires";
      JsonWriter line = ctx.log.Start("warn", "token_rejected");
      line.Str("code", "insufficient_scope")
          .Str("message", message)
          .Str("endpoint", "/validate")
          .Str("remote", req.remote_ip);
      AddTokenFields(line, *view);
      line.Int("now", t.now());
      ctx.log.Write(line);
      ctx.metrics.Inc(
          "tock_validations_total",
          {{"issuer", j.issuer_label}, {"result", "rejected"}, {"code", "insufficient_scope"}});
      std::string error = JsonWriter()
                              .Str("code", "insufficient_scope")
                              .Str("message", message)
                              .Str("claim", "scope")
                              .Str("expected", *location_scope)
                              .Str("actual", scope)
                              .Finish();
      Response res = JsonResponse(req, http::status::forbidden,
                                  JsonWriter()
                                      .Bool("valid", false)
                                      .Raw("error", error)
                                      .Raw("problems", "[" + error + "]")
                                      .Finish());
      res.set(http::field::www_authenticate, "Bearer error=\"insufficient_scope\", scope=\"" +
                                                 ChallengeDescription(*location_scope) +
                                                 "\", error_description=\"" +
                                                 ChallengeDescription(message) + "\"");
      return res;
    }
  }
  ctx.metrics.Inc("tock_validations_total",
                  {{"issuer", j.issuer_label}, {"result", "accepted"}, {"code", "ok"}});
  if (auto iat = t.issued_at()) {
    // Each token counts once (by jti, else a hash of the token), so a token
    // presented many times does not read as clock skew.
    std::string id =
        j.issuer_label + "\n" +
        t.jwt_id().value_or("#" + std::to_string(std::hash<std::string_view>{}(token)));
    UnixSeconds forget = static_cast<UnixSeconds>(t.expires_at().value_or(double(t.now()))) + 600;
    if (ctx.skew_seen.FirstSight(id, forget, t.now()))
      ctx.metrics.ObserveSkew(j.issuer_label, *iat - double(t.now()));
  }
  if (j.remember) RememberAccepted(ctx, *j.remember, t);
  Response res = MakeResponse(req, http::status::no_content, "", "");
  res.set("X-Auth-Subject", HeaderValue(t.subject().value_or("")));
  res.set("X-Auth-Issuer", HeaderValue(t.issuer().value_or("")));
  res.set("X-Auth-Scope", HeaderValue(scope));
  if (auto exp = t.expires_at())
    res.set("X-Auth-Expires", std::to_string(static_cast<std::int64_t>(std::floor(*exp))));
  return res;
}

}  // namespace tock::server
