// Tests for FetchUrl / FetchJwks against a one-shot HTTP server on loopback.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "testing/test_tokens.h"
#include "tock/app/files.h"
#include "tock/key_loader.h"

namespace tock {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using tock::testing::HasCode;

std::string EcJwk() { return *GenerateKey(Algorithm::kES256)->PublicJwk(); }

// OneShotServer answers one HTTP request on 127.0.0.1 with |response|.
class OneShotServer {
 public:
  explicit OneShotServer(std::string response) : response_(std::move(response)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t length = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &length);
    port_ = ntohs(addr.sin_port);
    listen(fd_, 1);
    thread_ = std::thread([this] {
      const int client = accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      std::string request;
      char buffer[1024];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = recv(client, buffer, sizeof(buffer), 0);
        if (n <= 0) break;
        request.append(buffer, static_cast<std::size_t>(n));
      }
      std::size_t sent = 0;
      while (sent < response_.size()) {
        const ssize_t n =
            send(client, response_.data() + sent, response_.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
      }
      close(client);
    });
  }
  ~OneShotServer() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  std::string Url(std::string_view path = "/jwks.json") const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }

 private:
  std::string response_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

std::string HttpResponse(std::string_view status, std::string_view body,
                         std::string_view extra_headers = "") {
  return "HTTP/1.1 " + std::string(status) + "\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n" + std::string(extra_headers) + "\r\n" + std::string(body);
}

TEST(FetchUrl, Status200ReturnsTheBody) {
  OneShotServer server(HttpResponse("200 OK", "hello"));
  const Result<std::string> body = FetchUrl(server.Url());
  ASSERT_TRUE(body.ok()) << body.error().message();
  EXPECT_EQ(*body, "hello");
}

TEST(FetchUrl, OtherStatusIsANetworkErrorNamingUrlAndStatus) {
  OneShotServer server(HttpResponse("404 Not Found", "nope"));
  const Result<std::string> body = FetchUrl(server.Url());
  EXPECT_THAT(body, HasCode(ErrorCode::kNetworkError));
  EXPECT_THAT(body.error().message(), AllOf(HasSubstr(server.Url()), HasSubstr("404")));
}

TEST(FetchUrl, BodyOverTheLimitIsANetworkError) {
  OneShotServer server(HttpResponse("200 OK", std::string(4096, 'x')));
  FetchOptions options;
  options.max_bytes = 1000;
  const Result<std::string> body = FetchUrl(server.Url(), options);
  EXPECT_THAT(body, HasCode(ErrorCode::kNetworkError));
  EXPECT_THAT(body.error().message(), HasSubstr("1000-byte limit"));
}

TEST(FetchUrl, RedirectToAnotherSchemeIsRefused) {
  OneShotServer server(HttpResponse("302 Found", "", "Location: file:///etc/passwd\r\n"));
  EXPECT_THAT(FetchUrl(server.Url()), HasCode(ErrorCode::kNetworkError));
}

TEST(FetchUrl, NonHttpSchemesAreRefusedWithoutConnecting) {
  for (const char* url :
       {"file:///etc/passwd", "ftp://127.0.0.1/jwks", "gopher://x", "jwks.json"}) {
    const Result<std::string> body = FetchUrl(url);
    EXPECT_THAT(body, HasCode(ErrorCode::kNetworkError)) << url;
    EXPECT_THAT(body.error().message(), HasSubstr("only http:// and https://")) << url;
  }
}

TEST(FetchUrl, ConnectionRefusedIsANetworkError) {
  int port = 0;
  {
    OneShotServer server(HttpResponse("200 OK", ""));
    port = server.port();
    FetchUrl(server.Url()).ok();  // consume the one answer, then the port closes
  }
  EXPECT_THAT(FetchUrl("http://127.0.0.1:" + std::to_string(port) + "/"),
              HasCode(ErrorCode::kNetworkError));
}

