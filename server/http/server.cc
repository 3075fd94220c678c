#include "http/server.h"

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "tock/json_writer.h"

namespace tock::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto kWriteTimeout = std::chrono::seconds(30);
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 1 << 20;

}  // namespace

// Shared is the state every session sees.
struct SharedState {
  SharedState(const Router& r, HttpLimits l, AccessLog log, unsigned workers)
      : router(r), limits(l), access_log(std::move(log)), pool(workers) {}

  const Router& router;
  HttpLimits limits;
  AccessLog access_log;
  std::optional<ssl::context> tls;
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::condition_variable changed;
  std::map<void*, std::function<void()>> sessions;  // session -> close-if-idle
  // Declared last, so destroyed first: handlers still queued in them own
  // sessions, whose destructors use the members above.
  asio::io_context ioc;
  // Handlers run on a worker pool, not the network threads: scrypt and JWKS
  // fetches take time and must not stall other connections.
  asio::thread_pool pool;

  void Register(void* id, std::function<void()> close_if_idle) {
    std::lock_guard<std::mutex> lock(mutex);
    sessions[id] = std::move(close_if_idle);
  }
  void Unregister(void* id) {
    std::lock_guard<std::mutex> lock(mutex);
    sessions.erase(id);
    changed.notify_all();
  }
};

namespace {

std::string ErrorBody(std::string_view error, std::string_view description) {
  return JsonWriter().Str("error", error).Str("error_description", description).Finish();
}

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(SharedState& shared, Stream stream, std::string remote_ip)
      : shared_(shared),
        stream_(std::move(stream)),
        timer_(stream_.get_executor()),
        remote_ip_(std::move(remote_ip)) {}

  ~Session() { shared_.Unregister(this); }

  // Start registers the session for shutdown, then begins on the session's
  // strand (it is called on the acceptor's), where close-if-idle also runs.
  void Start() {
    std::weak_ptr<Session> weak = this->shared_from_this();
    shared_.Register(this, [weak] {
      if (auto self = weak.lock()) {
        asio::post(self->stream_.get_executor(), [self] {
          if (!self->in_flight_) self->Close();
        });
      }
    });
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->Begin(); });
  }

 private:
  void Begin() {
    // Accepted while shutdown began: BeginShutdown may not have seen it.
    if (shared_.stopping) return Close();
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      ReadHeader();
    } else {
      reading_ = true;
      Arm(shared_.limits.header_timeout_s);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                self->reading_ = false;
                                self->Disarm();
                                if (ec) return self->Close();
                                self->ReadHeader();
                              });
    }
  }

  tcp::socket& Socket() { return beast::get_lowest_layer(stream_).socket(); }

  // Arm starts the read deadline: on expiry the pending read is cancelled and
  // the session answers 408 (a closed socket could not answer at all).
  void Arm(std::int64_t seconds) {
    std::uint64_t generation = ++generation_;
    timer_.expires_after(std::chrono::seconds(seconds));
    timer_.async_wait([self = this->shared_from_this(), generation](beast::error_code ec) {
      if (ec || generation != self->generation_ || !self->reading_) return;
      self->timed_out_ = true;
      beast::error_code ignored;
      self->Socket().cancel(ignored);
    });
  }
  void Disarm() {
    ++generation_;
    timer_.cancel();
  }

  void ReadHeader() {
    if (shared_.stopping) return Close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_.limits.header_bytes));
    parser_->body_limit(shared_.limits.body_bytes);
    reading_ = true;
    timed_out_ = false;
    beast::get_lowest_layer(stream_).expires_never();
    Arm(shared_.limits.header_timeout_s);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              self->OnHeader(ec);
                            });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    // Headers are in: the request is now in flight for graceful shutdown.
    in_flight_ = true;
    started_ = Clock::now();
    if (parser_->is_done()) return Dispatch();
    Arm(shared_.limits.body_timeout_s);
    auto expect = parser_->get().find(http::field::expect);
    if (expect != parser_->get().end() && beast::iequals(expect->value(), "100-continue")) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      http::async_write(
          stream_, *cont,
          [self = this->shared_from_this(), cont](beast::error_code wec, std::size_t) {
            if (wec) return self->Close();
            self->ReadBody();
          });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return self->OnReadError(ec);
                       self->Dispatch();
                     });
  }

  void OnReadError(beast::error_code ec) {
    reading_ = false;
    Disarm();
    if (timed_out_) {
      return SendError(http::status::request_timeout, "request_timeout",
                       "the request did not arrive in time");
    }
    if (ec == http::error::header_limit) {
      return SendError(
          http::status::request_header_fields_too_large, "header_too_large",
          "request headers exceed " + std::to_string(shared_.limits.header_bytes) + " bytes");
    }
    if (ec == http::error::body_limit) {
      return SendError(
          http::status::payload_too_large, "body_too_large",
          "request body exceeds " + std::to_string(shared_.limits.body_bytes) + " bytes");
    }
    if (ec.category() == beast::http::make_error_code(http::error::bad_target).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return SendError(http::status::bad_request, "invalid_request",
                       "the request is not valid HTTP/1.1: " + ec.message());
    }
    Close();
  }

  void Dispatch() {
    reading_ = false;
    Disarm();
    auto req = std::make_shared<Request>();
    req->msg = parser_->release();
    req->remote_ip = remote_ip_;
    std::string_view target(req->msg.target().data(), req->msg.target().size());
    std::size_t q = target.find('?');
    req->path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) req->query = std::string(target.substr(q + 1));
    keep_alive_ = req->msg.keep_alive();
    asio::post(shared_.pool, [self = this->shared_from_this(), req] {
      std::string endpoint = "other";
      Response res;
      try {
        res = self->shared_.router.Route(*req, endpoint);
      } catch (const std::exception&) {
        res = JsonResponse(*req, http::status::internal_server_error,
                           ErrorBody("server_error", "internal error"));
      }
      auto shared_res = std::make_shared<Response>(std::move(res));
      asio::post(self->stream_.get_executor(),
                 [self, req, shared_res, endpoint] { self->Write(req, shared_res, endpoint); });
    });
  }

  void Write(std::shared_ptr<Request> req, std::shared_ptr<Response> res, std::string endpoint) {
    bool keep = keep_alive_ && !shared_.stopping;
    res->keep_alive(keep);
    res->prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(kWriteTimeout);
    http::async_write(
        stream_, *res,
        [self = this->shared_from_this(), req, res, endpoint, keep](beast::error_code ec,
                                                                    std::size_t) {
          self->in_flight_ = false;
          double ms =
              std::chrono::duration<double, std::milli>(Clock::now() - self->started_).count();
          if (self->shared_.access_log) {
            self->shared_.access_log(*req, endpoint, res->result_int(), ms);
          }
          if (ec) return self->Close();
          // A graceful close: the client may have sent more (a pipelined
          // request) that a plain close would answer with a reset, which can
          // destroy the response just written (RFC 9112 section 9.6).
          if (!keep || self->shared_.stopping) return self->LingeringClose();
          self->ReadHeader();
        });
  }

  // SendError answers a request that could not be read, then closes.
  void SendError(http::status status, std::string_view error, const std::string& description) {
    in_flight_ = true;
    auto res = std::make_shared<Response>(status, 11);
    res->set(http::field::server, "tock");
    res->set(http::field::content_type, "application/json");
    res->body() = ErrorBody(error, description) + "\n";
    res->keep_alive(false);
    res->prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(kWriteTimeout);
    http::async_write(stream_, *res,
                      [self = this->shared_from_this(), res](beast::error_code ec, std::size_t) {
                        self->in_flight_ = false;
                        if (ec) return self->Close();
                        self->LingeringClose();
                      });
  }

  // LingeringClose stops sending, then reads and drops what the client is
  // still sending for a moment, so the kernel does not reset the connection
  // (and destroy our error response) because of unread data.
  void LingeringClose() {
    beast::error_code ignored;
    Socket().shutdown(tcp::socket::shutdown_send, ignored);
    beast::get_lowest_layer(stream_).expires_after(kLingerTime);
    Drain();
  }
  // Through the tcp_stream, not the raw socket: only its reads obey its
  // expiry, so a silent client cannot hold the session (or a shutdown).
  void Drain() {
    auto buf = std::make_shared<std::array<char, 8192>>();
    beast::get_lowest_layer(stream_).async_read_some(
        asio::buffer(*buf),
        [self = this->shared_from_this(), buf](beast::error_code ec, std::size_t n) {
          self->drained_ += n;
          if (ec || self->drained_ > kLingerBytes) return self->Close();
          self->Drain();
        });
  }

  void Close() {
    reading_ = false;
    Disarm();
    beast::error_code ignored;
    Socket().shutdown(tcp::socket::shutdown_both, ignored);
    Socket().close(ignored);
  }

  SharedState& shared_;
  Stream stream_;
  asio::steady_timer timer_;
  std::string remote_ip_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::uint64_t generation_ = 0;
  bool reading_ = false;
  bool timed_out_ = false;
  bool in_flight_ = false;
  bool keep_alive_ = false;
  std::size_t drained_ = 0;
  Clock::time_point started_ = Clock::now();
};

}  // namespace

