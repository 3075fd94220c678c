// SharedState: what every session of HttpServer sees, and the table of open
// connections behind the connection cap. Private to server/http.
#ifndef TOCK_SERVER_HTTP_SHARED_STATE_H_
#define TOCK_SERVER_HTTP_SHARED_STATE_H_

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <vector>

#include "http/server.h"

namespace tock::server::detail {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;

// SessionSlot is one open connection in the table.
struct SessionSlot {
  std::function<void()> close_if_idle;  // graceful shutdown
  std::function<void()> evict;          // the cap: close if idle, else after its response
  const std::atomic<bool>* in_flight = nullptr;
  bool evicting = false;  // told to close; no longer counted against the cap
};
using SessionSlots = std::list<SessionSlot>;

// ConnectionCap is min(|max_connections|, the RLIMIT_NOFILE soft limit - 32),
// at least 1: the 32 leave descriptors for the listener, stores, log and
// outgoing fetches.
std::size_t ConnectionCap(std::size_t max_connections);

struct SharedState {
  SharedState(const Router& r, HttpLimits l, AccessLog log, unsigned workers)
      : router(r),
        limits(l),
        cap(ConnectionCap(l.max_connections)),
        access_log(std::move(log)),
        pool(workers) {}

  const Router& router;
  HttpLimits limits;
  std::size_t cap;
  AccessLog access_log;
  HttpPolicy policy;
  std::optional<ssl::context> tls;
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::condition_variable changed;
  SessionSlots sessions;     // in accept order: the front is the oldest
  std::size_t evicting = 0;  // slots with evicting set
  // Declared last, so destroyed first: handlers still queued in them own
  // sessions, whose destructors use the members above.
  asio::io_context ioc;
  // Handlers run on a worker pool, not the network threads: scrypt and JWKS
  // fetches take time and must not stall other connections.
  asio::thread_pool pool;

  SessionSlots::iterator Register(SessionSlot slot);
  void Unregister(SessionSlots::iterator slot);

  enum class Room { kFree, kEvicted, kFull };
  // MakeRoom runs before a new connection is admitted (on the acceptor's
  // strand, the only place that registers): under the cap kFree; at the cap
  // the oldest session without a request in flight is told to close
  // (kEvicted), and kFull when every session has one in flight.
  Room MakeRoom();
  // EvictOldestIdle tells the oldest idle session to close; false if none.
  bool EvictOldestIdle();
  // BeginStopping sets |stopping| and returns every session's close_if_idle.
  std::vector<std::function<void()>> BeginStopping();
};

}  // namespace tock::server::detail

#endif  // TOCK_SERVER_HTTP_SHARED_STATE_H_