TEST(FetchJwks, LoadsRemoteKeysIgnoringOct) {
  const std::string jwks =
      R"({"keys":[{"kty":"oct","k":")" + std::string(43, 'A') + "\"}," + EcJwk() + "]}";
  OneShotServer server(HttpResponse("200 OK", jwks));
  const Result<LoadedKeys> loaded = FetchJwks(server.Url());
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_THAT(loaded->keys, SizeIs(1));
  ASSERT_THAT(loaded->notes, SizeIs(1));
  // Notes name the member; the caller adds the source (cli/common/options.cc).
  EXPECT_THAT(loaded->notes[0], AllOf(HasSubstr("keys[0]"), HasSubstr("oct")));
}

TEST(FetchJwks, BodyWithoutUsableKeyIsAKeyError) {
  OneShotServer server(HttpResponse("200 OK", R"({"keys":[{"kty":"DSA"}]})"));
  const Result<LoadedKeys> loaded = FetchJwks(server.Url());
  EXPECT_THAT(loaded, HasCode(ErrorCode::kKeyError));
  EXPECT_THAT(loaded.error().message(), HasSubstr(server.Url()));
}

TEST(FetchDocument, ReportsCacheControlMaxAge) {
  OneShotServer server(
      HttpResponse("200 OK", "{}", "Cache-Control: public, s-maxage=9, max-age=120\r\n"));
  const Result<FetchedDocument> document = FetchDocument(server.Url());
  ASSERT_TRUE(document.ok()) << document.error().message();
  EXPECT_EQ(document->body, "{}");
  EXPECT_EQ(document->max_age_s, 120);
}

TEST(FetchDocument, NoStoreMeansNoMaxAge) {
  OneShotServer server(HttpResponse("200 OK", "{}", "Cache-Control: no-store, max-age=120\r\n"));
  const Result<FetchedDocument> document = FetchDocument(server.Url());
  ASSERT_TRUE(document.ok()) << document.error().message();
  EXPECT_EQ(document->max_age_s, std::nullopt);
}

TEST(FetchDocument, NonHttpSchemeIsANetworkErrorLikeFetchUrl) {
  const Result<FetchedDocument> document = FetchDocument("file:///etc/passwd");
  EXPECT_THAT(document, HasCode(ErrorCode::kNetworkError));
  EXPECT_THAT(document.error().message(), HasSubstr("only http:// and https://"));
}

// The success case needs the issuer's own URL in the document: it is tested
// against a real `tock serve` in tests/server/test_discovery.py.
TEST(DiscoverJwksUri, DocumentForAnotherIssuerIsAKeyError) {
  OneShotServer server(HttpResponse(
      "200 OK", R"({"issuer":"https://other.example","jwks_uri":"https://other.example/j"})"));
  const std::string issuer = "http://127.0.0.1:" + std::to_string(server.port());
  const Result<std::string> uri = DiscoverJwksUri(issuer);
  EXPECT_THAT(uri, HasCode(ErrorCode::kKeyError));
  EXPECT_THAT(uri.error().message(),
              AllOf(HasSubstr("https://other.example"), HasSubstr(issuer + "\"")));
}

TEST(DiscoverJwksUri, DocumentThatIsNotJsonIsAKeyError) {
  OneShotServer server(HttpResponse("200 OK", "<html>"));
  const std::string issuer = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
  const Result<std::string> uri = DiscoverJwksUri(issuer);
  EXPECT_THAT(uri, HasCode(ErrorCode::kKeyError));
  EXPECT_THAT(uri.error().message(), HasSubstr(".well-known/openid-configuration"));
}

TEST(DiscoverJwksUri, HttpErrorIsANetworkError) {
  OneShotServer server(HttpResponse("404 Not Found", ""));
  EXPECT_THAT(DiscoverJwksUri("http://127.0.0.1:" + std::to_string(server.port())),
              HasCode(ErrorCode::kNetworkError));
}

}  // namespace
}  // namespace tock
