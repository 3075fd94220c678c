// `tock sign`: make and sign a compact JWS with skew-safe time claims.
#include <iostream>
#include <memory>

#include "commands/commands.h"
#include "common/options.h"
#include "render/escape.h"
#include "tock/app/files.h"
#include "tock/app/key_type.h"
#include "tock/app/time_text.h"
#include "tock/corrected_clock.h"
#include "tock/defaults.h"

namespace tock::cli {
namespace {

struct SignOptions {
  Output out{"sign"};
  ClockOptions clock;
  KeySourceOptions keys;
  std::string alg;
  std::string kid;
  bool no_kid = false;
  std::string typ = "JWT";
  bool no_typ = false;
  std::string iss, sub;
  std::vector<std::string> audiences;
  std::vector<std::string> claims;
  std::string claims_file;
  // Written as cli.md's table writes them ("10m", "60s"): --help shows them.
  std::string ttl = FormatDuration(double(kDefaultTokenTtlSeconds)),
              nbf_backdate = std::to_string(kDefaultNbfBackdateSeconds) + "s", iat_backdate = "0s";
  bool no_nbf = false, no_iat = false, no_exp = false;
  std::string jti;
  bool no_jti = false;
  std::vector<std::string> headers;
  std::vector<std::string> ntp_servers;
  std::string ntp_max = "10m";
  CLI::Option* kid_opt = nullptr;
  CLI::Option* iss_opt = nullptr;
  CLI::Option* sub_opt = nullptr;
  CLI::Option* jti_opt = nullptr;
};

// ChooseKey picks the first key that can sign (with |alg| when given): a key
// file may hold several keys, e.g. a JWKS with public members.
Result<Key> ChooseKey(const std::vector<Key>& keys, std::optional<Algorithm> alg) {
  for (const Key& key : keys) {
    if (key.has_private() && (!alg || key.CanPerform(*alg))) return key;
  }
  std::string why = alg ? "can sign with " + std::string(ToString(*alg)) : "can sign";
  bool any_private = false;
  for (const Key& key : keys) any_private = any_private || key.has_private();
  if (!any_private) why += " (it holds only public keys)";
  return Error(ErrorCode::kKeyError, "no key given to sign " + why + ".");
}

// DefaultKid is the key's own kid (a JWK's), else the RFC 7638 thumbprint
// for asymmetric keys; a bare secret gets none.
std::optional<std::string> DefaultKid(const Key& key) {
  if (key.kid()) return key.kid();
  if (key.type() != KeyType::kOct) return key.Thumbprint();
  return std::nullopt;
}

Result<Lifetime> MakeLifetime(const SignOptions& o) {
  Lifetime lifetime;
  auto read = [&](std::string_view flag, const std::string& text, bool omit,
                  std::optional<std::int64_t>& into) -> Result<void> {
    if (omit) {
      into.reset();
      return {};
    }
    Result<std::int64_t> d = ParseDurationOption(flag, text);
    if (!d.ok()) return std::move(d).error();
    into = *d;
    return {};
  };
  if (Result<void> r = read("--ttl", o.ttl, o.no_exp, lifetime.ttl_s); !r.ok()) {
    return std::move(r).error();
  }
  if (Result<void> r = read("--nbf-backdate", o.nbf_backdate, o.no_nbf, lifetime.nbf_backdate_s);
      !r.ok()) {
    return std::move(r).error();
  }
  if (Result<void> r = read("--iat-backdate", o.iat_backdate, o.no_iat, lifetime.iat_backdate_s);
      !r.ok()) {
    return std::move(r).error();
  }
  lifetime.jti = !o.no_jti && o.jti_opt->count() == 0;
  return lifetime;
}

// FillClaims applies, in order: --claims FILE, the time claims, --iss,
// --sub, --aud, --jti, then each --claim (so an explicit --claim wins).
Result<void> FillClaims(const SignOptions& o, UnixSeconds now, TokenBuilder& builder) {
  if (!o.claims_file.empty()) {
    Result<std::string> text = ReadFile(o.claims_file);
    if (!text.ok()) return std::move(text).error();
    Result<void> merged = builder.MergeClaimsJson(*text);
    if (!merged.ok())
      return UsageError("--claims " + o.claims_file + ": " + merged.error().message());
  }
  Result<Lifetime> lifetime = MakeLifetime(o);
  if (!lifetime.ok()) return std::move(lifetime).error();
  builder.StampTimes(now, *lifetime);
  if (o.no_exp) builder.RemoveClaim("exp");
  if (o.no_nbf) builder.RemoveClaim("nbf");
  if (o.no_iat) builder.RemoveClaim("iat");
  if (o.no_jti) builder.RemoveClaim("jti");
  if (o.iss_opt->count() > 0) builder.SetString("iss", o.iss);
  if (o.sub_opt->count() > 0) builder.SetString("sub", o.sub);
  if (!o.audiences.empty()) builder.SetAudiences(o.audiences);
  if (o.jti_opt->count() > 0) builder.SetString("jti", o.jti);
  for (const std::string& assignment : o.claims) {
    Result<std::pair<std::string, std::string>> kv = SplitAssignment("--claim", assignment);
    if (!kv.ok()) return std::move(kv).error();
    builder.SetClaimFromText(kv->first, kv->second);
  }
  return {};
}

Result<void> FillHeader(const SignOptions& o, const Key& key, TokenBuilder& builder) {
  builder.SetType(o.no_typ ? std::nullopt : std::optional<std::string>(o.typ));
  if (o.no_kid) {
    builder.SetKid(std::nullopt);
  } else if (o.kid_opt->count() > 0) {
    builder.SetKid(o.kid);
  } else {
    builder.SetKid(DefaultKid(key));
  }
  for (const std::string& assignment : o.headers) {
    Result<std::pair<std::string, std::string>> kv = SplitAssignment("--header", assignment);
    if (!kv.ok()) return std::move(kv).error();
    Result<void> set = builder.SetHeaderFromText(kv->first, kv->second);
    if (!set.ok())
      return UsageError("--header " + EscapeControls(kv->first) + ": " + set.error().message());
  }
  return {};
}

// StampTime is the time the token is stamped with: the command's clock, or
// with --ntp that clock corrected by an SNTP measurement (within --ntp-max,
// since SNTP is unauthenticated). --now wins: then no query is made.
Result<UnixSeconds> StampTime(const SignOptions& o, const ClockSetting& clock) {
  if (o.ntp_servers.empty() || !o.clock.now.empty()) return clock.Now();
  Result<std::int64_t> cap = ParseDurationOption("--ntp-max", o.ntp_max);
  if (!cap.ok()) return std::move(cap).error();
  Result<ClockCorrection> c =
      MeasureCorrection(o.ntp_servers, clock.clock(), static_cast<double>(*cap));
  if (!c.ok()) return std::move(c).error();
  PrintNote(o.out, CorrectionNote(*c));
  return OffsetClock(clock.clock(), c->offset_s).Now();
}

int RunSign(const SignOptions& o) {
  Result<std::unique_ptr<ClockSetting>> clock = ClockSetting::Make(o.clock);
  if (!clock.ok()) return ReportCannotJudge(o.out, clock.error());
  if (o.keys.SourceCount() != 1) {
    return ReportCannotJudge(o.out, UsageError("sign needs exactly one key: give --key, --secret, "
                                               "--secret-file or --secret-b64."));
  }
  std::optional<Algorithm> alg;
  if (!o.alg.empty()) {
    Result<Algorithm> parsed = ParseAlgorithmOption("--alg", o.alg);
    if (!parsed.ok()) return ReportCannotJudge(o.out, parsed.error());
    alg = *parsed;
  }
  Result<std::vector<Key>> keys = o.keys.Load(o.out);
  if (!keys.ok()) return ReportCannotJudge(o.out, keys.error());
  Result<Key> key = ChooseKey(*keys, alg);
  if (!key.ok()) return ReportCannotJudge(o.out, key.error());
  if (!alg) alg = DefaultAlgorithm(*key);

  Result<UnixSeconds> now = StampTime(o, **clock);
  if (!now.ok()) return ReportCannotJudge(o.out, now.error());
  TokenBuilder builder;
  if (Result<void> r = FillClaims(o, *now, builder); !r.ok()) {
    return ReportCannotJudge(o.out, r.error());
  }
  if (Result<void> r = FillHeader(o, *key, builder); !r.ok()) {
    return ReportCannotJudge(o.out, r.error());
  }
  Result<std::string> token = builder.Sign(*key, *alg);
  if (!token.ok()) return ReportCannotJudge(o.out, token.error());
  std::cout << *token << "\n";
  return kExitOk;
}

void RegisterClaimFlags(CLI::App& app, SignOptions& o) {
  o.iss_opt = app.add_option("--iss", o.iss, "iss claim")->type_name("ISS");
  o.sub_opt = app.add_option("--sub", o.sub, "sub claim")->type_name("SUB");
  app.add_option("--aud", o.audiences, "aud claim; repeatable (several make an array)")
      ->type_name("AUD")
      ->allow_extra_args(false);
  app.add_option("--claim", o.claims, "Claim; VALUE is JSON when valid JSON, else a string")
      ->type_name("NAME=VALUE")
      ->allow_extra_args(false);
  app.add_option("--claims", o.claims_file, "JSON object of claims, merged first")
      ->type_name("FILE");
  app.add_option("--ttl", o.ttl, "exp = now + D")->type_name("D")->capture_default_str();
  app.add_option("--nbf-backdate", o.nbf_backdate, "nbf = now - D")
      ->type_name("D")
      ->capture_default_str();
  app.add_option("--iat-backdate", o.iat_backdate, "iat = now - D")
      ->type_name("D")
      ->capture_default_str();
  app.add_flag("--no-nbf", o.no_nbf, "Omit nbf");
  app.add_flag("--no-iat", o.no_iat, "Omit iat");
  app.add_flag("--no-exp", o.no_exp, "Omit exp");
  o.jti_opt = app.add_option("--jti", o.jti, "jti claim (default: 128 random bits)");
  o.jti_opt->type_name("ID");
  app.add_flag("--no-jti", o.no_jti, "Omit jti")->excludes(o.jti_opt);
}

}  // namespace

Command RegisterSign(CLI::App& root) {
  auto o = std::make_shared<SignOptions>();
  CLI::App* app = root.add_subcommand("sign", "Make and sign a token; prints it and a newline");
  o->keys.Register(*app, /*verifying=*/false);
  o->clock.Register(*app);
  app->add_option("--alg", o->alg,
                  "Algorithm (default from the key: RS256, ES256, EdDSA, HS256...)")
      ->type_name("ALG");
  o->kid_opt = app->add_option("--kid", o->kid,
                               "kid header (default: the JWK's kid, else its "
                               "RFC 7638 thumbprint; none for bare secrets)");
  o->kid_opt->type_name("KID");
  app->add_flag("--no-kid", o->no_kid, "Omit kid")->excludes(o->kid_opt);
  CLI::Option* typ = app->add_option("--typ", o->typ, "typ header")->capture_default_str();
  app->add_flag("--no-typ", o->no_typ, "Omit typ")->excludes(typ);
  app->add_option("--header", o->headers, "Extra header member; VALUE as for --claim")
      ->type_name("NAME=VALUE")
      ->allow_extra_args(false);
  app->add_option("--ntp", o->ntp_servers,
                  "Measure the offset with SNTP first and stamp corrected time; repeatable")
      ->type_name("HOST[:PORT]")
      ->allow_extra_args(false);
  app->add_option("--ntp-max", o->ntp_max, "Refuse (exit 2) an SNTP offset larger than D")
      ->type_name("D")
      ->capture_default_str();
  RegisterClaimFlags(*app, *o);
  return Command{app, [o] { return RunSign(*o); }};
}

}  // namespace tock::cli
