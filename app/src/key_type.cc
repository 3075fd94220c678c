#include "tock/app/key_type.h"

#include <string>

#include "internal/opaque.h"

namespace tock {

Result<Key> GenerateKeyOfType(std::string_view type, int bits, std::string_view curve) {
  if (type == "rsa") return GenerateRsaKey(bits <= 0 ? 2048 : bits);
  if (type == "ec") return GenerateEcKey(curve.empty() ? "P-256" : curve);
  if (type == "ed25519") return GenerateEd25519Key();
  return Error(ErrorCode::kUsage, "unknown key type \"" + std::string(type) +
                                      "\" (rsa, ec and ed25519 are supported)");
}

Algorithm DefaultAlgorithm(const Key& key) { return internal::DefaultAlgorithm(key); }

}  // namespace tock
