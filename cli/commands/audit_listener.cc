#include "commands/audit_listener.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <thread>

namespace tock::cli::audit {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
// A fetcher gets this long to send its request; the listener must never hold
// up the audit's end.
constexpr auto kRequestTimeout = std::chrono::seconds(5);
}  // namespace

struct Listener::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::map<std::string, Document> documents;
  mutable std::mutex mutex;
  std::vector<Fetch> fetches;
  std::thread thread;
  unsigned short bound_port = 0;

  void Accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;  // closed: the listener is stopping
      Serve(std::make_shared<beast::tcp_stream>(std::move(socket)));
      Accept();
    });
  }

  void Serve(std::shared_ptr<beast::tcp_stream> stream) {
    auto buffer = std::make_shared<beast::flat_buffer>();
    auto request = std::make_shared<http::request<http::string_body>>();
    stream->expires_after(kRequestTimeout);
    http::async_read(*stream, *buffer, *request,
                     [this, stream, buffer, request](beast::error_code ec, std::size_t) {
                       if (ec) return;
                       Record(*stream, *request);
                       Reply(stream, *request);
                     });
  }

  void Record(beast::tcp_stream& stream, const http::request<http::string_body>& request) {
    beast::error_code ec;
    tcp::endpoint peer = stream.socket().remote_endpoint(ec);
    std::lock_guard<std::mutex> lock(mutex);
    fetches.push_back(Fetch{std::string(request.method_string()), std::string(request.target()),
                            ec ? "" : peer.address().to_string()});
  }

  void Reply(std::shared_ptr<beast::tcp_stream> stream,
             const http::request<http::string_body>& request) {
    auto response = std::make_shared<http::response<http::string_body>>();
    response->version(request.version());
    response->keep_alive(false);
    std::string path(request.target());
    path = path.substr(0, path.find('?'));
    std::unique_lock<std::mutex> lock(mutex);
    auto it = documents.find(path);
    if (it == documents.end()) {
      response->result(http::status::not_found);
      response->set(http::field::content_type, "text/plain");
      response->body() = "not found\n";
    } else {
      response->result(http::status::ok);
      response->set(http::field::content_type, it->second.content_type);
      response->body() = it->second.body;
    }
    lock.unlock();
    response->prepare_payload();
    http::async_write(*stream, *response, [stream, response](beast::error_code, std::size_t) {
      beast::error_code ignored;
      stream->socket().shutdown(tcp::socket::shutdown_send, ignored);
    });
  }
};

Listener::Listener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<Listener>> Listener::Start(const std::string& host, unsigned short port) {
  auto impl = std::make_unique<Impl>();
  beast::error_code ec;
  asio::ip::address address = asio::ip::make_address(host, ec);
  tcp::endpoint endpoint(address, port);
  if (!ec) impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error(ErrorCode::kNetworkError, "cannot listen on " + host + ":" + std::to_string(port) +
                                               " for the jku/x5u cases: " + ec.message() + ".");
  }
  impl->bound_port = impl->acceptor.local_endpoint(ec).port();
  impl->Accept();
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->io.run(); });
  return std::unique_ptr<Listener>(new Listener(std::move(impl)));
}

Listener::~Listener() {
  asio::post(impl_->io, [impl = impl_.get()] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
  });
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

unsigned short Listener::port() const { return impl_->bound_port; }

void Listener::Publish(std::map<std::string, Document> documents) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->documents = std::move(documents);
}

std::vector<Fetch> Listener::Fetches() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->fetches;
}

}  // namespace tock::cli::audit
