// The attack catalogue of `tock audit` (docs/cli.md, `tock audit URL`):
// every class, the tokens it sends, its severity and references. Building a
// case only makes its token; sending it is the runner's job (audit_runner.h).
#ifndef TOCK_CLI_COMMANDS_AUDIT_CASES_H_
#define TOCK_CLI_COMMANDS_AUDIT_CASES_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "commands/audit_listener.h"
#include "tock/tock.h"

namespace tock::cli::audit {

// Outcome is a case's result in the spec's words.
enum class Outcome { kRefused, kAccepted, kError, kFetched, kNote, kSkipped };
std::string_view ToString(Outcome outcome);
// IsFinding: accepted, error and fetched are findings; the rest are not.
bool IsFinding(Outcome outcome);

// AttackCase is one token of one class, and (after the run) its result.
struct AttackCase {
  std::string klass;  // "alg_none", "hmac_key_confusion", ...
  std::string name;   // unique within the class, e.g. "HS256_spki_pem"
  std::string token;  // empty when skipped before sending
  // What acceptance means: "critical"... "low"; empty for the note classes.
  std::string severity;
  std::vector<std::string> refs;
  bool policy = false;     // accepted is a note, never a finding
  std::string fetch_path;  // the listener path its jku/x5u names, if any
  // Filled by the runner (and skip_reason by the catalogue for missing needs).
  Outcome outcome = Outcome::kSkipped;
  std::optional<int> status;
  std::string reason;  // why skipped, or what the error was
};

// ClassNames lists the classes in the spec's order.
const std::vector<std::string>& ClassNames();

// Baseline is the token the validator accepted, and what every attack token
// copies from it so that a refusal can only come from the attack itself.
struct Baseline {
  std::string token;
  std::string header_json;        // its decoded header
  TokenBuilder claims;            // its claims without iat, nbf, exp, jti
  bool had_jti = false;           // attack tokens carry a fresh one then
  std::int64_t lifetime_s = 600;  // exp - iat of the baseline, at most 600
  std::optional<std::string> kid;
  std::optional<std::string> typ;
  bool has_aud = false;
};

// AuditKeys are the keys the audit works with.
struct AuditKeys {
  std::vector<Key> trusted;      // the validator's public keys (--jwks, --key)
  std::string trusted_pem_text;  // --key PUBFILE's bytes when it is PEM
  std::optional<Key> sign_key;   // a key the validator trusts (--sign-key, --secret*)
  Algorithm sign_alg = Algorithm::kRS256;
  std::optional<std::string> sign_kid;
};

// CatalogueInputs: everything a class needs to make its tokens.
struct CatalogueInputs {
  const Baseline* baseline = nullptr;
  const AuditKeys* keys = nullptr;
  UnixSeconds now = 0;
  std::string callback_base;   // e.g. "http://127.0.0.1:41234", no trailing '/'
  std::string path_prefix;     // e.g. "/tock-audit/Xy12", unique per run
  std::set<std::string> only;  // empty: every class
};

// Catalogue is the cases to send and the documents the listener serves.
struct Catalogue {
  std::vector<AttackCase> cases;
  std::map<std::string, Document> documents;
};

// BuildCatalogue makes every case of the selected classes. A class whose
// needs are missing yields its cases as kSkipped with the reason. Fails only
// when a key cannot be used (kKeyError).
Result<Catalogue> BuildCatalogue(const CatalogueInputs& in);

// StampedClaims returns the baseline's claims with iat = now, nbf = now - 60,
// exp = now + lifetime (and a fresh jti when the baseline had one).
TokenBuilder StampedClaims(const Baseline& baseline, UnixSeconds now);

}  // namespace tock::cli::audit

#endif  // TOCK_CLI_COMMANDS_AUDIT_CASES_H_
