// HttpServer: asynchronous HTTP/1.1 on Boost.Beast, a thread per core,
// keep-alive, size and time limits, a connection cap, graceful shutdown on
// SIGINT/SIGTERM.
#ifndef TOCK_SERVER_HTTP_SERVER_H_
#define TOCK_SERVER_HTTP_SERVER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http/host_guard.h"
#include "http/router.h"
#include "http/trusted_proxies.h"
#include "tock/clock.h"

namespace tock::server {

struct HttpLimits {
  std::size_t header_bytes = 16384;
  std::size_t body_bytes = 65536;
  std::int64_t header_timeout_s = 10;
  std::int64_t body_timeout_s = 30;
  std::int64_t shutdown_grace_s = 10;
  // The connection cap is min(max_connections, the open-file limit - 32).
  std::size_t max_connections = 4096;
  // A keep-alive connection closes after this many requests.
  std::uint64_t requests_per_connection = 10000;
};

// HttpPolicy is what HttpServer asks of its owner beyond routes and limits,
// as plain callbacks and values: the server knows no metrics or config.
struct HttpPolicy {
  // now gives the Date header's time (the owner's tock::Clock); without it
  // responses carry no Date.
  std::function<UnixSeconds()> now;
  // Called when the cap closed an idle connection to admit a new one, or
  // closed a new one at once because every connection had a request in flight.
  std::function<void()> connection_evicted;
  std::function<void()> connection_refused;
  HostGuard host_guard;            // 421 for a foreign Host on loopback
  TrustedProxies trusted_proxies;  // whose X-Forwarded-For is believed
};

// AccessLog is called once per answered request (from a network thread).
using AccessLog = std::function<void(const Request& req, const std::string& endpoint,
                                     unsigned status, double duration_ms)>;

class HttpServer {
 public:
  HttpServer(const Router& router, HttpLimits limits, AccessLog access_log);
  ~HttpServer();

  // Listen binds |host|:|port|; false with |error| set when it cannot.
  bool Listen(const std::string& host, std::uint16_t port, std::string& error);
  // LocalPort is the port Listen bound (the system's choice for port 0).
  std::uint16_t LocalPort() const;
  // EnableTls loads a certificate chain and key (PEM); false with |error|.
  bool EnableTls(const std::string& cert_file, const std::string& key_file, std::string& error);
  // SetPolicy sets the policy (default: none of it). Call before Run.
  void SetPolicy(HttpPolicy policy);
  // ConnectionCap is the number of connections served at once.
  std::size_t ConnectionCap() const;
  // Every runs |task| on the worker pool every |period| from Run until
  // shutdown, on an asio steady_timer of the server's io_context; the next
  // period starts when a run ends, so runs never overlap. Call before Run.
  void Every(std::chrono::milliseconds period, std::function<void()> task);
  // Run serves until SIGINT/SIGTERM, then stops accepting, lets in-flight
  // requests finish (up to shutdown_grace_s) and returns.
  void Run(unsigned threads);
  // Stop begins the same graceful shutdown from any thread.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tock::server

#endif  // TOCK_SERVER_HTTP_SERVER_H_
