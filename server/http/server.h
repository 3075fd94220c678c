// HttpServer: asynchronous HTTP/1.1 on Boost.Beast, a thread per core,
// keep-alive, size and time limits, graceful shutdown on SIGINT/SIGTERM.
#ifndef TOCK_SERVER_HTTP_SERVER_H_
#define TOCK_SERVER_HTTP_SERVER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http/router.h"

namespace tock::server {

struct HttpLimits {
  std::size_t header_bytes = 16384;
  std::size_t body_bytes = 65536;
  std::int64_t header_timeout_s = 10;
  std::int64_t body_timeout_s = 30;
  std::int64_t shutdown_grace_s = 10;
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
  // EnableTls loads a certificate chain and key (PEM); false with |error|.
  bool EnableTls(const std::string& cert_file, const std::string& key_file, std::string& error);
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
