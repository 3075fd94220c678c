#include "issuer/rate_limiter.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace tock::server {

RateLimiter::RateLimiter(double per_second, std::size_t budget_bytes)
    : rate_(per_second), burst_(std::max(1.0, per_second)) {
  std::size_t sets = std::max<std::size_t>(1, budget_bytes / (sizeof(Entry) * kWays));
  entries_.resize(sets * kWays);
  if (RAND_bytes(salt_.data(), static_cast<int>(salt_.size())) != 1) {
    // No randomness: a fixed salt still bounds memory; only set crowding
    // becomes predictable.
    salt_.fill(0x5a);
  }
}

RateLimiter::Id RateLimiter::Hash(std::string_view key) const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  bool ok = md && EVP_DigestInit_ex(md, EVP_sha256(), nullptr) == 1 &&
            EVP_DigestUpdate(md, salt_.data(), salt_.size()) == 1 &&
            EVP_DigestUpdate(md, key.data(), key.size()) == 1 &&
            EVP_DigestFinal_ex(md, digest, &size) == 1;
  EVP_MD_CTX_free(md);
  Id id{};
  if (ok) std::memcpy(id.data(), digest, id.size());
  return id;  // all zero on an OpenSSL failure: every key shares one bucket (fails safe)
}

double RateLimiter::Refilled(const Entry& e, double now) const {
  return std::min(burst_, e.tokens + std::max(0.0, now - e.last) * rate_);
}

RateLimiter::Entry* RateLimiter::Find(const Id& id, double now, bool claim) {
  std::uint64_t index = 0;
  std::memcpy(&index, id.data(), sizeof index);
  Entry* set = &entries_[(index % (entries_.size() / kWays)) * kWays];
  Entry* victim = nullptr;
  for (std::size_t i = 0; i < kWays; ++i) {
    Entry& e = set[i];
    if (e.last >= 0 && e.id == id) return &e;
    if (!victim || e.last < victim->last) victim = &e;  // a free entry (last < 0) first
  }
  if (!claim) return nullptr;
  *victim = Entry{id, burst_, now};
  return victim;
}

bool RateLimiter::HasRoom(std::string_view key, double now) {
  Id id = Hash(key);
  std::lock_guard<std::mutex> lock(mutex_);
  const Entry* e = Find(id, now, false);
  return !e || Refilled(*e, now) >= 1.0;
}

bool RateLimiter::Allow(std::string_view key, double now) {
  Id id = Hash(key);
  std::lock_guard<std::mutex> lock(mutex_);
  Entry* e = Find(id, now, true);
  e->tokens = Refilled(*e, now);
  e->last = std::max(e->last, now);
  if (e->tokens < 1.0) return false;
  e->tokens -= 1.0;
  return true;
}

long RateLimiter::RetryAfter() const {
  return std::max(1L, static_cast<long>(std::ceil(1.0 / rate_)));
}

}  // namespace tock::server
