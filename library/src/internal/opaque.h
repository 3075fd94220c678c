// KeyAccess and TokenAccess: the library's only way into the opaque parts of
// Key, UnverifiedView and VerifiedToken. Their installed headers hold the
// parsed key or token as an untyped shared pointer and name no internal
// type; these friends make them and read them back. Not installed.
#ifndef TOCK_INTERNAL_OPAQUE_H_
#define TOCK_INTERNAL_OPAQUE_H_

#include <memory>
#include <utility>

#include "tock/algorithm.h"
#include "tock/clock.h"
#include "tock/inspect.h"
#include "tock/key.h"
#include "tock/verified_token.h"

namespace tock {
namespace internal {
struct KeyMaterial;
struct ParsedToken;
}  // namespace internal

struct KeyAccess {
  static Key Make(std::shared_ptr<const internal::KeyMaterial> material) {
    return Key(std::shared_ptr<const void>(std::move(material)));
  }
  static const internal::KeyMaterial& Material(const Key& key) {
    return *static_cast<const internal::KeyMaterial*>(key.material_.get());
  }
};

struct TokenAccess {
  static UnverifiedView View(std::shared_ptr<const internal::ParsedToken> parsed) {
    return UnverifiedView(std::shared_ptr<const void>(std::move(parsed)));
  }
  static VerifiedToken Verified(std::shared_ptr<const internal::ParsedToken> parsed, Algorithm alg,
                                Key key, UnixSeconds now) {
    return VerifiedToken(std::shared_ptr<const void>(std::move(parsed)), alg, std::move(key), now);
  }
  static const internal::ParsedToken& Parsed(const UnverifiedView& view) {
    return *static_cast<const internal::ParsedToken*>(view.parsed_.get());
  }
  static const internal::ParsedToken& Parsed(const VerifiedToken& token) {
    return *static_cast<const internal::ParsedToken*>(token.parsed_.get());
  }
};

namespace internal {
// DefaultAlgorithm is the algorithm a key signs with when none is named: its
// JWK "alg", else the one its type and curve imply (RS256 for RSA, HS256 for
// a secret). tock_app's DefaultAlgorithm(const Key&) is this function.
Algorithm DefaultAlgorithm(const Key& key);
}  // namespace internal

}  // namespace tock

#endif  // TOCK_INTERNAL_OPAQUE_H_
