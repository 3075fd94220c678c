// `tock probe URL`: measure a remote validator's clock offset and the clock
// skew it allows from the outside (cli.md). The method is in probe_search.cc,
// the HTTP in probe_http.cc, the output in render/probe_render.cc.
#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>
#include <thread>

#include "commands/commands.h"
#include "commands/probe_http.h"
#include "commands/probe_search.h"
#include "common/options.h"
#include "render/escape.h"
#include "render/probe_render.h"

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
  std::string method = "GET";
  std::vector<std::string> headers;
  std::string bearer_header = "Authorization";
  std::string accept = "2xx";
  std::string max = "1h";
  std::int64_t max_requests = 64;
  double rate = 10;
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
  SigningSetup setup{*chosen, alg ? *alg : chosen->DefaultAlgorithm(), TokenBuilder()};
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

Result<ProbeRequest> MakeRequest(const ProbeOptions& o) {
  ProbeRequest request;
  request.url = o.url;
  request.method = o.method;
  if (o.method.empty() || o.method.find_first_of(" \t\r\n") != std::string::npos) {
    return UsageError("--method: \"" + o.method + "\" is not an HTTP method.");
  }
  for (const std::string& h : o.headers) {
    Result<std::pair<std::string, std::string>> header = ParseHeaderOption(h);
    if (!header.ok()) return std::move(header).error();
    request.headers.push_back(std::move(*header));
  }
  if (o.bearer_header.empty() || o.bearer_header.find_first_of(" \t\r\n:") != std::string::npos) {
    return UsageError("--bearer-header: \"" + o.bearer_header + "\" is not a header name.");
  }
  request.bearer_header = o.bearer_header;
  Result<AcceptSet> accept = AcceptSet::Parse(o.accept);
  if (!accept.ok()) return std::move(accept).error();
  request.accept = std::move(*accept);
  return request;
}

Result<ProbeLimits> MakeLimits(const ProbeOptions& o) {
  ProbeLimits limits;
  Result<std::int64_t> max = ParseDurationOption("--max", o.max);
  if (!max.ok()) return std::move(max).error();
  if (*max < 1) return UsageError("--max must be at least 1s.");
  limits.max_s = *max;
  if (o.max_requests < 1) return UsageError("--max-requests must be at least 1.");
  limits.max_requests = o.max_requests;
  if (!(o.rate > 0) || !std::isfinite(o.rate)) return UsageError("--rate must be above 0.");
  limits.rate = o.rate;
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
  Result<ProbeRequest> request = MakeRequest(o);
  if (!request.ok()) return ReportCannotJudge(o.out, request.error());
  Result<SigningSetup> signing = PrepareSigning(o);
  if (!signing.ok()) return ReportCannotJudge(o.out, signing.error());
  Result<std::unique_ptr<HttpProber>> prober = HttpProber::Make(std::move(*request));
  if (!prober.ok()) return ReportCannotJudge(o.out, prober.error());

  SendProbe send = [&](const ProbeClaims& claims) -> Result<ProbeAnswer> {
    Result<std::string> token = SignProbe(*signing, claims);
    if (!token.ok()) return std::move(token).error();
    return (*prober)->Send(*token);
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
  app.add_option("--method", o.method, "HTTP method")->capture_default_str();
  app.add_option("--header", o.headers, "Extra request header; repeatable")
      ->type_name("'Name: value'")
      ->allow_extra_args(false);
  app.add_option("--bearer-header", o.bearer_header, "Header that carries 'Bearer TOKEN'")
      ->type_name("NAME")
      ->capture_default_str();
  app.add_option("--accept", o.accept, "Statuses that mean accepted, e.g. 200,204 or 2xx")
      ->type_name("CODES")
      ->capture_default_str();
  app.add_option("--max", o.max, "Search range on each side")
      ->type_name("D")
      ->capture_default_str();
  app.add_option("--max-requests", o.max_requests, "Hard cap on requests sent")
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--rate", o.rate, "Requests per second at most")
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
