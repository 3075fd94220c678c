#include "tock/algorithm.h"

#include <array>
#include <utility>

namespace tock {
namespace {

constexpr std::array<std::pair<Algorithm, std::string_view>, 14> kNames = {{
    {Algorithm::kHS256, "HS256"},
    {Algorithm::kHS384, "HS384"},
    {Algorithm::kHS512, "HS512"},
    {Algorithm::kRS256, "RS256"},
    {Algorithm::kRS384, "RS384"},
    {Algorithm::kRS512, "RS512"},
    {Algorithm::kPS256, "PS256"},
    {Algorithm::kPS384, "PS384"},
    {Algorithm::kPS512, "PS512"},
    {Algorithm::kES256, "ES256"},
    {Algorithm::kES384, "ES384"},
    {Algorithm::kES512, "ES512"},
    {Algorithm::kEdDSA, "EdDSA"},
    {Algorithm::kEd25519, "Ed25519"},
}};

}  // namespace

std::string_view ToString(Algorithm alg) {
  for (const auto& [a, name] : kNames) {
    if (a == alg) return name;
  }
  return "unknown";
}

std::optional<Algorithm> ParseAlgorithm(std::string_view name) {
  for (const auto& [a, n] : kNames) {
    if (n == name) return a;
  }
  return std::nullopt;
}

const std::vector<Algorithm>& AllAlgorithms() {
  static const std::vector<Algorithm> all = [] {
    std::vector<Algorithm> v;
    for (const auto& entry : kNames) v.push_back(entry.first);
    return v;
  }();
  return all;
}

bool SameAlgorithm(Algorithm a, Algorithm b) {
  auto is_ed = [](Algorithm x) { return x == Algorithm::kEdDSA || x == Algorithm::kEd25519; };
  return a == b || (is_ed(a) && is_ed(b));
}

}  // namespace tock
