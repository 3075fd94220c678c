// RateLimiter: a token bucket per key (a client id, a remote address) in a
// fixed amount of memory.
#ifndef TOCK_SERVER_ISSUER_RATE_LIMITER_H_
#define TOCK_SERVER_ISSUER_RATE_LIMITER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <vector>

namespace tock::server {

// Keys are never stored: each is reduced to 16 bytes of a salted SHA-256, so
// an entry has a fixed size whatever the key (a long client id, an IPv6
// address) and the table is allocated once, |budget_bytes| large. The table
// is set-associative (8 entries per set, the set chosen by the hash): a new
// key takes a free entry of its set or replaces the set's stalest one (least
// recently charged). The salt is random per process, so nobody can pick keys
// that crowd one set. A replaced entry forgets its bucket, which is exactly
// a full bucket again: for a refilled (idle) entry nothing is lost.
class RateLimiter {
 public:
  // kDefaultBudgetBytes: 1 MiB, 32768 entries of 32 bytes.
  static constexpr std::size_t kDefaultBudgetBytes = std::size_t{1} << 20;

  // |per_second| requests per second per key, with a burst of the same size
  // (at least 1).
  explicit RateLimiter(double per_second, std::size_t budget_bytes = kDefaultBudgetBytes);

  // HasRoom is true when |key|'s bucket holds a request at |now| (seconds),
  // without taking it (an unknown key has a full bucket and is not stored).
  bool HasRoom(std::string_view key, double now);
  // Allow takes one request from |key|'s bucket at |now|; false when it is
  // empty (then nothing is taken).
  bool Allow(std::string_view key, double now);
  // RetryAfter is the whole seconds until an empty bucket holds a request.
  long RetryAfter() const;

  // capacity is how many keys the table holds; bytes its size in memory.
  std::size_t capacity() const { return entries_.size(); }
  std::size_t bytes() const { return entries_.size() * sizeof(Entry); }

 private:
  using Id = std::array<std::uint8_t, 16>;
  struct Entry {
    Id id{};
    double tokens = 0;
    double last = -1;  // < 0: free
  };
  static_assert(sizeof(Entry) == 32);
  static constexpr std::size_t kWays = 8;

  Id Hash(std::string_view key) const;
  // Find returns |key|'s entry, or nullptr; with |claim| it takes a free or
  // the stalest entry of the set for it (a full bucket).
  Entry* Find(const Id& id, double now, bool claim);
  double Refilled(const Entry& e, double now) const;

  double rate_;
  double burst_;
  std::array<std::uint8_t, 16> salt_{};
  std::mutex mutex_;
  std::vector<Entry> entries_;  // sets of kWays, allocated once
};

}  // namespace tock::server

#endif  // TOCK_SERVER_ISSUER_RATE_LIMITER_H_
