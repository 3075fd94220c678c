#include "tock/verifier.h"

#include <cctype>
#include <string>

#include "internal/claim_checks.h"
#include "internal/crypto.h"
#include "internal/json.h"
#include "internal/jws_format.h"
#include "internal/opaque.h"
#include "internal/time_rules.h"
#include "internal/trace_recorder.h"

namespace tock {
namespace {

using internal::ParsedToken;

Error WithHint(ErrorCode code, std::string message, std::string hint) {
  Diagnosis d;
  d.hint = std::move(hint);
  return Error(code, std::move(message), std::move(d));
}

bool IsNoneInAnyCase(std::string_view alg) {
  return alg.size() == 4 && std::tolower(static_cast<unsigned char>(alg[0])) == 'n' &&
         std::tolower(static_cast<unsigned char>(alg[1])) == 'o' &&
         std::tolower(static_cast<unsigned char>(alg[2])) == 'n' &&
         std::tolower(static_cast<unsigned char>(alg[3])) == 'e';
}

// CritText shows a crit value for the message: the names when it is a
// string or a short list of them, its JSON type otherwise.
std::string CritText(const ParsedToken& token) {
  const internal::RecordedMember& crit = token.field(internal::HeaderField::kCrit);
  if (crit.kind == internal::JsonKind::kString) {
    std::string out;
    internal::AppendJsonString(out, crit.text);
    return out;
  }
  if (auto names = token.header_fields.Strings(crit)) {
    std::string out = "[";
    for (std::string_view name : *names) {
      if (out.size() > 1) out += ',';
      internal::AppendJsonString(out, name);
    }
    return out + "]";
  }
  return std::string(internal::JsonKindName(crit.kind));
}

// ReadAlgorithm applies the header step: alg present, known and not none,
// then crit (tock implements no JWS extension, so any crit fails).
Result<Algorithm> ReadAlgorithm(const ParsedToken& token) {
  const internal::RecordedMember& alg = token.field(internal::HeaderField::kAlg);
  if (!alg.present()) {
    return Error(ErrorCode::kUnsupportedAlg, "token header has no \"alg\"");
  }
  if (alg.kind != internal::JsonKind::kString) {
    return Error(ErrorCode::kUnsupportedAlg, "token header \"alg\" is not a string");
  }
  const std::string_view name = alg.text;
  if (IsNoneInAnyCase(name)) {
    return WithHint(ErrorCode::kUnsupportedAlg,
                    "token alg \"" + std::string(name) + "\" means unsigned; it is never accepted",
                    "an unsigned token proves nothing: the issuer must sign it");
  }
  std::optional<Algorithm> parsed = ParseAlgorithm(name);
  if (!parsed) {
    std::string quoted;
    internal::AppendJsonString(quoted, name);
    return Error(ErrorCode::kUnsupportedAlg,
                 "token alg " + quoted + " is not a JWS algorithm tock implements");
  }
  if (token.field(internal::HeaderField::kCrit).present()) {
    return Error(ErrorCode::kCritUnsupported,
                 "token header \"crit\" names extensions " + CritText(token) +
                     " that tock does not implement; RFC 7515 §4.1.11 requires refusing it");
  }
  return *parsed;
}

bool Allowed(Algorithm alg, const Validator& validator, const JwkSet& keys) {
  if (!validator.algorithms().empty()) {
    for (Algorithm a : validator.algorithms()) {
      if (SameAlgorithm(a, alg)) return true;
    }
    return false;
  }
  return keys.CanPerform(alg);
}

// SignatureLengthNote explains an ECDSA signature of the wrong size, the
// usual sign of a DER-encoded signature from a non-JOSE library.
std::string SignatureLengthNote(Algorithm alg, std::size_t size) {
  std::size_t want = 0;
  if (alg == Algorithm::kES256) want = 64;
  if (alg == Algorithm::kES384) want = 96;
  if (alg == Algorithm::kES512) want = 132;
  if (want == 0 || size == want) return "";
  return "; the " + std::string(ToString(alg)) + " signature is " + std::to_string(size) +
         " bytes but must be " + std::to_string(want) + " (raw R||S, not DER)";
}

// NoUsableKey is the key-selection failure: nothing selected is
// key_not_found; a selected key of the wrong type is alg_not_allowed.
Error NoUsableKey(Algorithm alg, bool has_kid, std::string_view kid, bool none_selected) {
  const std::string alg_name(ToString(alg));
  if (has_kid && !none_selected) {
    return WithHint(
        ErrorCode::kAlgNotAllowed,
        "the key selected for kid \"" + std::string(kid) + "\" cannot perform " + alg_name,
        "the token's alg does not fit the type of the key it names");
  }
  const std::string what = has_kid ? "kid \"" + std::string(kid) + "\"" : "alg " + alg_name;
  return WithHint(ErrorCode::kKeyNotFound, "no configured key matches the token's " + what,
                  "the issuer may have rotated its keys: refresh the JWKS, or check that the "
                  "token comes from the expected issuer");
}

// SignatureError: candidates there were, and none verified.
Error SignatureError(Algorithm alg, std::size_t candidates, std::size_t signature_size) {
  std::string message = "signature does not verify with the configured key" +
                        std::string(candidates == 1 ? "" : "s") +
                        SignatureLengthNote(alg, signature_size);
  return WithHint(ErrorCode::kBadSignature, std::move(message),
                  "the token was signed with another key or altered after signing; check that "
                  "the verifier has the issuer's current keys");
}

// VerifyingKey is the key selection and signature steps: the configured key
// whose signature check passed; kBadSignature when keys were tried and none
// verified; else the key-selection failure (alg_not_allowed, key_not_found).
// |known| (may be null) is a key these exact bytes verified with before: when
// it is the same key object as a candidate, its signature result is known.
Result<const Key*> VerifyingKey(const JwkSet& keys, const ParsedToken& token, Algorithm alg,
                                const Validator& validator, const Key* known) {
  if (!Allowed(alg, validator, keys)) {
    return WithHint(ErrorCode::kAlgNotAllowed,
                    "token alg " + std::string(ToString(alg)) + " is not allowed here",
                    "the verifier's keys or --alg list do not include this algorithm; a token "
                    "signed with an HMAC secret where a public key is expected is an attack");
  }
  // Key selection sees only the protected header (never jwk/jku/x5u/x5c).
  const internal::RecordedMember& kid_field = token.field(internal::HeaderField::kKid);
  if (kid_field.present() && kid_field.kind != internal::JsonKind::kString) {
    return Error(ErrorCode::kKeyNotFound, "token header \"kid\" is not a string");
  }
  const std::string_view kid = kid_field.text;
  const bool has_kid = kid_field.present();
  const auto candidates = keys.Candidates(kid, has_kid);
  bool any_candidate = false;
  for (const Key* key : candidates) {
    if (!key->CanPerform(alg)) continue;
    any_candidate = true;
    const bool known_good = known && known->SharesMaterialWith(*key);
    if (known_good || internal::VerifyBytes(*key, alg, token.signing_input, token.signature))
      return key;
  }
  if (!any_candidate) return NoUsableKey(alg, has_kid, kid, candidates.empty());
  return SignatureError(alg, candidates.size(), token.signature.size());
}

// Checked is what passed every check, for the Verifier to make a
// VerifiedToken of (only it may).
struct Checked {
  std::shared_ptr<const ParsedToken> token;
  Algorithm alg;
  const Key* key;
};

// Passed and Failed record a check in |trace| when one is kept; |detail| is
// called only then.
template <typename Detail>
void Passed(internal::TraceRecorder* trace, std::string_view check, Detail detail) {
  if (trace) trace->Passed(check, detail());
}

Error Failed(internal::TraceRecorder* trace, std::string_view check, Error error) {
  if (trace) trace->Failed(check, {error});
  return error;
}

// RunChecks runs every check in the fixed order, recording each in |trace|
// when one is kept.
Result<Checked> RunChecks(const JwkSet& keys, const internal::TimeContext& ctx,
                          std::string_view compact, const Validator& validator,
                          internal::TraceRecorder* trace, const Key* known = nullptr) {
  auto parsed = internal::ParseCompact(compact, validator.max_token_bytes());
  if (!parsed.ok()) return Failed(trace, "token", std::move(parsed).error());
  Passed(trace, "token", [] { return "three parts, JSON header and payload"; });
  const ParsedToken& token = **parsed;

  Result<Algorithm> alg = ReadAlgorithm(token);
  if (!alg.ok()) return Failed(trace, "header", std::move(alg).error());
  Passed(trace, "header", [&] { return "alg " + std::string(ToString(*alg)); });

  Result<const Key*> key = VerifyingKey(keys, token, *alg, validator, known);
  if (!key.ok() && key.error().code() != ErrorCode::kBadSignature) {
    return Failed(trace, "key", std::move(key).error());
  }
  Passed(trace, "key", [&] {
    if (key.ok()) return internal::KeyDetail(**key);
    const internal::RecordedMember& kid = token.field(internal::HeaderField::kKid);
    return kid.present() ? "token kid " + internal::RawQuoted(kid.text)
                         : std::string("token has no kid");
  });
  if (!key.ok()) return Failed(trace, "signature", std::move(key).error());
  Passed(trace, "signature", [&] { return std::string(ToString(*alg)) + " verified"; });

  std::vector<Error> problems = internal::CheckClaims(token, validator, ctx, trace);
  if (!problems.empty()) {
    Error first = problems.front();
    first.set_problems(std::move(problems));
    return first;
  }
  return Checked{std::move(*parsed), *alg, *key};
}

}  // namespace

Result<void> Verifier::CheckPolicy(const Validator& validator) const {
  if (keys_.empty()) return Error(ErrorCode::kKeyError, "no usable verification key");
  for (Algorithm alg : validator.algorithms()) {
    if (!keys_.CanPerform(alg)) {
      return Error(ErrorCode::kKeyError, "algorithm " + std::string(ToString(alg)) +
                                             " was allowed but none of the configured keys can "
                                             "perform it");
    }
  }
  return {};
}

Result<VerifiedToken> Verifier::Verify(std::string_view compact, const Validator& validator) const {
  return Check(compact, validator, nullptr);
}

Result<VerifiedToken> Verifier::VerifyKnownSignature(std::string_view compact,
                                                     const Validator& validator,
                                                     const Key& known) const {
  return Check(compact, validator, &known);
}

Result<VerifiedToken> Verifier::Check(std::string_view compact, const Validator& validator,
                                      const Key* known) const {
  const internal::TimeContext ctx{clock_->Now(), validator.skew_s()};
  Result<Checked> checked = RunChecks(keys_, ctx, compact, validator, nullptr, known);
  if (!checked.ok()) return std::move(checked).error();
  return TokenAccess::Verified(std::move(checked->token), checked->alg, *checked->key, ctx.now);
}

TracedVerification Verifier::VerifyWithTrace(std::string_view compact,
                                             const Validator& validator) const {
  const internal::TimeContext ctx{clock_->Now(), validator.skew_s()};
  CheckTrace trace;
  internal::TraceRecorder recorder(trace, ctx);
  Result<Checked> checked = RunChecks(keys_, ctx, compact, validator, &recorder);
  recorder.Finish();
  if (!checked.ok()) return {std::move(checked).error(), std::move(trace)};
  return {TokenAccess::Verified(std::move(checked->token), checked->alg, *checked->key, ctx.now),
          std::move(trace)};
}

}  // namespace tock
