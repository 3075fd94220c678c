#include "tock/sntp.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <random>
#include <system_error>
#include <thread>

#include "internal/sntp_client.h"
#include "internal/sntp_packet.h"

namespace tock {
namespace {

using internal::NtpTimestamp;
using SteadyTime = std::chrono::steady_clock::time_point;

// kMaxServers bounds one measurement: each server gets its own thread.
constexpr std::size_t kMaxServers = 64;
// kCancelCheck is how often a wait looks at the cancel flag.
constexpr std::chrono::milliseconds kCancelCheck{50};
// kMaxTimeoutSeconds keeps a typo ("--timeout 2h") from hanging a command.
constexpr double kMaxTimeoutSeconds = 60.0;

Error UsageError(std::string message) { return Error(ErrorCode::kUsage, std::move(message)); }
Error NetworkError(std::string message) {
  return Error(ErrorCode::kNetworkError, std::move(message));
}

std::string FormatSecondsShort(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", seconds);
  return buf;
}

// Socket closes its descriptor when it goes out of scope.
class Socket {
 public:
  explicit Socket(int fd = -1) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(Socket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Socket& operator=(Socket&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  int fd() const { return fd_; }

 private:
  int fd_;
};

struct Endpoint {
  Socket socket;
  std::string address;  // numeric, "127.0.0.1:123" or "[::1]:123"
};

std::string NumericAddress(const sockaddr* sa, socklen_t len) {
  char host[NI_MAXHOST];
  char port[NI_MAXSERV];
  if (getnameinfo(sa, len, host, sizeof host, port, sizeof port, NI_NUMERICHOST | NI_NUMERICSERV) !=
      0) {
    return "?";
  }
  if (sa->sa_family == AF_INET6) return "[" + std::string(host) + "]:" + port;
  return std::string(host) + ":" + port;
}

// Connect resolves |server| and connects a UDP socket to the first address
// that takes one. Connecting makes the kernel drop datagrams from any other
// source (RFC 4330 §5: the reply must come from the server asked).
Result<Endpoint> Connect(const ParsedServer& server) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_protocol = IPPROTO_UDP;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* list = nullptr;
  std::string port = std::to_string(server.port);
  int rc = getaddrinfo(server.host.c_str(), port.c_str(), &hints, &list);
  if (rc != 0) {
    return NetworkError("could not resolve \"" + server.host + "\": " + gai_strerror(rc) + ".");
  }
  std::string last_error = "no address";
  for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    Socket s(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
    std::string address = NumericAddress(ai->ai_addr, ai->ai_addrlen);
    if (s.fd() < 0 || ::connect(s.fd(), ai->ai_addr, ai->ai_addrlen) != 0) {
      last_error = address + ": " + std::strerror(errno);
      continue;
    }
    freeaddrinfo(list);
    return Endpoint{std::move(s), std::move(address)};
  }
  freeaddrinfo(list);
  return NetworkError("could not open a UDP socket to \"" + server.host + "\" (" + last_error +
                      ").");
}

struct Sample {
  internal::NtpSample figures;
  int stratum = 0;
};

// Outcome is one sample's result: figures, or an error; |kiss| marks a
// kiss-o'-death, after which the client must stop asking (RFC 4330 §8).
struct Outcome {
  std::optional<Sample> sample;
  std::string error;
  bool kiss = false;
};

constexpr const char* kCancelled = "the measurement was cancelled.";

Outcome Failed(std::string message) { return Outcome{std::nullopt, std::move(message), false}; }

NtpTimestamp RandomizedTransmit(double t1) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  // The low 16 bits (~15 µs) are random so that a forged or stale reply cannot
  // guess the originate timestamp it must echo (RFC 5905 §9.1 "bogus" test).
  return (internal::ToNtpTimestamp(t1) & ~NtpTimestamp{0xffff}) | (rng() & 0xffffu);
}

int PollMillis(SteadyTime deadline) {
  auto left =
      std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::max<std::int64_t>(left.count(), 0));
}

// QueryOnce sends one request and waits for its answer until the timeout.
// Datagrams that do not answer this request (too short, wrong originate) are
// discarded and the wait goes on; the last reason is kept for the message.
Outcome QueryOnce(const Endpoint& ep, const Clock& clock, double timeout_s,
                  const std::atomic<bool>& cancel) {
  const SteadyTime deadline = std::chrono::steady_clock::now() +
                              std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                  std::chrono::duration<double>(timeout_s));
  const double t1 = clock.NowPrecise();
  const NtpTimestamp sent = RandomizedTransmit(t1);
  const auto request = internal::EncodeNtpPacket(internal::MakeClientRequest(sent));
  if (::send(ep.socket.fd(), request.data(), request.size(), 0) < 0) {
    return Failed("could not send to " + ep.address + ": " + std::strerror(errno) + ".");
  }
  std::string discarded;
  std::array<std::uint8_t, 1024> buf;
  for (;;) {
    int wait_ms = PollMillis(deadline);
    if (wait_ms <= 0) break;
    if (cancel.load()) return Failed(kCancelled);
    pollfd pfd{ep.socket.fd(), POLLIN, 0};
    int ready = ::poll(&pfd, 1, std::min(wait_ms, static_cast<int>(kCancelCheck.count())));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return Failed(std::string("poll failed: ") + std::strerror(errno) + ".");
    if (ready == 0) continue;
    ssize_t n = ::recv(ep.socket.fd(), buf.data(), buf.size(), 0);
    const double t4 = clock.NowPrecise();
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      if (errno == ECONNREFUSED) {
        return Failed("connection refused: nothing answers NTP on " + ep.address + ".");
      }
      return Failed("could not receive from " + ep.address + ": " + std::strerror(errno) + ".");
    }
    Result<internal::NtpPacket> reply =
        internal::DecodeNtpPacket(std::span<const std::uint8_t>(buf.data(), std::size_t(n)));
    if (!reply.ok()) {
      discarded = reply.error().message();
      continue;
    }
    if (reply->originate != sent) {
      discarded =
          "a reply whose originate timestamp does not echo our transmit timestamp (a stale or "
          "forged answer) was ignored.";
      continue;
    }
    if (Result<void> valid = internal::CheckServerReply(*reply); !valid.ok()) {
      return Outcome{std::nullopt, valid.error().message(),
                     reply->mode == internal::kModeServer && reply->stratum == 0};
    }
    const double t2 = internal::FromNtpTimestamp(reply->receive, t1);
    const double t3 = internal::FromNtpTimestamp(reply->transmit, t1);
    return Outcome{Sample{internal::ComputeSample(t1, t2, t3, t4), reply->stratum}, {}, false};
  }
  std::string message =
      "no reply from " + ep.address + " within " + FormatSecondsShort(timeout_s) + " s";
  if (!discarded.empty()) message += "; " + discarded;
  if (message.back() != '.') message += ".";
  return Failed(std::move(message));
}

