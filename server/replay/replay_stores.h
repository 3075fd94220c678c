// The server's persistent replay stores: SQLite in the data directory (WAL,
// survives a restart) and Redis (SET NX PX, shared by several instances).
#ifndef TOCK_SERVER_REPLAY_REPLAY_STORES_H_
#define TOCK_SERVER_REPLAY_REPLAY_STORES_H_

#include <functional>
#include <memory>
#include <string>

#include "store/pg_status.h"
#include "tock/clock.h"
#include "tock/replay_store.h"
#include "tock/result.h"

namespace tock::server {

// OpenSqliteReplayStore opens (creating, mode 0600) |path|. kIoError.
Result<std::unique_ptr<ReplayStore>> OpenSqliteReplayStore(const std::string& path,
                                                           const Clock& clock);

// RedisWarning hears a warning about the Redis server (no persistence).
using RedisWarning = std::function<void(const std::string& message)>;

// MakeRedisReplayStore parses |url| (redis://[[user]:password@]host[:port][/db],
// see redis_url.h) and connects lazily, with AUTH when the url has a
// password: an unreachable Redis or a refused password fails each call
// (closed), never the start. Connections are pooled; connect and replies are
// bounded by 250 ms; after a broken connection every call fails at once for
// 1 s (circuit breaker). On its first connection the store checks that Redis
// persists data and tells |warn| when it does not.
Result<std::unique_ptr<ReplayStore>> MakeRedisReplayStore(const std::string& url,
                                                          const Clock& clock,
                                                          RedisWarning warn = {});

// MakePostgresReplayStore keeps ids in tock_replay of the [store] database
// (the schema is the key store's, migrated before this is made). It connects
// lazily, pools a few connections, and reports to |status| (shared with the
// key store, which checks the database every second; Ping reads it).
std::unique_ptr<ReplayStore> MakePostgresReplayStore(const std::string& conninfo,
                                                     const Clock& clock,
                                                     std::shared_ptr<PgStatus> status);

}  // namespace tock::server

#endif  // TOCK_SERVER_REPLAY_REPLAY_STORES_H_
