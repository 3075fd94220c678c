// VerifiedCache: /validate's verified-token cache (server.md, "Speed").
// It remembers, for a token whose signature and claims were verified and
// accepted, which key verified it. A later request with the same bytes
// skips only the signature computation: every other check (the time rules
// against now, the location's aud/scope) runs again, so a cached token is
// judged exactly as an uncached one (Verifier::VerifyKnownSignature).
#ifndef TOCK_SERVER_VALIDATE_VERIFIED_CACHE_H_
#define TOCK_SERVER_VALIDATE_VERIFIED_CACHE_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tock/clock.h"
#include "tock/key.h"

namespace tock::server {

struct VerifiedCacheLimits {
  std::size_t max_entries = 100000;   // [validate] cache_size; 0: no cache
  std::size_t max_bytes = 32u << 20;  // [validate] cache_bytes
};

class VerifiedCache {
 public:
  // Digest is SHA-256 over the trust entry's name, a NUL, and the token's
  // exact bytes: the cache never holds a token, only its hash. nullopt when
  // OpenSSL cannot hash (then the token is judged without the cache).
  using Digest = std::array<unsigned char, 32>;
  static std::optional<Digest> DigestOf(std::string_view trust_entry, std::string_view token);

  // kEntryBytes is what one entry costs, counted against max_bytes: the LRU
  // node (digest, key handle, expiry), the hash-map node and bucket, and the
  // allocator's headers, measured with the RSS of a full cache (bench/serve).
  static constexpr std::size_t kEntryBytes = 160;

  explicit VerifiedCache(VerifiedCacheLimits limits);
  VerifiedCache(const VerifiedCache&) = delete;
  VerifiedCache& operator=(const VerifiedCache&) = delete;

  bool enabled() const { return !shards_.empty(); }

  // Find returns the key that verified |digest|'s token, or nullopt. An
  // entry whose drop time has come (now >= exp + skew) is dropped here.
  std::optional<Key> Find(const Digest& digest, UnixSeconds now);
  // Remember records an accepted token: |key| verified it, and it is kept
  // until |drop_at| (exp + skew) or until the bounds evict it (least
  // recently used first).
  void Remember(const Digest& digest, const Key& key, UnixSeconds drop_at);
  // Forget drops an entry (its key left the trust entry's key set).
  void Forget(const Digest& digest);
  // DropExpired drops every entry whose drop time has come; the server runs
  // it once a second so that the entries gauge does not count dead tokens.
  void DropExpired(UnixSeconds now);

  std::size_t size() const { return entries_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    Digest digest;
    Key key;
    UnixSeconds drop_at;
  };
  struct DigestHash {
    std::size_t operator()(const Digest& d) const;
  };
  // Shards split the lock: each has its own LRU list and map and an equal
  // share of the bounds.
  struct Shard {
    std::mutex mutex;
    std::list<Entry> lru;  // most recently used first
    std::unordered_map<Digest, std::list<Entry>::iterator, DigestHash> index;
  };
  Shard& ShardOf(const Digest& digest);
  void EraseLocked(Shard& shard, std::list<Entry>::iterator it);

  std::size_t per_shard_entries_ = 0;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<std::size_t> entries_{0};
};

}  // namespace tock::server

#endif  // TOCK_SERVER_VALIDATE_VERIFIED_CACHE_H_
