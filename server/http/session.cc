// Session: one HTTP/1.1 connection of HttpServer (plain or TLS), a
// template over the stream type, instantiated here for the two streams
// server.cc uses.
#include "http/session.h"

#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "http/http_date.h"
#include "tock/app/json_writer.h"

namespace tock::server {
namespace detail {

namespace {

namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto kWriteTimeout = std::chrono::seconds(30);
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 1 << 20;

std::string ErrorBody(std::string_view error, std::string_view description) {
  return JsonWriter().Str("error", error).Str("error_description", description).Finish();
}

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(SharedState& shared, Stream stream, asio::ip::address peer)
      : shared_(shared), stream_(std::move(stream)), timer_(stream_.get_executor()), peer_(peer) {}

  ~Session() {
    if (slot_) shared_.Unregister(*slot_);
  }

  // Start registers the session for shutdown and the connection cap, then
  // begins on the session's strand (it is called on the acceptor's), where
  // close-if-idle and eviction also run.
  void Start() {
    std::weak_ptr<Session> weak = this->shared_from_this();
    SessionSlot slot;
    slot.in_flight = &in_flight_;
    slot.close_if_idle = [weak] {
      if (auto self = weak.lock()) {
        asio::post(self->stream_.get_executor(), [self] {
          if (!self->in_flight_) self->Close();
        });
      }
    };
    // Evicted while a request arrived: that request is answered (with
    // Connection: close), not cut off.
    slot.evict = [weak] {
      if (auto self = weak.lock()) {
        asio::post(self->stream_.get_executor(), [self] {
          self->close_after_response_ = true;
          if (!self->in_flight_) self->Close();
        });
      }
    };
    slot_ = shared_.Register(std::move(slot));
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
    req->remote_ip = shared_.policy.trusted_proxies.ClientAddress(peer_, req->msg.base());
    std::string_view target(req->msg.target().data(), req->msg.target().size());
    std::size_t q = target.find('?');
    req->path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) req->query = std::string(target.substr(q + 1));
    // The connection's last request (requests_per_connection) is answered
    // with Connection: close.
    ++served_;
    keep_alive_ = req->msg.keep_alive() && served_ < shared_.limits.requests_per_connection;
    if (std::optional<Response> refused = CheckHost(*req)) {
      return Write(req, std::make_shared<Response>(std::move(*refused)), "other");
    }
    // The thread rule: a handler that cannot block runs here, on the
    // connection's I/O thread; blocking ones go to the worker pool and the
    // response comes back to this strand.
    if (!shared_.router.Blocks(*req)) {
      std::string endpoint = "other";
      auto res = std::make_shared<Response>(Answer(*req, endpoint));
      return Write(req, res, endpoint);
    }
    asio::post(shared_.pool, [self = this->shared_from_this(), req] {
      std::string endpoint = "other";
      auto res = std::make_shared<Response>(self->Answer(*req, endpoint));
      asio::post(self->stream_.get_executor(),
                 [self, req, res, endpoint] { self->Write(req, res, endpoint); });
    });
  }

  // Answer runs the route; an exception is a 500, never a lost connection.
  Response Answer(const Request& req, std::string& endpoint) const {
    try {
      return shared_.router.Route(req, endpoint);
    } catch (const std::exception&) {
      return JsonResponse(req, http::status::internal_server_error,
                          ErrorBody("server_error", "internal error"));
    }
  }

  // CheckHost answers a request the Host guard refuses (421 or 400), on
  // this thread: it costs no worker.
  std::optional<Response> CheckHost(const Request& req) const {
    switch (shared_.policy.host_guard.Check(req.msg.base(), req.msg.version())) {
      case HostGuard::Verdict::kAllowed:
        return std::nullopt;
      case HostGuard::Verdict::kMisdirected:
        return JsonResponse(req, http::status::misdirected_request,
                            ErrorBody("misdirected_request",
                                      "this server answers only for localhost, loopback "
                                      "addresses and its issuer's host"));
      case HostGuard::Verdict::kMissing:
        return JsonResponse(req, http::status::bad_request,
                            ErrorBody("invalid_request", "an HTTP/1.1 request needs one Host"));
      case HostGuard::Verdict::kInvalid:
        break;
    }
    return JsonResponse(req, http::status::bad_request,
                        ErrorBody("invalid_request", "the Host header is not host[:port]"));
  }

  // Stamp adds the Date header (RFC 9110 section 6.6.1) from the owner's clock.
  void Stamp(Response& res) const {
    if (shared_.policy.now && res.find(http::field::date) == res.end())
      res.set(http::field::date, HttpDate(shared_.policy.now()));
  }

  void Write(std::shared_ptr<Request> req, std::shared_ptr<Response> res, std::string endpoint) {
    bool keep = keep_alive_ && !shared_.stopping && !close_after_response_;
    Stamp(*res);
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
    Stamp(*res);
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
  asio::ip::address peer_;  // the TCP peer; Request.remote_ip may differ (a trusted proxy)
  std::optional<SessionSlots::iterator> slot_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::uint64_t generation_ = 0;
  bool reading_ = false;
  bool timed_out_ = false;
  // Read by the acceptor's thread (the cap picks idle sessions to evict).
  std::atomic<bool> in_flight_{false};
  bool keep_alive_ = false;
  bool close_after_response_ = false;  // evicted by the cap
  std::uint64_t served_ = 0;           // requests read on this connection
  std::size_t drained_ = 0;
  Clock::time_point started_ = Clock::now();
};

}  // namespace

template <class Stream>
void StartSession(SharedState& shared, Stream stream, asio::ip::address peer) {
  std::make_shared<Session<Stream>>(shared, std::move(stream), peer)->Start();
}

template void StartSession<beast::tcp_stream>(SharedState&, beast::tcp_stream, asio::ip::address);
template void StartSession<TlsStream>(SharedState&, TlsStream, asio::ip::address);

}  // namespace detail
}  // namespace tock::server
