// `tock audit URL`: attack a live validator with the known JWT attack classes
// and report every token it wrongly accepts (docs/cli.md). This file
// registers the flags, gets the baseline accepted and wires the parts: the
// inputs (audit_inputs), the catalogue (audit_cases*, audit_refs), the
// forging helper (audit_forge), the listener (audit_listener), the request
// layer (common/bearer_request, shared with probe), the runner (audit_runner), the renderers
// (audit_render).
#include <boost/url/parse.hpp>
#include <iostream>
#include <memory>

#include "commands/audit_forge.h"
#include "commands/audit_inputs.h"
#include "commands/audit_render.h"
#include "commands/audit_runner.h"
#include "commands/commands.h"
#include "render/escape.h"

namespace tock::cli {
namespace {

using audit::AuditOptions;

constexpr int kRequestCap = 200;  // cli.md: "at most 200 requests"

// ListenAddress is where the jku/x5u listener binds and the base URL tokens
// name: 127.0.0.1 on a free port; the host and port of --callback-url (for a
// remote validator); --listen HOST:PORT overrides the bind address.
struct ListenAddress {
  std::string host = "127.0.0.1";
  unsigned short port = 0;
  std::string callback_base;  // empty: http://127.0.0.1:<bound port>
};

Result<unsigned short> ParsePort(std::string_view flag, std::string_view text) {
  int port = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || port > 65535) return UsageError(std::string(flag) + ": bad port.");
    port = port * 10 + (c - '0');
  }
  if (text.empty() || port > 65535) return UsageError(std::string(flag) + ": bad port.");
  return static_cast<unsigned short>(port);
}

Result<ListenAddress> ParseListen(const AuditOptions& o) {
  ListenAddress address;
  if (!o.callback_url.empty()) {
    auto url = boost::urls::parse_absolute_uri(o.callback_url);
    if (!url || url->scheme() != "http" || url->host().empty()) {
      return UsageError("--callback-url expects http://HOST[:PORT][/PATH], got \"" +
                        EscapeControls(o.callback_url) + "\".");
    }
    address.host = std::string(url->host_address());
    address.port = url->has_port() ? url->port_number() : 80;
    address.callback_base = o.callback_url;
    while (!address.callback_base.empty() && address.callback_base.back() == '/') {
      address.callback_base.pop_back();
    }
  }
  if (!o.listen.empty()) {
    std::size_t colon = o.listen.rfind(':');
    if (colon == std::string::npos) return UsageError("--listen expects HOST:PORT.");
    Result<unsigned short> port = ParsePort("--listen", o.listen.substr(colon + 1));
    if (!port.ok()) return std::move(port).error();
    address.host = o.listen.substr(0, colon);
    if (address.host.size() > 1 && address.host.front() == '[') {
      address.host = address.host.substr(1, address.host.size() - 2);
    }
    address.port = *port;
  }
  return address;
}

// MakeRequest adds the audit's own limits to the shared request flags.
Result<BearerRequest> MakeRequest(const AuditOptions& o) {
  Result<BearerRequest> request = o.request.ToRequest(o.url);
  if (!request.ok()) return request;
  if (o.max_requests < 1 || o.max_requests > kRequestCap) {
    return UsageError("--max-requests must be between 1 and 200.");
  }
  request->max_requests = o.max_requests;
  Result<std::int64_t> timeout = ParseDurationOption("--timeout", o.timeout);
  if (!timeout.ok()) return std::move(timeout).error();
  request->timeout_s = static_cast<double>(std::max<std::int64_t>(1, *timeout));
  request->max_body_bytes = 64 * 1024;  // a hostile token's answer is judged by its status
  return request;
}

// BaselineRefused is exit 2 probe_error: the audit cannot tell an attack's
// refusal from a validator that refuses everything.
int BaselineRefused(const AuditOptions& o, const BearerAnswer& answer) {
  const Error error(
      ErrorCode::kProbeError,
      "the validator did not accept the baseline token (HTTP " + std::to_string(*answer.status) +
          (answer.www_authenticate.empty() ? ""
                                           : ", WWW-Authenticate: " + answer.www_authenticate) +
          "): give a --token it accepts now, or the --sign-key and claims it trusts.");
  std::cerr << "tock audit: " << EscapeControls(error.message()) << "\n";
  if (o.out.json) {
    std::cout << audit::ProbeErrorJson(error, answer.status, answer.www_authenticate) << "\n";
  }
  return kExitCannotJudge;
}

