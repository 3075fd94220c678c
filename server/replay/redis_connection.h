// One Redis connection of the replay store's pool: connect with a deadline,
// AUTH and SELECT per the url, and the start-up persistence check.
#ifndef TOCK_SERVER_REPLAY_REDIS_CONNECTION_H_
#define TOCK_SERVER_REPLAY_REDIS_CONNECTION_H_

#include <hiredis/hiredis.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "replay/redis_url.h"

namespace tock::server {

// kRedisTimeout bounds the TCP connect and every command's reply (server.md:
// 250 ms), so a blackholed Redis costs a request at most this long.
inline constexpr std::chrono::milliseconds kRedisTimeout{250};

struct RedisContextFree {
  void operator()(redisContext* c) const { redisFree(c); }
};
struct RedisReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using RedisConnection = std::unique_ptr<redisContext, RedisContextFree>;
using RedisReply = std::unique_ptr<redisReply, RedisReplyFree>;

// RedisFailure is why a connection could not be had or used. |broken|: the
// connection failed (refused, reset, timed out), so the caller's circuit
// breaker opens; otherwise Redis answered with a refusal (AUTH, SELECT) and
// is reachable.
struct RedisFailure {
  std::string reason;
  bool broken = false;
};

// ConnectRedis connects within kRedisTimeout and sets the same timeout on
// its replies, then runs AUTH / SELECT as |url| asks.
struct RedisConnectResult {
  RedisConnection connection;           // set on success
  std::optional<RedisFailure> failure;  // set on failure
};
RedisConnectResult ConnectRedis(const RedisUrl& url);

// BrokenReason says why |c| failed during |command| (a timeout reads as
// "no reply to COMMAND within 250 ms").
std::string BrokenReason(const redisContext& c, const std::string& command);

// StillOpen: an idle pooled connection has no data pending; one the server
// closed (restart, idle timeout) reads as EOF. Checked before reuse, so a
// SET never goes out on a connection that is already dead.
bool StillOpen(const redisContext& c);

// CheckPersistence asks Redis (CONFIG GET appendonly / save, else INFO
// persistence) whether it keeps data across a restart: |warning| when it
// does not (a restart would forget every jti) or cannot tell;
// |connection_broken| when the connection failed meanwhile.
struct PersistenceCheck {
  std::optional<std::string> warning;
  bool connection_broken = false;
};
PersistenceCheck CheckPersistence(redisContext& c, const std::string& shown_url);

}  // namespace tock::server

#endif  // TOCK_SERVER_REPLAY_REDIS_CONNECTION_H_
