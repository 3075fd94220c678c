// `tock verify [TOKEN]`: verify the signature and validate the claims.
#include <iostream>
#include <memory>

#include "commands/commands.h"
#include "common/options.h"
#include "render/human.h"
#include "render/json.h"
#include "tock/defaults.h"

namespace tock::cli {
namespace {

struct VerifyOptions {
  Output out{"verify"};
  std::string token;
  ClockOptions clock;
  KeySourceOptions keys;
  std::vector<std::string> algs;
  std::vector<std::string> issuers;
  std::vector<std::string> audiences;
  std::string subject;
  std::string type;
  std::vector<std::string> required;
  bool no_require_exp = false;
  std::string max_age;
  std::string max_lifetime;
  std::string skew;
  std::size_t max_token_bytes = kDefaultMaxTokenBytes;
  CLI::Option* subject_opt = nullptr;
  CLI::Option* type_opt = nullptr;
};

Result<Validator> BuildValidator(const VerifyOptions& o) {
  ValidatorBuilder builder;
  for (const std::string& name : o.algs) {
    Result<Algorithm> alg = ParseAlgorithmOption("--alg", name);
    if (!alg.ok()) return std::move(alg).error();
    builder.AllowAlgorithm(*alg);
  }
  for (const std::string& iss : o.issuers) builder.AddIssuer(iss);
  for (const std::string& aud : o.audiences) builder.AddAudience(aud);
  if (o.subject_opt->count() > 0) builder.ExpectSubject(o.subject);
  if (o.type_opt->count() > 0) builder.ExpectType(o.type);
  for (const std::string& claim : o.required) builder.RequireClaim(claim);
  if (o.no_require_exp) builder.AllowMissingExp();
  if (!o.max_age.empty()) {
    Result<std::int64_t> d = ParseDurationOption("--max-age", o.max_age);
    if (!d.ok()) return std::move(d).error();
    builder.MaxAge(*d);
  }
  if (!o.max_lifetime.empty()) {
    Result<std::int64_t> d = ParseDurationOption("--max-lifetime", o.max_lifetime);
    if (!d.ok()) return std::move(d).error();
    builder.MaxLifetime(*d);
  }
  if (!o.skew.empty()) {
    Result<std::int64_t> d = ParseDurationOption("--skew", o.skew);
    if (!d.ok()) return std::move(d).error();
    builder.Skew(*d);
  }
  builder.MaxTokenBytes(o.max_token_bytes);
  return builder.Build();
}

int RunVerify(const VerifyOptions& o) {
  Result<std::unique_ptr<ClockSetting>> clock = ClockSetting::Make(o.clock);
  if (!clock.ok()) return ReportCannotJudge(o.out, clock.error());
  Result<Validator> validator = BuildValidator(o);
  if (!validator.ok()) return ReportCannotJudge(o.out, validator.error());
  if (o.keys.SourceCount() == 0) {
    return ReportCannotJudge(
        o.out, UsageError("verify needs a key: give --key, --jwks, --secret, --secret-file or "
                          "--secret-b64."));
  }
  Result<std::vector<Key>> keys = o.keys.Load(o.out);
  if (!keys.ok()) return ReportCannotJudge(o.out, keys.error());
  Verifier verifier(JwkSet(std::move(keys).value()), (*clock)->clock());
  // An --alg no configured key can perform is a contradictory invocation
  // (exit 2), not a rejection of the token.
  if (Result<void> policy = verifier.CheckPolicy(*validator); !policy.ok()) {
    return ReportCannotJudge(o.out, policy.error());
  }
  Result<std::string> token = ReadToken(o.token);
  if (!token.ok()) return ReportCannotJudge(o.out, token.error());

  TracedVerification verified = verifier.VerifyWithTrace(*token, *validator);
  if (!verified.result.ok() && verified.result.error().disposition() == Disposition::kCannotJudge) {
    return ReportCannotJudge(o.out, verified.result.error());
  }
  std::cout << (o.out.json ? VerifyJson(verified) + "\n" : RenderVerify(verified, StdoutStyle()));
  if (verified.result.ok()) return kExitOk;
  return kExitRejected;
}

}  // namespace

Command RegisterVerify(CLI::App& root) {
  auto o = std::make_shared<VerifyOptions>();
  CLI::App* app =
      root.add_subcommand("verify", "Verify a token's signature and validate its claims");
  app->add_option("token", o->token, "The token; omitted or - reads stdin (\"Bearer \" stripped)")
      ->type_name("TOKEN");
  app->add_flag("--json", o->out.json, "One JSON document on stdout");
  o->keys.Register(*app, /*verifying=*/true);
  o->clock.Register(*app);
  auto repeatable = [&](std::string name, std::vector<std::string>& into, std::string help,
                        std::string type) {
    app->add_option(name, into, help)->type_name(type)->allow_extra_args(false);
  };
  repeatable("--alg", o->algs, "Allowed algorithm; repeatable (default: what the keys can do)",
             "ALG");
  repeatable("--iss", o->issuers, "Accepted issuer; repeatable", "ISS");
  repeatable("--aud", o->audiences, "Accepted audience; repeatable", "AUD");
  o->subject_opt = app->add_option("--sub", o->subject, "Required subject")->type_name("SUB");
  o->type_opt =
      app->add_option("--typ", o->type, "Required typ header (case-insensitive)")->type_name("TYP");
  repeatable("--require", o->required, "Claim that must be present; repeatable", "CLAIM");
  app->add_flag("--no-require-exp", o->no_require_exp, "Accept tokens without exp");
  app->add_option("--max-age", o->max_age, "Reject when now - iat exceeds D + skew")
      ->type_name("D");
  app->add_option("--max-lifetime", o->max_lifetime, "Reject when exp - iat exceeds D")
      ->type_name("D");
  app->add_option("--skew", o->skew,
                  std::string("Clock skew tolerance for exp, nbf, iat (default ") +
                      std::to_string(kDefaultSkewSeconds) + "s)")
      ->type_name("D");
  app->add_option("--max-token-bytes", o->max_token_bytes, "Longest token accepted")
      ->type_name("N")
      ->capture_default_str();
  return Command{app, [o] { return RunVerify(*o); }};
}

}  // namespace tock::cli
