// The JOSE signature algorithms tock implements (RFC 7518, RFC 8037, RFC 9864).
#ifndef TOCK_ALGORITHM_H_
#define TOCK_ALGORITHM_H_

#include <optional>
#include <string_view>
#include <vector>

namespace tock {

// Algorithm is one JWS "alg". kEd25519 is the RFC 9864 name for EdDSA with
// Ed25519; both verify the same signatures. There is deliberately no "none".
enum class Algorithm {
  kHS256,
  kHS384,
  kHS512,
  kRS256,
  kRS384,
  kRS512,
  kPS256,
  kPS384,
  kPS512,
  kES256,
  kES384,
  kES512,
  kEdDSA,
  kEd25519,
};

// ToString returns the JOSE name, e.g. "RS256".
std::string_view ToString(Algorithm alg);

// ParseAlgorithm returns the algorithm named exactly |name| (case-sensitive,
// as JOSE requires), or nullopt for unknown names and for "none".
std::optional<Algorithm> ParseAlgorithm(std::string_view name);

// AllAlgorithms lists every algorithm in declaration order.
const std::vector<Algorithm>& AllAlgorithms();

// SameAlgorithm is true when |a| and |b| verify the same signatures
// (EdDSA and Ed25519); else a == b.
bool SameAlgorithm(Algorithm a, Algorithm b);

}  // namespace tock

#endif  // TOCK_ALGORITHM_H_
