#include "tock/algorithm.h"

#include <array>
#include <cstdint>
#include <utility>

#include "internal/json.h"

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

// Every name is at most 8 bytes, so (size, fingerprint) identifies it; the
// header's alg is looked up on every verify.
constexpr std::array<std::uint64_t, kNames.size()> MakePrints() {
  std::array<std::uint64_t, kNames.size()> prints{};
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    prints[i] = internal::NameFingerprint(kNames[i].second);
  }
  return prints;
}
constexpr std::array<std::uint64_t, kNames.size()> kPrints = MakePrints();

}  // namespace

std::string_view ToString(Algorithm alg) {
  for (const auto& [a, name] : kNames) {
    if (a == alg) return name;
  }
  return "unknown";
}

std::optional<Algorithm> ParseAlgorithm(std::string_view name) {
  if (name.size() > 8) return std::nullopt;
  const std::uint64_t print = internal::NameFingerprint(name);
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kPrints[i] == print && kNames[i].second.size() == name.size()) return kNames[i].first;
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
