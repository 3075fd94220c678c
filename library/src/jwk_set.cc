#include "tock/jwk_set.h"

#include <algorithm>
#include <functional>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "internal/opaque.h"

namespace tock {

namespace {

// StringHash lets the kid index be probed with a string_view (C++20
// heterogeneous lookup), so a lookup never builds a std::string.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const {
    return std::hash<std::string_view>{}(text);
  }
};

}  // namespace

// Index is built once and never changes; the pointers point into |keys|,
// which no one can modify, so copies of a JwkSet share one Index.
struct JwkSet::Index {
  std::vector<Key> keys;
  std::vector<const Key*> all;
  std::vector<const Key*> kidless;
  std::unordered_map<std::string, std::vector<const Key*>, StringHash, std::equal_to<>> by_kid;
  // A few kids are found faster by comparing them than by hashing the kid
  // (std::hash of a 43-byte thumbprint and a bucket division per verify).
  static constexpr std::size_t kScanLimit = 4;
  std::vector<std::pair<std::string_view, const std::vector<const Key*>*>> few_kids;
  std::vector<Algorithm> algorithms;
};

JwkSet::JwkSet(std::vector<Key> keys) {
  auto index = std::make_shared<Index>();
  index->keys = std::move(keys);
  index->all.reserve(index->keys.size());
  for (const Key& key : index->keys) {
    index->all.push_back(&key);
    if (key.kid()) {
      index->by_kid[*key.kid()].push_back(&key);
    } else {
      index->kidless.push_back(&key);
    }
  }
  if (index->by_kid.size() <= Index::kScanLimit) {
    for (const auto& [kid, keys_with_kid] : index->by_kid) {
      index->few_kids.emplace_back(kid, &keys_with_kid);
    }
  }
  for (Algorithm alg : AllAlgorithms()) {
    for (const Key& key : index->keys) {
      if (key.CanPerform(alg)) {
        index->algorithms.push_back(alg);
        break;
      }
    }
  }
  index_ = std::move(index);
}

const std::vector<Key>& JwkSet::keys() const {
  static const std::vector<Key> kEmpty;
  return index_ ? index_->keys : kEmpty;
}

std::span<const Key* const> JwkSet::Candidates(std::string_view kid, bool has_kid) const {
  if (!index_) return {};
  if (!has_kid) return index_->all;
  if (index_->by_kid.size() <= Index::kScanLimit) {
    for (const auto& [known, keys_with_kid] : index_->few_kids) {
      if (known == kid) return *keys_with_kid;
    }
    return index_->kidless;
  }
  if (auto it = index_->by_kid.find(kid); it != index_->by_kid.end()) return it->second;
  return index_->kidless;
}

bool JwkSet::CanPerform(Algorithm alg) const {
  if (!index_) return false;
  const std::vector<Algorithm>& all = index_->algorithms;
  return std::find(all.begin(), all.end(), alg) != all.end();
}

std::vector<Algorithm> JwkSet::Algorithms() const {
  return index_ ? index_->algorithms : std::vector<Algorithm>();
}

Result<std::string> JwkSet::PublicJwks(std::optional<Algorithm> alg) const {
  std::string out = "{\"keys\":[";
  bool first = true;
  for (const Key& key : keys()) {
    // `tock jwks`: alg from --alg, else the key's own, else the single
    // algorithm its type implies (EC curve, Ed25519); RSA implies six.
    std::optional<Algorithm> key_alg = alg ? alg : key.alg();
    if (!key_alg && (key.type() == KeyType::kEc || key.type() == KeyType::kOkp)) {
      key_alg = internal::DefaultAlgorithm(key);
    }
    auto jwk = key.PublicJwk(key.kid() ? *key.kid() : key.Thumbprint(), key_alg);
    if (!jwk.ok()) return std::move(jwk).error();
    if (!first) out += ',';
    first = false;
    out += *jwk;
  }
  out += "]}";
  return out;
}

}  // namespace tock
