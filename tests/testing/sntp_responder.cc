#include "testing/sntp_responder.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "internal/sntp_packet.h"

namespace tock::testing {
namespace {

template <typename T>
T PerRequest(const std::vector<T>& values, T fallback, int index) {
  if (values.empty()) return fallback;
  std::size_t i = std::min<std::size_t>(static_cast<std::size_t>(index), values.size() - 1);
  return values[i];
}

std::uint32_t FourChars(const std::string& code) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    v = (v << 8) | static_cast<std::uint8_t>(i < code.size() ? code[i] : ' ');
  }
  return v;
}

[[noreturn]] void Die(const char* what) {
  std::cerr << "SntpResponder: " << what << ": " << std::strerror(errno) << "\n";
  std::abort();
}

}  // namespace

SteadyTestClock::SteadyTestClock(double start)
    : start_(start), origin_(std::chrono::steady_clock::now()) {}

double SteadyTestClock::NowPrecise() const {
  return start_ + std::chrono::duration<double>(std::chrono::steady_clock::now() - origin_).count();
}

UnixSeconds SteadyTestClock::Now() const {
  return static_cast<UnixSeconds>(std::floor(NowPrecise()));
}

SntpResponder::SntpResponder(const Clock& clock, ResponderScript script, bool ipv6)
    : clock_(clock), ipv6_(ipv6), script_(std::move(script)) {
  fd_ = ::socket(ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) Die("socket");
  sockaddr_storage addr{};
  socklen_t len;
  if (ipv6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
    a->sin6_family = AF_INET6;
    a->sin6_addr = in6addr_loopback;
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&addr);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof *a;
  }
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0) Die("bind");
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) Die("getsockname");
  port_ = ntohs(ipv6 ? reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port
                     : reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  thread_ = std::thread(&SntpResponder::Serve, this);
}

SntpResponder::~SntpResponder() {
  stop_.store(true);
  thread_.join();
  ::close(fd_);
}

std::string SntpResponder::server() const {
  return (ipv6_ ? "[::1]:" : "127.0.0.1:") + std::to_string(port_);
}

void SntpResponder::set_script(ResponderScript script) {
  std::lock_guard<std::mutex> lock(mu_);
  script_ = std::move(script);
}

void SntpResponder::Serve() {
  std::uint8_t buf[512];
  while (!stop_.load()) {
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, 20) <= 0) continue;
    sockaddr_storage peer{};
    socklen_t peer_len = sizeof peer;
    ssize_t n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&peer), &peer_len);
    if (n < 0) continue;
    Answer(buf, static_cast<std::size_t>(n), &peer, peer_len);
  }
}

void SntpResponder::Answer(const std::uint8_t* request, std::size_t size, const void* peer,
                           unsigned peer_len) {
  const int index = requests_.fetch_add(1);
  ResponderScript script;
  {
    std::lock_guard<std::mutex> lock(mu_);
    script = script_;
  }
  Result<internal::NtpPacket> req =
      internal::DecodeNtpPacket(std::span<const std::uint8_t>(request, size));
  const Reply kind = PerRequest(script.replies, script.reply, index);
  if (!req.ok() || kind == Reply::kSilent) return;
  const double offset = PerRequest(script.offsets_s, script.offset_s, index);
  const double delay = PerRequest(script.delays_s, 0.0, index);
  if (delay > 0) std::this_thread::sleep_for(std::chrono::duration<double>(delay));
  const double received = clock_.NowPrecise();

  internal::NtpPacket reply;
  reply.leap = 0;
  reply.version = req->version;
  reply.mode = internal::kModeServer;
  reply.stratum = static_cast<std::uint8_t>(script.stratum);
  reply.poll = req->poll;
  reply.precision = -20;
  reply.reference_id = FourChars("LOCL");
  reply.reference = internal::ToNtpTimestamp(received + offset - 16);
  reply.originate = req->transmit;
  reply.receive = internal::ToNtpTimestamp(received + offset);
  reply.transmit = internal::ToNtpTimestamp(clock_.NowPrecise() + offset);
  switch (kind) {
    case Reply::kBadOrigin:
      reply.originate = req->transmit ^ (std::uint64_t{1} << 40);
      break;
    case Reply::kKiss:
      reply.leap = internal::kLeapUnsynchronised;
      reply.stratum = 0;
      reply.reference_id = FourChars(script.kiss_code);
      break;
    case Reply::kStratum16:
      reply.stratum = internal::kStratumUnsynchronised;
      break;
    case Reply::kLeapUnsync:
      reply.leap = internal::kLeapUnsynchronised;
      break;
    case Reply::kModeClient:
      reply.mode = internal::kModeClient;
      break;
    case Reply::kZeroTransmit:
      reply.transmit = 0;
      break;
    default:
      break;
  }
  auto bytes = internal::EncodeNtpPacket(reply);
  std::size_t out_size = bytes.size();
  if (kind == Reply::kTruncated) out_size = std::min(out_size, script.truncated_bytes);
  (void)::sendto(fd_, bytes.data(), out_size, 0, static_cast<const sockaddr*>(peer),
                 static_cast<socklen_t>(peer_len));
}

}  // namespace tock::testing
