// The flags of `tock audit` and what they load: the keys and the baseline.
#ifndef TOCK_CLI_COMMANDS_AUDIT_INPUTS_H_
#define TOCK_CLI_COMMANDS_AUDIT_INPUTS_H_

#include <set>
#include <string>
#include <vector>

#include "commands/audit_cases.h"
#include "common/bearer_request.h"
#include "common/options.h"

namespace tock::cli::audit {

// AuditOptions are the flags (cli.md, `tock audit URL`, plus --max-requests,
// --timeout, --kid, --alg, --callback-url, --listen, --fetch-wait).
struct AuditOptions {
  Output out{"audit"};
  ClockOptions clock;
  std::string url;
  std::vector<std::string> key_files, jwks;
  std::string token;
  std::string sign_key_file, secret, secret_file, secret_b64;
  CLI::Option *secret_opt = nullptr, *secret_file_opt = nullptr, *secret_b64_opt = nullptr;
  std::string sign_alg, kid;
  std::string iss, sub, typ;
  std::vector<std::string> audiences, claims;
  CLI::Option *iss_opt = nullptr, *sub_opt = nullptr, *typ_opt = nullptr, *kid_opt = nullptr;
  BearerFlags request;  // --method, --header, --bearer-header, --accept, --rate
  int max_requests = 200;
  std::string timeout = "10s";
  std::string only;
  std::string callback_url, listen;
  std::string fetch_wait = "2s";
};

// ParseOnly reads --only: comma-separated class names; kUsage for others.
Result<std::set<std::string>> ParseOnly(const std::string& text);

// LoadAuditKeys loads the trusted public keys (at least one source, else
// kUsage) and the optional signing key with its algorithm and kid.
Result<AuditKeys> LoadAuditKeys(const AuditOptions& o);

// MakeBaseline is --token decoded, else a fresh token signed with the
// signing key (kUsage without either); --iss/--aud/--sub/--claim/--typ
// override the claims and typ either way.
Result<Baseline> MakeBaseline(const AuditOptions& o, const AuditKeys& keys, UnixSeconds now);

}  // namespace tock::cli::audit

#endif  // TOCK_CLI_COMMANDS_AUDIT_INPUTS_H_
