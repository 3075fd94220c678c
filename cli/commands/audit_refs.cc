// What each case means: severity when accepted, and the references (CVEs,
// RFC sections) a reader of the report follows to learn why it matters.
#include <map>

#include "commands/audit_cases_internal.h"
#include "tock/app/json_writer.h"

namespace tock::cli::audit {
namespace {

struct ClassInfo {
  std::string severity;  // empty: the class only yields notes
  std::vector<std::string> refs;
  bool policy = false;
};

const std::map<std::string, ClassInfo, std::less<>>& Classes() {
  static const std::map<std::string, ClassInfo, std::less<>> kClasses = {
      {"alg_none", {"critical", {"RFC 8725 §3.1", "RFC 7518 §3.6"}}},
      {"signature", {"critical", {"RFC 7515 §5.2", "RFC 8725 §3.3"}}},
      {"hmac_key_confusion", {"critical", {"CVE-2016-10555", "CVE-2015-9235", "RFC 8725 §3.1"}}},
      {"ecdsa_zero", {"critical", {"CVE-2022-21449", "RFC 8725 §3.4"}}},
      {"embedded_jwk", {"critical", {"CVE-2018-0114", "RFC 8725 §3.10"}}},
      {"remote_key_url", {"critical", {"RFC 8725 §3.10", "RFC 7515 §4.1.2", "RFC 7515 §4.1.5"}}},
      {"kid_injection", {"critical", {"RFC 8725 §3.10", "RFC 7515 §4.1.4"}}},
      {"crit", {"medium", {"RFC 7515 §4.1.11", "RFC 7797 §6"}}},
      {"claims", {"high", {"RFC 7519 §7.2"}}},
      {"policy", {"", {"RFC 8725 §3.10"}, true}},
      {"oversized", {"", {"CWE-400"}, true}},
  };
  return kClasses;
}

// Case-specific references, added after the class's own.
const std::map<std::string, std::vector<std::string>, std::less<>>& CaseRefs() {
  static const std::map<std::string, std::vector<std::string>, std::less<>> kRefs = {
      {"claims/expired", {"RFC 7519 §4.1.4"}},
      {"claims/not_yet_valid", {"RFC 7519 §4.1.5"}},
      {"claims/wrong_aud", {"RFC 7519 §4.1.3", "RFC 8725 §3.9"}},
      {"claims/wrong_iss", {"RFC 7519 §4.1.1", "RFC 8725 §3.8"}},
      {"policy/no_exp", {"RFC 7519 §4.1.4"}},
      {"policy/iat_future", {"RFC 7519 §4.1.6"}},
      {"policy/lifetime_1y", {"RFC 7519 §4.1.4"}},
      {"policy/duplicate_aud", {"RFC 7519 §4", "RFC 8259 §4"}},
  };
  return kRefs;
}

}  // namespace

AttackCase MakeCase(std::string klass, std::string name, std::string token) {
  AttackCase c;
  c.klass = std::move(klass);
  c.name = std::move(name);
  c.token = std::move(token);
  c.outcome = Outcome::kRefused;  // until the runner has an answer
  return c;
}

AttackCase SkippedCase(std::string klass, std::string name, std::string reason) {
  AttackCase c;
  c.klass = std::move(klass);
  c.name = std::move(name);
  c.outcome = Outcome::kSkipped;
  c.reason = std::move(reason);
  return c;
}

std::string HeaderJson(std::string_view alg, const std::optional<std::string>& typ,
                       const std::optional<std::string>& kid) {
  JsonWriter header;
  header.Str("alg", alg);
  if (typ) header.Str("typ", *typ);
  if (kid) header.Str("kid", *kid);
  return header.Finish();
}

void DescribeCase(AttackCase& c) {
  auto info = Classes().find(c.klass);
  if (info == Classes().end()) return;
  c.severity = info->second.severity;
  c.refs = info->second.refs;
  c.policy = info->second.policy;
  auto extra = CaseRefs().find(c.klass + "/" + c.name);
  if (extra != CaseRefs().end())
    c.refs.insert(c.refs.end(), extra->second.begin(), extra->second.end());
}

}  // namespace tock::cli::audit