int RunAudit(const AuditOptions& o) {
  if (!o.clock.now.empty()) {
    return ReportCannotJudge(o.out, UsageError("--now is refused: an audit sends its tokens now."));
  }
  Result<std::unique_ptr<ClockSetting>> clock = ClockSetting::Make(o.clock);
  if (!clock.ok()) return ReportCannotJudge(o.out, clock.error());
  Result<std::set<std::string>> only = audit::ParseOnly(o.only);
  if (!only.ok()) return ReportCannotJudge(o.out, only.error());
  Result<BearerRequest> request = MakeRequest(o);
  if (!request.ok()) return ReportCannotJudge(o.out, request.error());
  Result<ListenAddress> listen = ParseListen(o);
  if (!listen.ok()) return ReportCannotJudge(o.out, listen.error());
  Result<audit::AuditKeys> keys = audit::LoadAuditKeys(o);
  if (!keys.ok()) return ReportCannotJudge(o.out, keys.error());
  Result<audit::Baseline> baseline = audit::MakeBaseline(o, *keys, (*clock)->Now());
  if (!baseline.ok()) return ReportCannotJudge(o.out, baseline.error());

  BearerClient client(std::move(*request));
  std::optional<BearerAnswer> answer = client.Send(baseline->token);
  if (!answer->status) {
    // transport_error names the URL ("cannot reach URL: reason").
    return ReportCannotJudge(
        o.out, Error(ErrorCode::kNetworkError,
                     "no answer to the baseline token: " + answer->transport_error + "."));
  }
  if (!client.Accepted(*answer->status)) return BaselineRefused(o, *answer);

  std::unique_ptr<audit::Listener> listener;
  std::string callback_base = listen->callback_base;
  if (only->empty() || only->count("remote_key_url") > 0) {
    Result<std::unique_ptr<audit::Listener>> started =
        audit::Listener::Start(listen->host, listen->port);
    if (!started.ok()) return ReportCannotJudge(o.out, started.error());
    listener = std::move(*started);
    if (callback_base.empty())
      callback_base = "http://127.0.0.1:" + std::to_string(listener->port());
  }
  audit::CatalogueInputs inputs{
      &*baseline, &*keys, (*clock)->Now(), callback_base, "/tock-audit/" + RandomJti(), *only};
  Result<audit::Catalogue> catalogue = audit::BuildCatalogue(inputs);
  if (!catalogue.ok()) return ReportCannotJudge(o.out, catalogue.error());
  if (listener) listener->Publish(std::move(catalogue->documents));

  audit::AuditReport report;
  report.url = o.url;
  report.cases = std::move(catalogue->cases);
  Result<std::int64_t> fetch_wait = ParseDurationOption("--fetch-wait", o.fetch_wait);
  if (!fetch_wait.ok()) return ReportCannotJudge(o.out, fetch_wait.error());
  audit::RunCases(client, listener.get(), callback_base, static_cast<double>(*fetch_wait), report);
  std::cout << (o.out.json ? audit::AuditJson(report) + "\n"
                           : audit::AuditHuman(report, StdoutStyle()));
  return report.Findings() > 0 ? kExitRejected : kExitOk;
}

void RegisterRequestFlags(CLI::App& app, AuditOptions& o) {
  o.request.Register(app);
  app.add_option("--max-requests", o.max_requests, "Hard cap on requests sent (at most 200)")
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--timeout", o.timeout, "Give up on one request after D (an error result)")
      ->type_name("D")
      ->capture_default_str();
}

void RegisterTokenFlags(CLI::App& app, AuditOptions& o) {
  app.add_option("--key", o.key_files, "The validator's public key: PEM, JWK or JWKS; repeatable")
      ->type_name("PUBFILE")
      ->allow_extra_args(false);
  app.add_option("--jwks", o.jwks, "The validator's JWKS, file or http(s) URL; repeatable")
      ->type_name("FILE|URL")
      ->allow_extra_args(false);
  app.add_option("--token", o.token, "A token the validator accepts now ('-': stdin)")
      ->type_name("TOKEN");
  app.add_option("--sign-key", o.sign_key_file, "A private key the validator trusts")
      ->type_name("FILE");
  o.secret_opt = app.add_option("--secret", o.secret, "An HMAC secret the validator trusts");
  o.secret_file_opt =
      app.add_option("--secret-file", o.secret_file, "HMAC secret: the file's bytes");
  o.secret_b64_opt = app.add_option("--secret-b64", o.secret_b64, "HMAC secret, base64url");
  app.add_option("--alg", o.sign_alg, "Algorithm of the signing key (default from the key)")
      ->type_name("ALG");
  o.kid_opt = app.add_option("--kid", o.kid, "kid of signed tokens (default: as tock sign)");
  o.iss_opt = app.add_option("--iss", o.iss, "iss of attack tokens (default: the --token's)");
  o.sub_opt = app.add_option("--sub", o.sub, "sub of attack tokens");
  app.add_option("--aud", o.audiences, "aud of attack tokens; repeatable")->allow_extra_args(false);
  app.add_option("--claim", o.claims, "Claim NAME=VALUE (JSON when valid JSON); repeatable")
      ->allow_extra_args(false);
  o.typ_opt = app.add_option("--typ", o.typ, "typ header of attack tokens (default: JWT)");
}

}  // namespace

Command RegisterAudit(CLI::App& root) {
  auto o = std::make_shared<AuditOptions>();
  CLI::App* app = root.add_subcommand(
      "audit", "Attack your own validator with the known JWT attack classes; exit 1 on a finding");
  app->add_option("URL", o->url, "The validator: an API that checks bearer tokens")->required();
  RegisterTokenFlags(*app, *o);
  RegisterRequestFlags(*app, *o);
  app->add_option("--only", o->only, "Comma-separated classes to run (default: all)")
      ->type_name("CLASSES");
  app->add_option(
         "--callback-url", o->callback_url,
         "URL the jku/x5u tokens name, for a remote validator (the listener binds its host:port)")
      ->type_name("URL");
  app->add_option("--listen", o->listen, "Bind the jku/x5u listener here instead")
      ->type_name("HOST:PORT");
  app->add_option("--fetch-wait", o->fetch_wait, "Wait D after the last request for late fetches")
      ->type_name("D")
      ->capture_default_str();
  app->add_flag("--json", o->out.json, "One JSON document on stdout");
  o->clock.Register(*app);
  app->footer(
      "Sends hostile tokens: only audit a service you own.\n"
      "Exit codes: 0 no finding, 1 at least one finding, 2 could not audit.");
  return Command{app, [o] { return RunAudit(*o); }};
}

}  // namespace tock::cli
