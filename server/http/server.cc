#include "http/server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cerrno>

#include "http/session.h"

namespace tock::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using detail::SharedState;
using detail::StartSession;

constexpr auto kAcceptBackoff = std::chrono::milliseconds(50);

}  // namespace

struct HttpServer::Impl {
  Impl(const Router& router, HttpLimits limits, AccessLog log)
      : shared(router, limits, std::move(log),
               std::max(4u, 2 * std::max(1u, std::thread::hardware_concurrency()))),
        acceptor(asio::make_strand(shared.ioc)),
        accept_backoff(acceptor.get_executor()),
        signals(acceptor.get_executor(), SIGINT, SIGTERM) {}

  void Accept() {
    acceptor.async_accept(asio::make_strand(shared.ioc),
                          [this](beast::error_code ec, tcp::socket socket) {
                            if (ec) return OnAcceptError(ec);
                            Admit(std::move(socket));
                            Accept();
                          });
  }

  // OnAcceptError waits 50 ms before accepting again: an error such as
  // EMFILE stays until a descriptor is freed, and accepting again at once
  // would spin on it. Out of descriptors, the oldest idle connection is
  // closed to free one, as the cap would have done.
  void OnAcceptError(beast::error_code ec) {
    if (shared.stopping || !acceptor.is_open() || ec == asio::error::operation_aborted) return;
    if (ec == asio::error::connection_aborted) return Accept();  // that client left; no spin
    if (ec == asio::error::no_descriptors || ec.value() == ENFILE) {
      if (shared.EvictOldestIdle() && shared.policy.connection_evicted)
        shared.policy.connection_evicted();
    }
    accept_backoff.expires_after(kAcceptBackoff);
    accept_backoff.async_wait([this](beast::error_code wec) {
      if (!wec && !shared.stopping) Accept();
    });
  }

  // Admit starts a session for |socket|, at the cap in place of the oldest
  // idle one; with every connection busy, |socket| is closed at once.
  void Admit(tcp::socket socket) {
    switch (shared.MakeRoom()) {
      case SharedState::Room::kFree:
        break;
      case SharedState::Room::kEvicted:
        if (shared.policy.connection_evicted) shared.policy.connection_evicted();
        break;
      case SharedState::Room::kFull: {
        if (shared.policy.connection_refused) shared.policy.connection_refused();
        beast::error_code ignored;
        socket.close(ignored);
        return;
      }
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    asio::ip::address peer = socket.remote_endpoint(ignored).address();
    if (shared.tls) {
      StartSession(shared, detail::TlsStream(std::move(socket), *shared.tls), peer);
    } else {
      StartSession(shared, beast::tcp_stream(std::move(socket)), peer);
    }
  }

  // Periodic is a task of Every(); its timer lives on the acceptor's strand.
  struct Periodic {
    Periodic(const asio::any_io_executor& executor, std::chrono::milliseconds p,
             std::function<void()> t)
        : timer(executor), period(p), task(std::move(t)) {}
    asio::steady_timer timer;
    std::chrono::milliseconds period;
    std::function<void()> task;
  };

  // Arm runs on the acceptor's strand (or before Run). The task itself runs
  // on the worker pool: key generation must not stall a network thread.
  void Arm(Periodic& p) {
    if (shared.stopping) return;
    p.timer.expires_after(p.period);
    p.timer.async_wait([this, &p](beast::error_code ec) {
      if (ec || shared.stopping) return;
      asio::post(shared.pool, [this, &p] {
        try {
          p.task();
        } catch (const std::exception&) {
          // The task reports its own failures; the schedule goes on.
        }
        asio::post(acceptor.get_executor(), [this, &p] { Arm(p); });
      });
    });
  }

  // BeginShutdown runs on any thread; the acceptor, signal set and timers
  // are not thread-safe, so they are closed on their strand, where Accept
  // and Arm run.
  void BeginShutdown() {
    asio::post(acceptor.get_executor(), [this] {
      beast::error_code ignored;
      acceptor.close(ignored);
      accept_backoff.cancel();
      signals.cancel(ignored);
      for (auto& p : periodic) p->timer.cancel();
    });
    std::vector<std::function<void()>> close_if_idle = shared.BeginStopping();
    // Without the lock: a callback may drop the last reference to its
    // session, whose destructor takes the lock (a self-deadlock if held).
    for (auto& callback : close_if_idle) callback();
  }

  SharedState shared;
  tcp::acceptor acceptor;
  asio::steady_timer accept_backoff;
  asio::signal_set signals;
  std::vector<std::unique_ptr<Periodic>> periodic;
};

HttpServer::HttpServer(const Router& router, HttpLimits limits, AccessLog access_log)
    : impl_(std::make_unique<Impl>(router, limits, std::move(access_log))) {}

HttpServer::~HttpServer() = default;

bool HttpServer::Listen(const std::string& host, std::uint16_t port, std::string& error) {
  beast::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) {
    error = "cannot listen on \"" + host + "\": not an IP address";
    return false;
  }
  tcp::endpoint endpoint(address, port);
  tcp::acceptor& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error = "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message();
    return false;
  }
  return true;
}

