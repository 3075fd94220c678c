// GET /validate: judge a bearer token for nginx auth_request or any caller.
#include <algorithm>
#include <cmath>
#include <functional>

#include "endpoints.h"
#include "key_resolution.h"
#include "replay/consume_jti.h"
#include "tock/app/json_writer.h"
#include "tock/app/report.h"
#include "tock/validator.h"
#include "tock/verifier.h"
#include "validate/cached_verify.h"

namespace tock::server {
namespace {

// RetryLater marks |error| as a 503 with Retry-After |seconds|: the token
// could not be judged now (keys or the replay store unreachable).
Error RetryLater(Error error, std::int64_t seconds) {
  error.mutable_diagnosis().retry_after_s = static_cast<double>(seconds);
  return error;
}

// IssuerLabel names the metrics series: only trusted issuers name one.
std::string IssuerLabel(const ServerContext& ctx, const std::optional<UnverifiedView>& view) {
  std::optional<std::string> iss = view ? view->StringClaim("iss") : std::nullopt;
  return iss && ctx.issuer_keys.Find(*iss) ? *iss : "untrusted";
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

// Judge checks one token: the keys of its issuer (ours or a [[trust]]
// entry's), that issuer's policy, and a one_time entry's jti. A failure
// that could not judge carries retry_after_s (RetryLater). A token verified
// on a verified-token cache miss sets |remember|, for RememberAccepted once
// the request is accepted.
Result<VerifiedToken> Judge(ServerContext& ctx, std::string_view token, const UnverifiedView& view,
                            const std::optional<std::string>& location_aud,
                            std::optional<ToRemember>& remember) {
  std::optional<std::string> iss = view.StringClaim("iss");
  Result<std::shared_ptr<const JwkSet>> keys =
      ResolveKeys(ctx, KeyOwners::kIssuers, TokenHeader::Of(view), iss);
  // Our own issuer (checked with our published keys) is never a trust entry.
  auto it = iss && *iss != ctx.config.issuer ? ctx.trust.find(*iss) : ctx.trust.end();
  const TrustEntry* entry = it == ctx.trust.end() ? nullptr : &it->second;
  if (!keys.ok()) {
    if (keys.error().code() != ErrorCode::kNetworkError) return keys.error();
    return RetryLater(Error(ErrorCode::kNetworkError,
                            "keys for this issuer cannot be had: " + keys.error().message()),
                      std::max<std::int64_t>(1, entry ? entry->config.cooldown_s : 0));
  }
  Result<Validator> policy = PolicyFor(ctx, entry ? &entry->config : nullptr, location_aud);
  if (!policy.ok()) return policy.error();
  Verifier verifier(**keys, ctx.clock);
  const bool one_time = entry && entry->config.one_time;
  // one_time tokens never go through the verified-token cache.
  Result<VerifiedToken> verified =
      one_time ? verifier.Verify(token, *policy)
               : VerifyCached(ctx, verifier, *policy, iss.value_or(""), token, remember);
  if (!verified.ok() || !one_time) return verified;
  Result<void> fresh = ConsumeJti(*ctx.replay, "token", *iss, *verified, entry->config.skew_s);
  if (fresh.ok()) return verified;
  if (fresh.error().code() == ErrorCode::kReplayed) return fresh.error();
  return RetryLater(fresh.error(), 5);
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

// MissingScope is the insufficient_scope error of a token whose |scope|
// lacks one that the location's |required| names; nullopt when it has all.
std::optional<Error> MissingScope(const std::string& scope, const std::string& required) {
  std::vector<std::string> have = SplitSpaces(scope);
  for (const std::string& need : SplitSpaces(required)) {
    if (std::find(have.begin(), have.end(), need) != have.end()) continue;
    Diagnosis d;
    d.claim = "scope";
    d.expected = {required};
    d.actual = std::vector<std::string>{scope};
    return Error(
        ErrorCode::kInsufficientScope,
        "the token's scope \"" + scope + "\" lacks \"" + need + "\", which this location requires",
        d);
  }
  return std::nullopt;
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

// Challenge is the WWW-Authenticate of a 401 or 403 (RFC 6750 §3); a
// request without credentials gets a bare one (§3.1).
std::string Challenge(const Error& error, bool bare_challenge) {
  if (bare_challenge) return "Bearer";
  if (error.code() == ErrorCode::kInsufficientScope) {
    return "Bearer error=\"insufficient_scope\", scope=\"" +
           ChallengeDescription(error.diagnosis().expected.front()) + "\", error_description=\"" +
           ChallengeDescription(error.message()) + "\"";
  }
  return "Bearer error=\"invalid_token\", error_description=\"" +
         ChallengeDescription(error.message()) + "\"";
}

// Rejected answers 503 (with Retry-After) to an error that could not judge
// the token, 403 to insufficient_scope, else 401.
Response Rejected(ServerContext& ctx, const Request& req, const Error& error,
                  const std::optional<UnverifiedView>& view, bool bare_challenge = false) {
  LogRejected(ctx, req, error, view);
  ctx.metrics.Inc("tock_validations_total", {{"issuer", IssuerLabel(ctx, view)},
                                             {"result", "rejected"},
                                             {"code", std::string(error.code_string())}});
  if (std::optional<double> retry_after = error.diagnosis().retry_after_s) {
    Response res = JsonResponse(req, http::status::service_unavailable, VerifyRejectedJson(error));
    res.set(http::field::retry_after, std::to_string(static_cast<std::int64_t>(*retry_after)));
    return res;
  }
  const bool forbidden = error.code() == ErrorCode::kInsufficientScope;
  Response res = JsonResponse(req, forbidden ? http::status::forbidden : http::status::unauthorized,
                              VerifyRejectedJson(error));
  res.set(http::field::www_authenticate, Challenge(error, bare_challenge));
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
  // A fetch would be waited for: no usable set, or a kid the set lacks.
  HeldKeys held = entry.keys->Held(iss);
  if (!held.usable || !held.keys) return true;
  std::string kid = view->StringHeader("kid").value_or("");
  return !kid.empty() && held.keys->Candidates(kid, true).empty();
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
    return Rejected(ctx, req, error, std::nullopt, true);
  }
  if (auth.size() < 7 || !std::equal(auth.begin(), auth.begin() + 7, "bearer ", [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == b;
      })) {
    Error error(ErrorCode::kMalformed, "the Authorization header is not \"Bearer TOKEN\"");
    return Rejected(ctx, req, error, std::nullopt);
  }
  std::string_view token = auth.substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  std::optional<std::string> location_aud = FormValue(*query, "aud");
  std::optional<std::string> location_scope = FormValue(*query, "scope");

  Result<UnverifiedView> inspected = InspectUnverified(token);
  if (!inspected.ok()) return Rejected(ctx, req, inspected.error(), std::nullopt);
  std::optional<UnverifiedView> view = *inspected;
  std::optional<ToRemember> remember;
  Result<VerifiedToken> judged = Judge(ctx, token, *view, location_aud, remember);
  if (!judged.ok()) return Rejected(ctx, req, judged.error(), view);

  const VerifiedToken& t = *judged;
  const std::string issuer_label = IssuerLabel(ctx, view);
  std::string scope = t.StringClaim("scope").value_or("");
  if (location_scope) {
    if (std::optional<Error> missing = MissingScope(scope, *location_scope))
      return Rejected(ctx, req, *missing, view);
  }
  ctx.metrics.Inc("tock_validations_total",
                  {{"issuer", issuer_label}, {"result", "accepted"}, {"code", "ok"}});
  if (auto iat = t.issued_at()) {
    // Each token counts once (by jti, else a hash of the token), so a token
    // presented many times does not read as clock skew.
    std::string id =
        issuer_label + "\n" +
        t.jwt_id().value_or("#" + std::to_string(std::hash<std::string_view>{}(token)));
    UnixSeconds forget = static_cast<UnixSeconds>(t.expires_at().value_or(double(t.now()))) + 600;
    if (ctx.skew_seen.FirstSight(id, forget, t.now()))
      ctx.metrics.ObserveSkew(issuer_label, *iat - double(t.now()));
  }
  if (remember) RememberAccepted(ctx, *remember, t);
  Response res = MakeResponse(req, http::status::no_content, "", "");
  res.set("X-Auth-Subject", HeaderValue(t.subject().value_or("")));
  res.set("X-Auth-Issuer", HeaderValue(t.issuer().value_or("")));
  res.set("X-Auth-Scope", HeaderValue(scope));
  if (auto exp = t.expires_at())
    res.set("X-Auth-Expires", std::to_string(static_cast<std::int64_t>(std::floor(*exp))));
  return res;
}

}  // namespace tock::server
