#include "validate/verified_cache.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace tock::server {
namespace {

// kShards splits a large cache so that two I/O threads rarely meet on one
// lock; a small cache (tests, tiny configs) is one shard, so its bound is
// exact.
constexpr std::size_t kShards = 16;
constexpr std::size_t kMinEntriesPerShard = 256;

}  // namespace

std::optional<VerifiedCache::Digest> VerifiedCache::DigestOf(std::string_view trust_entry,
                                                             std::string_view token) {
  // Fetched once: an implicit fetch per call costs a lookup in OpenSSL 3.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local std::string input;
  input.assign(trust_entry);
  input.push_back('\0');
  input.append(token);
  Digest digest{};
  unsigned int length = 0;
  // No digest, no cache: a made-up digest could match another token's entry.
  if (sha256 == nullptr ||
      EVP_Digest(input.data(), input.size(), digest.data(), &length, sha256, nullptr) != 1 ||
      length != digest.size())
    return std::nullopt;
  return digest;
}

std::size_t VerifiedCache::DigestHash::operator()(const Digest& d) const {
  std::size_t h;
  std::memcpy(&h, d.data(), sizeof(h));  // already uniformly distributed
  return h;
}

VerifiedCache::VerifiedCache(VerifiedCacheLimits limits) {
  const std::size_t max_entries = std::min(limits.max_entries, limits.max_bytes / kEntryBytes);
  if (max_entries == 0) return;
  const std::size_t shards =
      max_entries >= kShards * kMinEntriesPerShard ? kShards : std::size_t{1};
  per_shard_entries_ = max_entries / shards;
  for (std::size_t i = 0; i < shards; ++i) shards_.push_back(std::make_unique<Shard>());
}

VerifiedCache::Shard& VerifiedCache::ShardOf(const Digest& digest) {
  // The last byte: independent of the bytes DigestHash uses for buckets.
  return *shards_[digest[31] % shards_.size()];
}

void VerifiedCache::EraseLocked(Shard& shard, std::list<Entry>::iterator it) {
  shard.index.erase(it->digest);
  shard.lru.erase(it);
  entries_.fetch_sub(1, std::memory_order_relaxed);
}

std::optional<Key> VerifiedCache::Find(const Digest& digest, UnixSeconds now) {
  if (!enabled()) return std::nullopt;
  Shard& shard = ShardOf(digest);
  std::lock_guard<std::mutex> lock(shard.mutex);
  auto found = shard.index.find(digest);
  if (found == shard.index.end()) return std::nullopt;
  auto it = found->second;
  if (now >= it->drop_at) {
    EraseLocked(shard, it);
    return std::nullopt;
  }
  shard.lru.splice(shard.lru.begin(), shard.lru, it);
  return it->key;
}

void VerifiedCache::Remember(const Digest& digest, const Key& key, UnixSeconds drop_at) {
  if (!enabled()) return;
  Shard& shard = ShardOf(digest);
  std::lock_guard<std::mutex> lock(shard.mutex);
  auto found = shard.index.find(digest);
  if (found != shard.index.end()) {
    // Verified again (its key was re-fetched, say): the newest key wins.
    found->second->key = key;
    found->second->drop_at = drop_at;
    shard.lru.splice(shard.lru.begin(), shard.lru, found->second);
    return;
  }
  while (shard.lru.size() >= per_shard_entries_) EraseLocked(shard, std::prev(shard.lru.end()));
  shard.lru.push_front(Entry{digest, key, drop_at});
  shard.index.emplace(digest, shard.lru.begin());
  entries_.fetch_add(1, std::memory_order_relaxed);
}

void VerifiedCache::Forget(const Digest& digest) {
  if (!enabled()) return;
  Shard& shard = ShardOf(digest);
  std::lock_guard<std::mutex> lock(shard.mutex);
  auto found = shard.index.find(digest);
  if (found != shard.index.end()) EraseLocked(shard, found->second);
}

void VerifiedCache::DropExpired(UnixSeconds now) {
  for (auto& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard->mutex);
    for (auto it = shard->lru.begin(); it != shard->lru.end();) {
      auto next = std::next(it);
      if (now >= it->drop_at) EraseLocked(*shard, it);
      it = next;
    }
  }
}

}  // namespace tock::server