bool HttpServer::EnableTls(const std::string& cert_file, const std::string& key_file,
                           std::string& error) {
  auto& tls = impl_->shared.tls.emplace(ssl::context::tls_server);
  beast::error_code ec;
  tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                  ec);
  if (!ec) tls.use_certificate_chain_file(cert_file, ec);
  if (ec) {
    error = "cannot use tls_cert " + cert_file + ": " + ec.message() +
            "; it must hold the PEM certificate (chain) of this server";
    return false;
  }
  tls.use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) {
    error = "cannot use tls_key " + key_file + ": " + ec.message() +
            "; it must hold the PEM private key of tls_cert";
    return false;
  }
  return true;
}

void HttpServer::SetPolicy(HttpPolicy policy) { impl_->shared.policy = std::move(policy); }

std::uint16_t HttpServer::LocalPort() const {
  beast::error_code ec;
  tcp::endpoint bound = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : bound.port();
}

std::size_t HttpServer::ConnectionCap() const { return impl_->shared.cap; }

void HttpServer::Every(std::chrono::milliseconds period, std::function<void()> task) {
  impl_->periodic.push_back(
      std::make_unique<Impl::Periodic>(impl_->acceptor.get_executor(), period, std::move(task)));
}

void HttpServer::Run(unsigned threads) {
  Impl& impl = *impl_;
  impl.signals.async_wait([&impl](beast::error_code ec, int) {
    if (!ec) impl.BeginShutdown();
  });
  impl.Accept();
  // No network thread runs yet, so arming from here does not race the strand.
  for (auto& p : impl.periodic) impl.Arm(*p);
  // Once shutdown closes the acceptor, an in-flight request may have no
  // operation pending on the io_context while its handler runs on the worker
  // pool; without this guard run() would return and its response never be
  // written.
  auto keep_running = asio::make_work_guard(impl.shared.ioc);
  std::vector<std::thread> pool;
  for (unsigned i = 0; i < std::max(1u, threads); ++i) {
    pool.emplace_back([&impl] { impl.shared.ioc.run(); });
  }
  {
    std::unique_lock<std::mutex> lock(impl.shared.mutex);
    impl.shared.changed.wait(lock, [&] { return impl.shared.stopping.load(); });
    auto deadline = Clock::now() + std::chrono::seconds(impl.shared.limits.shutdown_grace_s);
    impl.shared.changed.wait_until(lock, deadline, [&] { return impl.shared.sessions.empty(); });
  }
  impl.shared.ioc.stop();
  for (std::thread& t : pool) t.join();
  impl.shared.pool.stop();
  impl.shared.pool.join();
}

void HttpServer::Stop() { impl_->BeginShutdown(); }

}  // namespace tock::server