struct HttpServer::Impl {
  Impl(const Router& router, HttpLimits limits, AccessLog log)
      : shared(router, limits, std::move(log),
               std::max(4u, 2 * std::max(1u, std::thread::hardware_concurrency()))),
        acceptor(asio::make_strand(shared.ioc)),
        signals(acceptor.get_executor(), SIGINT, SIGTERM) {}

  void Accept() {
    acceptor.async_accept(asio::make_strand(shared.ioc), [this](beast::error_code ec,
                                                                tcp::socket socket) {
      if (ec) {
        if (!shared.stopping && acceptor.is_open()) Accept();
        return;
      }
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::string ip = socket.remote_endpoint(ignored).address().to_string();
      if (shared.tls) {
        using TlsStream = beast::ssl_stream<beast::tcp_stream>;
        std::make_shared<Session<TlsStream>>(shared, TlsStream(std::move(socket), *shared.tls), ip)
            ->Start();
      } else {
        std::make_shared<Session<beast::tcp_stream>>(shared, beast::tcp_stream(std::move(socket)),
                                                     ip)
            ->Start();
      }
      Accept();
    });
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
      signals.cancel(ignored);
      for (auto& p : periodic) p->timer.cancel();
    });
    std::vector<std::function<void()>> close_if_idle;
    {
      std::lock_guard<std::mutex> lock(shared.mutex);
      shared.stopping = true;
      for (auto& [id, callback] : shared.sessions) close_if_idle.push_back(callback);
      shared.changed.notify_all();
    }
    // Without the lock: a callback may drop the last reference to its
    // session, whose destructor takes the lock (a self-deadlock if held).
    for (auto& callback : close_if_idle) callback();
  }

  SharedState shared;
  tcp::acceptor acceptor;
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
