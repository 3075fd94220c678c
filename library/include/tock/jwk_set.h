// JwkSet: an immutable, ordered set of keys with lookup by kid.
#ifndef TOCK_JWK_SET_H_
#define TOCK_JWK_SET_H_

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tock/key.h"
#include "tock/result.h"

namespace tock {

// JwkSet holds keys in the order given. Immutable; share it across threads.
class JwkSet {
 public:
  JwkSet() = default;
  explicit JwkSet(std::vector<Key> keys);

  const std::vector<Key>& keys() const;
  bool empty() const { return keys().empty(); }

  // Candidates returns the keys a token with |kid| (|has_kid| false: the
  // token has no kid) should be tried with, in order, per the spec's key
  // selection: with a kid, the keys with that kid if any, else the kid-less
  // keys; without a kid, every key. The caller then checks CanPerform.
  // The lookup is a hash probe into an index built once by the constructor;
  // it allocates nothing. The span stays valid as long as this set (or a
  // copy of it) lives.
  std::span<const Key* const> Candidates(std::string_view kid, bool has_kid) const;

  // Algorithms returns the union of the algorithms the keys can perform.
  std::vector<Algorithm> Algorithms() const;
  // CanPerform says whether some key can perform |alg|: a lookup in that
  // union, computed once, so a verify does not scan every key.
  bool CanPerform(Algorithm alg) const;

  // PublicJwks returns {"keys":[...]} of the public halves, each with a kid
  // (its own, else its thumbprint), "use":"sig" and "alg" when the key implies
  // a single algorithm (or |alg| is given). kKeyError for an HMAC secret.
  Result<std::string> PublicJwks(std::optional<Algorithm> alg = std::nullopt) const;

 private:
  struct Index;  // keys, kid -> keys, kid-less keys; shared by copies
  std::shared_ptr<const Index> index_;
};

}  // namespace tock

#endif  // TOCK_JWK_SET_H_
