// Verifier: the only way to turn a compact token into claims you can trust.
#ifndef TOCK_VERIFIER_H_
#define TOCK_VERIFIER_H_

#include <string_view>

#include "tock/check_trace.h"
#include "tock/clock.h"
#include "tock/jwk_set.h"
#include "tock/result.h"
#include "tock/validator.h"
#include "tock/verified_token.h"

namespace tock {

// TracedVerification is Verify's verdict with the check trace of the same
// run (tock/check_trace.h): every check of the fixed order, its outcome,
// the times it compared and a detail for people.
struct TracedVerification {
  Result<VerifiedToken> result;
  CheckTrace trace;
};

// Verifier checks tokens against a fixed key set and a clock. Immutable and
// shareable across threads; |clock| must outlive it.
class Verifier {
 public:
  Verifier(JwkSet keys, const Clock& clock) : keys_(std::move(keys)), clock_(&clock) {}

  // Verify runs every check of docs/cli.md in its fixed order: size
  // and structure, base64url, JSON, header (alg, crit), key selection,
  // signature, claim types, required claims, exp, nbf, iat, max age, max
  // lifetime, iss, aud, sub, typ. It reads the clock once. On failure the
  // Error is the first failed check; after the signature verified, its
  // problems() list every claim failure. Headers that carry keys (jwk, jku,
  // x5u, x5c) are never used: no request is ever made because of a token.
  Result<VerifiedToken> Verify(std::string_view compact, const Validator& validator) const;

  // VerifyWithTrace is Verify, also recording what each check found: for
  // showing a verdict to people (tock verify, the decoder page). It costs
  // more than Verify (the details are formatted), so a service that only
  // needs the verdict calls Verify.
  TracedVerification VerifyWithTrace(std::string_view compact, const Validator& validator) const;
  // VerifyKnownSignature is Verify for a token whose exact bytes the caller
  // has seen verify with |known| before (tock serve's verified-token cache
  // matches tokens by the SHA-256 of their bytes): every check runs as in
  // Verify, against the clock's now, with the same errors, except that the
  // signature is not computed again when |known| (the same key object) is
  // one of the candidates the token's header selects. Otherwise it is Verify.
  Result<VerifiedToken> VerifyKnownSignature(std::string_view compact, const Validator& validator,
                                             const Key& known) const;

  // CheckPolicy fails with kKeyError when |validator| allows an algorithm
  // that none of the keys can perform (a contradictory invocation), or when
  // the key set is empty.
  Result<void> CheckPolicy(const Validator& validator) const;

  const JwkSet& keys() const { return keys_; }
  const Clock& clock() const { return *clock_; }

 private:
  Result<VerifiedToken> Check(std::string_view compact, const Validator& validator,
                              const Key* known) const;

  JwkSet keys_;
  const Clock* clock_;
};

}  // namespace tock

#endif  // TOCK_VERIFIER_H_
