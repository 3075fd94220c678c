#include "issuer/demo_client.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/ip/address.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "tock/secret_hash.h"

namespace tock::server {
namespace {

constexpr const char* kDemoId = "demo";
constexpr const char* kDemoScope = "demo";
constexpr const char* kSecretName = "demo-client.secret";
constexpr std::size_t kSecretBytes = 32;
constexpr std::size_t kEncodedChars = 43;  // 32 bytes, base64url, unpadded

bool IsLoopback(const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::address address = boost::asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

Error FileError(const std::string& path, const std::string& what) {
  return Error(ErrorCode::kIoError, "cannot " + what + " " + path + ": " + std::strerror(errno));
}

Result<std::string> NewSecret() {
  std::array<unsigned char, kSecretBytes> raw{};
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1)
    return Error(ErrorCode::kIoError, "OpenSSL could not make random bytes for the demo secret");
  std::array<unsigned char, 4 * ((kSecretBytes + 2) / 3) + 1> b64{};
  int n = EVP_EncodeBlock(b64.data(), raw.data(), static_cast<int>(raw.size()));
  std::string text(reinterpret_cast<const char*>(b64.data()), static_cast<std::size_t>(n));
  text.erase(text.find_last_not_of('=') + 1);
  std::replace(text.begin(), text.end(), '+', '-');
  std::replace(text.begin(), text.end(), '/', '_');
  return text;
}

// UsableSecret: what the banner's curl line can carry unquoted after
// "demo:" and what is as strong as the secret tock makes.
bool UsableSecret(const std::string& text) {
  return text.size() >= kEncodedChars && std::all_of(text.begin(), text.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
         });
}

Result<std::string> ReadSecret(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return FileError(path, "open");
  struct stat st {};
  std::string text;
  bool stat_ok = ::fstat(fd, &st) == 0;
  if (stat_ok && S_ISREG(st.st_mode)) {
    char buf[256];
    ssize_t got = 0;
    while ((got = ::read(fd, buf, sizeof(buf))) > 0 && text.size() < 4096)
      text.append(buf, static_cast<std::size_t>(got));
  }
  ::close(fd);
  if (!stat_ok || !S_ISREG(st.st_mode))
    return Error(ErrorCode::kIoError, path + " is not a regular file");
  if ((st.st_mode & 077) != 0 || st.st_uid != ::geteuid()) {
    return Error(ErrorCode::kIoError, path +
                                          " must be the running user's and mode 0600: it holds "
                                          "the demo client's secret (chmod 600 " +
                                          path + ")");
  }
  if (!UsableSecret(text)) {
    return Error(ErrorCode::kIoError,
                 path +
                     " does not hold a demo secret (at least 43 base64url characters, no "
                     "newline); delete it and tock serve makes a new one");
  }
  return text;
}

// LoadOrCreateSecret makes the secret once (O_EXCL, 0600) and reads it on
// every later start, so the lines a user saved keep working.
Result<std::string> LoadOrCreateSecret(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return ReadSecret(path);
    return FileError(path, "create");
  }
  Result<std::string> secret = NewSecret();
  bool written = secret.ok() &&
                 ::write(fd, secret->data(), secret->size()) == ssize_t(secret->size()) &&
                 ::fsync(fd) == 0;
  int saved_errno = errno;
  ::close(fd);
  if (!written) {
    ::unlink(path.c_str());  // a half-written secret would be refused next time
    errno = saved_errno;
    return secret.ok() ? Result<std::string>(FileError(path, "write")) : secret;
  }
  return secret;
}

// ShellQuote: a path inside single quotes, safe in any POSIX shell.
std::string ShellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// QueryValue percent-encodes |text| for a query string: the server decodes
// queries strictly (RFC 3986), and an IPv6 issuer's "[::1]" must not reach
// it raw. Letters, digits, "-._~:/" stay as they are, so the usual
// http://127.0.0.1:8080/api reads as typed.
std::string QueryValue(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || std::strchr("-._~:/", c) != nullptr) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

void AdoptBoundPort(Config& config, std::uint16_t bound_port) {
  if (config.listen_port != 0 || bound_port == 0) return;
  bool derived = config.issuer == config.ListenUrl();
  config.listen_port = bound_port;
  if (derived) config.issuer = config.ListenUrl();
}

Result<std::optional<DemoClient>> AddDemoClient(ServerContext& ctx, bool issuer_flag) {
  const Config& cfg = ctx.config;
  if (!cfg.config_file.empty() || issuer_flag || !IsLoopback(cfg.listen_host))
    return std::optional<DemoClient>();
  DemoClient demo;
  demo.secret_file =
      (std::filesystem::absolute(cfg.data_dir) / kSecretName).lexically_normal().string();
  demo.audience = cfg.issuer + "/api";
  Result<std::string> secret = LoadOrCreateSecret(demo.secret_file);
  if (!secret.ok()) return secret.error();
  Result<std::string> hash = HashSecret(*secret);
  if (!hash.ok()) return hash.error();
  ClientConfig client;
  client.id = kDemoId;
  client.secret_hash = *hash;
  client.scopes = {kDemoScope};
  client.audiences = {demo.audience};
  ctx.clients.emplace(client.id, Client{client, nullptr});
  ctx.own_audiences.push_back(demo.audience);
  return std::optional<DemoClient>(demo);
}

void PrintDemoLines(std::ostream& out, const Config& config, const DemoClient& demo) {
  const std::string url = config.ListenUrl();
  out << "\nFirst run: client \"demo\" (scope \"demo\", audience " << demo.audience
      << "), its secret in " << demo.secret_file
      << " (kept across restarts; a config file or --issuer has no demo client).\n"
      << "Get a token and validate it (paste both lines into one shell):\n\n"
      << "TOKEN=$(curl -s -u \"demo:$(cat " << ShellQuote(demo.secret_file)
      << ")\" -d grant_type=client_credentials \"" << url
      << "/token\" | sed -E 's/.*\"access_token\":\"([^\"]+)\".*/\\1/')\n"
      << "curl -i -H \"Authorization: Bearer $TOKEN\" \"" << url
      << "/validate?aud=" << QueryValue(demo.audience) << "\"\n\n";
}

}  // namespace tock::server