// Sleep waits |seconds| unless |cancel| turns true first.
void Sleep(double seconds, const std::atomic<bool>& cancel) {
  const SteadyTime end = std::chrono::steady_clock::now() +
                         std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                             std::chrono::duration<double>(seconds));
  while (!cancel.load() && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        kCancelCheck, end - std::chrono::steady_clock::now()));
  }
}

ServerMeasurement MeasureServer(const std::string& text, const MeasureOptions& options,
                                const Clock& clock, const std::atomic<bool>& cancel) {
  ServerMeasurement m;
  m.server = text;
  Result<ParsedServer> parsed = ParseServer(text);
  if (!parsed.ok()) {
    m.error = parsed.error().message();
    return m;
  }
  Result<Endpoint> ep = Connect(*parsed);
  if (!ep.ok()) {
    m.error = ep.error().message();
    return m;
  }
  m.address = ep->address;
  std::optional<Sample> best;
  std::string last_error;
  for (int i = 0; i < options.samples; ++i) {
    if (i > 0 && options.interval_s > 0) Sleep(options.interval_s, cancel);
    if (cancel.load()) {
      last_error = kCancelled;
      break;
    }
    Outcome s = QueryOnce(*ep, clock, options.timeout_s, cancel);
    if (!s.sample) {
      last_error = std::move(s.error);
      // A kiss-o'-death tells the client to stop asking (RFC 4330 §8).
      if (s.kiss) break;
      continue;
    }
    ++m.samples;
    if (!best || s.sample->figures.delay_s < best->figures.delay_s) best = s.sample;
  }
  if (!best) {
    m.error = last_error;
    return m;
  }
  m.offset_s = best->figures.offset_s;
  m.delay_s = best->figures.delay_s;
  m.stratum = best->stratum;
  return m;
}

