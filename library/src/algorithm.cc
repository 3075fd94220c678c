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

// ParseAlgorithm runs on every verify: the twelve "XS<bits>" names are
// decoded from their letters instead of compared one by one.
std::optional<Algorithm> ParseAlgorithm(std::string_view name) {
  if (name.size() == 5 && name[1] == 'S') {
    constexpr std::string_view kFamilies = "HRPE";  // the order of kNames
    const std::size_t family = kFamilies.find(name[0]);
    const std::string_view bits = name.substr(2);
    const int size = bits == "256" ? 0 : bits == "384" ? 1 : bits == "512" ? 2 : -1;
    if (family == std::string_view::npos || size < 0) return std::nullopt;
    return kNames[family * 3 + static_cast<std::size_t>(size)].first;
  }
  if (name == "EdDSA") return Algorithm::kEdDSA;
  if (name == "Ed25519") return Algorithm::kEd25519;
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
