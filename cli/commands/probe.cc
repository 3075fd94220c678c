// `tock probe URL`: measure a remote validator's clock offset and the clock
// skew it allows from the outside (cli.md). The method is in probe_search.cc,
// the HTTP in common/bearer_request.cc (shared with audit), the output in render/probe_render.cc.
#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>
#include <thread>

#include "commands/commands.h"
#include "commands/probe_search.h"
#include "common/bearer_request.h"
#include "common/options.h"
#include "render/escape.h"
#include "render/probe_render.h"
#include "tock/app/key_type.h"

namespace tock::cli {
namespace {

struct ProbeOptions {
  Output out{"probe"};
  ClockOptions clock;
  KeySourceOptions keys;
  std::string url;
  std::string alg, kid, typ = "JWT";
  std::string iss, sub;
  std::vector<std::string> audiences, claims;
  BearerFlags request;  // --method, --header, --bearer-header, --accept, --rate
  std::string max = "1h";
  std::int64_t max_requests = 64;
  std::string max_offset, min_skew;
  CLI::Option* kid_opt = nullptr;
  CLI::Option* iss_opt = nullptr;
  CLI::Option* sub_opt = nullptr;
};

// SigningSetup is the key, its algorithm and the token every probe starts
// from (header and non-time claims); time claims and jti are set per probe.
struct SigningSetup {
  Key key;
  Algorithm alg;
  TokenBuilder base;
};

Result<SigningSetup> PrepareSigning(const ProbeOptions& o) {
  if (o.keys.SourceCount() != 1) {
    return UsageError(
        "probe needs exactly one key the validator trusts: give --key, --secret, "
        "--secret-file or --secret-b64.");
  }
  std::optional<Algorithm> alg;
  if (!o.alg.empty()) {
    Result<Algorithm> parsed = ParseAlgorithmOption("--alg", o.alg);
    if (!parsed.ok()) return std::move(parsed).error();
    alg = *parsed;
  }
  Result<std::vector<Key>> keys = o.keys.Load(o.out);
  if (!keys.ok()) return std::move(keys).error();
  const Key* chosen = nullptr;
  for (const Key& k : *keys) {
    if (k.has_private() && (!alg || k.CanPerform(*alg))) {
      chosen = &k;
      break;
    }
  }
  if (chosen == nullptr) {
    return Error(ErrorCode::kKeyError, "no key given can sign" +
                                           (alg ? " with " + std::string(ToString(*alg)) : "") +
                                           " (a probe needs a private key or a secret).");
  }
  SigningSetup setup{*chosen, alg ? *alg : DefaultAlgorithm(*chosen), TokenBuilder()};
  TokenBuilder& b = setup.base;
  b.SetType(o.typ);
  if (o.kid_opt->count() > 0) {
    b.SetKid(o.kid);
  } else if (chosen->kid()) {
    b.SetKid(chosen->kid());
  } else if (chosen->type() != KeyType::kOct) {
    b.SetKid(chosen->Thumbprint());
  }
  if (o.iss_opt->count() > 0) b.SetString("iss", o.iss);
  if (o.sub_opt->count() > 0) b.SetString("sub", o.sub);
  if (!o.audiences.empty()) b.SetAudiences(o.audiences);
  for (const std::string& assignment : o.claims) {
    Result<std::pair<std::string, std::string>> kv = SplitAssignment("--claim", assignment);
    if (!kv.ok()) return std::move(kv).error();
    b.SetClaimFromText(kv->first, kv->second);
  }
  return setup;
}

// SignProbe stamps the probe's own time claims (they win over --claim) and
// a fresh jti, so a validator that refuses replays still judges each one.
Result<std::string> SignProbe(const SigningSetup& setup, const ProbeClaims& c) {
  TokenBuilder b = setup.base;
  auto stamp = [&b](const char* name, const std::optional<std::int64_t>& value) {
    if (value) {
      b.SetNumber(name, *value);
    } else {
      b.RemoveClaim(name);
    }
  };
  stamp("iat", c.iat);
  stamp("nbf", c.nbf);
  stamp("exp", c.exp);
  b.SetString("jti", RandomJti());
  return b.Sign(setup.key, setup.alg);
}

// MakeRequest is the shared request; the search paces the probes itself
// (just after whole seconds, at --rate), so the client adds no pause.
Result<BearerRequest> MakeRequest(const ProbeOptions& o, const ProbeLimits& limits) {
  Result<BearerRequest> request = o.request.ToRequest(o.url);
  if (!request.ok()) return request;
  request->rate_per_s = 0;
  request->max_requests = static_cast<int>(std::min<std::int64_t>(limits.max_requests, 1 << 30));
  request->user_agent = "tock-probe";
  return request;
}

// ToProbeAnswer classifies an answer: 429 and 5xx are kProbeError (the
// probe stops), no answer kNetworkError.
Result<ProbeAnswer> ToProbeAnswer(const BearerClient& client,
                                  const std::optional<BearerAnswer>& answer) {
  if (!answer) return Error(ErrorCode::kProbeError, "the request cap is reached");
  if (!answer->status) return Error(ErrorCode::kNetworkError, answer->transport_error);
  const int status = *answer->status;
  const std::string& challenge = answer->www_authenticate;
  const std::string detail =
      "HTTP " + std::to_string(status) +
      (challenge.empty() ? " (no WWW-Authenticate)" : ", WWW-Authenticate: " + challenge);
  if (status == 429 || status >= 500) {
    return Error(ErrorCode::kProbeError,
                 "the validator answered " + detail +
                     (status == 429 ? ": it is rate-limiting the probe" : ": it is failing"));
  }
  return ProbeAnswer{client.Accepted(status), detail, answer->rtt_ms};
}

Result<ProbeLimits> MakeLimits(const ProbeOptions& o) {
  ProbeLimits limits;
  Result<std::int64_t> max = ParseDurationOption("--max", o.max);
  if (!max.ok()) return std::move(max).error();
  if (*max < 1) return UsageError("--max must be at least 1s.");
  limits.max_s = *max;
  if (o.max_requests < 1) return UsageError("--max-requests must be at least 1.");
  limits.max_requests = o.max_requests;
  limits.rate = o.request.rate;  // checked by BearerFlags::ToRequest
  return limits;
}

// Gates are --max-offset and --min-skew, parsed before any request.
struct Gates {
  std::optional<std::int64_t> max_offset_s, min_skew_s;
};

Result<Gates> ParseGates(const ProbeOptions& o) {
  Gates gates;
  if (!o.max_offset.empty()) {
    Result<std::int64_t> limit = ParseDurationOption("--max-offset", o.max_offset);
    if (!limit.ok()) return std::move(limit).error();
    gates.max_offset_s = *limit;
  }
  if (!o.min_skew.empty()) {
    Result<std::int64_t> limit = ParseDurationOption("--min-skew", o.min_skew);
    if (!limit.ok()) return std::move(limit).error();
    gates.min_skew_s = *limit;
  }
  return gates;
}

// ApplyGates: exit 1 with the reasons on stderr when a gate fails.
int ApplyGates(const Gates& gates, const ProbeFindings& f) {
  int code = kExitOk;
  if (gates.max_offset_s && std::fabs(f.offset_s) > static_cast<double>(*gates.max_offset_s)) {
    std::cerr << "tock probe: the validator's clock offset " << f.offset_s
              << " s exceeds --max-offset " << *gates.max_offset_s << "s.\n";
    code = kExitRejected;
  }
  if (gates.min_skew_s && f.skew_s < static_cast<double>(*gates.min_skew_s)) {
    std::cerr << "tock probe: the validator allows " << f.skew_s
              << " s of clock skew, below --min-skew " << *gates.min_skew_s << "s.\n";
    code = kExitRejected;
  }
  return code;
}

int RunProbeCommand(const ProbeOptions& o) {
  if (!o.clock.now.empty()) {
    return ReportCannotJudge(o.out, UsageError("--now is refused for probe: the validator's "
                                               "clock runs, so ours must too."));
  }
  Result<std::unique_ptr<ClockSetting>> clock = ClockSetting::Make(o.clock);
  if (!clock.ok()) return ReportCannotJudge(o.out, clock.error());
  Result<ProbeLimits> limits = MakeLimits(o);
  if (!limits.ok()) return ReportCannotJudge(o.out, limits.error());
  Result<Gates> gates = ParseGates(o);
  if (!gates.ok()) return ReportCannotJudge(o.out, gates.error());
  Result<BearerRequest> request = MakeRequest(o, *limits);
  if (!request.ok()) return ReportCannotJudge(o.out, request.error());
  Result<SigningSetup> signing = PrepareSigning(o);
  if (!signing.ok()) return ReportCannotJudge(o.out, signing.error());
  BearerClient client(std::move(*request));

  SendProbe send = [&](const ProbeClaims& claims) -> Result<ProbeAnswer> {
    Result<std::string> token = SignProbe(*signing, claims);
    if (!token.ok()) return std::move(token).error();
    return ToProbeAnswer(client, client.Send(*token));
  };
  ProbeTiming timing{&(*clock)->clock(), [](double seconds) {
                       std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
                     }};
  Result<ProbeFindings> findings = RunProbe(send, timing, *limits);
  if (!findings.ok()) return ReportCannotJudge(o.out, findings.error());
  if (o.out.json) {
    std::cout << ProbeJson(o.url, *findings) << "\n";
  } else {
    std::cout << RenderProbe(o.url, *findings, StdoutStyle());
  }
  return ApplyGates(*gates, *findings);
}

void RegisterTokenFlags(CLI::App& app, ProbeOptions& o) {
  o.keys.Register(app, /*verifying=*/false);
  app.add_option("--alg", o.alg, "Algorithm (default from the key)")->type_name("ALG");
  o.kid_opt = app.add_option("--kid", o.kid, "kid header (default as for sign)");
  o.kid_opt->type_name("KID");
  app.add_option("--typ", o.typ, "typ header")->capture_default_str();
  o.iss_opt = app.add_option("--iss", o.iss, "iss claim of every probe token")->type_name("ISS");
  o.sub_opt = app.add_option("--sub", o.sub, "sub claim")->type_name("SUB");
  app.add_option("--aud", o.audiences, "aud claim; repeatable")
      ->type_name("AUD")
      ->allow_extra_args(false);
  app.add_option("--claim", o.claims, "Claim; VALUE is JSON when valid JSON, else a string")
      ->type_name("NAME=VALUE")
      ->allow_extra_args(false);
}

void RegisterRequestFlags(CLI::App& app, ProbeOptions& o) {
  o.request.Register(app);
  app.add_option("--max", o.max, "Search range on each side")
      ->type_name("D")
      ->capture_default_str();
  app.add_option("--max-requests", o.max_requests, "Hard cap on requests sent")
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--max-offset", o.max_offset, "Exit 1 when |offset| exceeds D")->type_name("D");
  app.add_option("--min-skew", o.min_skew, "Exit 1 when the skew allowed is below D")
      ->type_name("D");
}

}  // namespace

Command RegisterProbe(CLI::App& root) {
  auto o = std::make_shared<ProbeOptions>();
  CLI::App* app = root.add_subcommand(
      "probe", "Measure a remote validator's clock offset and allowed skew from outside");
  app->add_option("URL", o->url, "The API that checks bearer tokens")->required();
  RegisterTokenFlags(*app, *o);
  RegisterRequestFlags(*app, *o);
  app->add_flag("--json", o->out.json, "One JSON document on stdout");
  o->clock.Register(*app);
  app->footer(
      "Sends tokens with nbf in the future and exp in the past, one just after each whole "
      "second,\nand bisects to the edges U (nbf) and L (exp): offset = (U - L) / 2, skew = "
      "(U + L) / 2.\nExit 0 measured, 1 a --max-offset/--min-skew gate failed, 2 could not "
      "measure.");
  return Command{app, [o] { return RunProbeCommand(*o); }};
}

}  // namespace tock::cli