Result<void> CheckOptions(const std::vector<std::string>& servers, const MeasureOptions& o) {
  if (servers.empty()) return UsageError("no NTP server given.");
  if (servers.size() > kMaxServers) {
    return UsageError(std::to_string(servers.size()) + " NTP servers given; at most " +
                      std::to_string(kMaxServers) + " are asked at once.");
  }
  for (const std::string& server : servers) {
    if (Result<ParsedServer> p = ParseServer(server); !p.ok()) return std::move(p).error();
  }
  if (o.samples < 1 || o.samples > kMaxNtpSamples) {
    return UsageError("samples must be between 1 and " + std::to_string(kMaxNtpSamples) + ", not " +
                      std::to_string(o.samples) + ".");
  }
  if (!(o.timeout_s > 0 && o.timeout_s <= kMaxTimeoutSeconds)) {
    return UsageError("the SNTP timeout must be over 0 s and at most " +
                      FormatSecondsShort(kMaxTimeoutSeconds) + " s, not " +
                      FormatSecondsShort(o.timeout_s) + " s.");
  }
  if (!(o.interval_s >= 0 && o.interval_s <= kMaxTimeoutSeconds)) {
    return UsageError("the SNTP sample interval must be between 0 and " +
                      FormatSecondsShort(kMaxTimeoutSeconds) + " s.");
  }
  return {};
}

}  // namespace

Result<ParsedServer> ParseServer(std::string_view text) {
  ParsedServer out;
  std::string_view host = text;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos) {
      return UsageError("NTP server \"" + std::string(text) + "\" has an unclosed '['.");
    }
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return UsageError("NTP server \"" + std::string(text) +
                          "\": expected \":PORT\" after \"]\".");
      }
      port = rest.substr(1);
      if (port.empty()) return UsageError("NTP server \"" + std::string(text) + "\": empty port.");
    }
  } else if (std::size_t colon = text.rfind(':');
             colon != std::string_view::npos && text.find(':') == colon) {
    // Exactly one colon: HOST:PORT. Several: a bare IPv6 address.
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (port.empty()) return UsageError("NTP server \"" + std::string(text) + "\": empty port.");
  }
  if (host.empty()) return UsageError("NTP server \"" + std::string(text) + "\" has no host.");
  if (!port.empty()) {
    int value = 0;
    for (char c : port) {
      if (c < '0' || c > '9' || value > 65535) {
        return UsageError("NTP server \"" + std::string(text) + "\": port \"" + std::string(port) +
                          "\" is not a number from 1 to 65535.");
      }
      value = value * 10 + (c - '0');
    }
    if (value < 1 || value > 65535) {
      return UsageError("NTP server \"" + std::string(text) + "\": port \"" + std::string(port) +
                        "\" is not a number from 1 to 65535.");
    }
    out.port = value;
  }
  out.host = std::string(host);
  return out;
}

Result<ClockReport> MeasureClock(const std::vector<std::string>& servers,
                                 const MeasureOptions& options, const Clock& clock) {
  static const std::atomic<bool> kNever{false};
  return internal::MeasureClockCancellable(servers, options, clock, kNever);
}

namespace internal {

Result<ClockReport> MeasureClockCancellable(const std::vector<std::string>& servers,
                                            const MeasureOptions& options, const Clock& clock,
                                            const std::atomic<bool>& cancel) {
  if (Result<void> ok = CheckOptions(servers, options); !ok.ok()) return std::move(ok).error();
  ClockReport report;
  report.servers.resize(servers.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < servers.size(); ++i) {
    auto work = [&, i] { report.servers[i] = MeasureServer(servers[i], options, clock, cancel); };
    try {
      threads.emplace_back(work);
    } catch (const std::system_error&) {
      work();  // No thread to spare: ask this server from here.
    }
  }
  for (std::thread& t : threads) t.join();
  for (std::size_t i = 0; i < report.servers.size(); ++i) {
    const ServerMeasurement& m = report.servers[i];
    if (!m.answered()) continue;
    if (!report.best || *m.delay_s < *report.servers[*report.best].delay_s) report.best = i;
  }
  if (report.best) {
    report.offset_s = report.servers[*report.best].offset_s;
    report.delay_s = report.servers[*report.best].delay_s;
  }
  return report;
}

}  // namespace internal

Error NoAnswerError(const ClockReport& report) {
  std::string message = "no NTP server answered";
  const char* sep = ": ";
  for (const ServerMeasurement& m : report.servers) {
    std::string why = m.error.value_or("no answer");
    if (!why.empty() && why.back() == '.') why.pop_back();
    message += sep + m.server + ": " + why;
    sep = "; ";
  }
  return NetworkError(message + ".");
}

}  // namespace tock
