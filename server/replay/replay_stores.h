// The server's persistent replay stores: SQLite in the data directory (WAL,
// survives a restart) and Redis (SET NX PX, shared by several instances).
#ifndef TOCK_SERVER_REPLAY_REPLAY_STORES_H_
#define TOCK_SERVER_REPLAY_REPLAY_STORES_H_

#include <memory>
#include <string>

#include "tock/clock.h"
#include "tock/replay_store.h"
#include "tock/result.h"

namespace tock::server {

// OpenSqliteReplayStore opens (creating, mode 0600) |path|. kIoError.
Result<std::unique_ptr<ReplayStore>> OpenSqliteReplayStore(const std::string& path,
                                                           const Clock& clock);

// MakeRedisReplayStore parses |url| (redis://[[user]:password@]host[:port][/db],
// see redis_url.h) and connects lazily, with AUTH when the url has a
// password: an unreachable Redis or a refused password fails each call
// (closed), never the start.
Result<std::unique_ptr<ReplayStore>> MakeRedisReplayStore(const std::string& url,
                                                          const Clock& clock);

}  // namespace tock::server

#endif  // TOCK_SERVER_REPLAY_REPLAY_STORES_H_
