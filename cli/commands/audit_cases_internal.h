// Shared by the catalogue's files (audit_cases*.cc, audit_refs.cc) only.
#ifndef TOCK_CLI_COMMANDS_AUDIT_CASES_INTERNAL_H_
#define TOCK_CLI_COMMANDS_AUDIT_CASES_INTERNAL_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "commands/audit_cases.h"

namespace tock::cli::audit {

using ClassFilter = std::function<bool(std::string_view)>;

// MakeCase is a case ready to send |token|.
AttackCase MakeCase(std::string klass, std::string name, std::string token);
// SkippedCase is a case that cannot be made, with the reason.
AttackCase SkippedCase(std::string klass, std::string name, std::string reason);

// HeaderJson is {"alg":ALG,"typ":TYP,"kid":KID} without the absent members.
std::string HeaderJson(std::string_view alg, const std::optional<std::string>& typ,
                       const std::optional<std::string>& kid);

// DescribeCase fills the severity, refs and policy flag of its class/name.
void DescribeCase(AttackCase& c);

// AddOwnKeyClasses: embedded_jwk and remote_key_url, signed with keys the
// audit makes for itself (the documents for jku/x5u go into |catalogue|).
Result<void> AddOwnKeyClasses(const CatalogueInputs& in, const ClassFilter& wanted,
                              Catalogue& catalogue);
// AddSignKeyClasses: crit, claims, policy, oversized, signed with --sign-key.
Result<void> AddSignKeyClasses(const CatalogueInputs& in, const ClassFilter& wanted,
                               Catalogue& catalogue);

}  // namespace tock::cli::audit

#endif  // TOCK_CLI_COMMANDS_AUDIT_CASES_INTERNAL_H_
