#include "internal/sntp_packet.h"

#include <cmath>

namespace tock::internal {
namespace {

constexpr double kTwoTo32 = 4294967296.0;

void PutU32(std::uint8_t* out, std::uint32_t v) {
  out[0] = static_cast<std::uint8_t>(v >> 24);
  out[1] = static_cast<std::uint8_t>(v >> 16);
  out[2] = static_cast<std::uint8_t>(v >> 8);
  out[3] = static_cast<std::uint8_t>(v);
}

void PutU64(std::uint8_t* out, std::uint64_t v) {
  PutU32(out, static_cast<std::uint32_t>(v >> 32));
  PutU32(out + 4, static_cast<std::uint32_t>(v));
}

std::uint32_t GetU32(const std::uint8_t* in) {
  return (std::uint32_t{in[0]} << 24) | (std::uint32_t{in[1]} << 16) | (std::uint32_t{in[2]} << 8) |
         std::uint32_t{in[3]};
}

std::uint64_t GetU64(const std::uint8_t* in) {
  return (std::uint64_t{GetU32(in)} << 32) | GetU32(in + 4);
}

Error NetworkError(std::string message) {
  return Error(ErrorCode::kNetworkError, std::move(message));
}

}  // namespace

NtpTimestamp ToNtpTimestamp(double unix_seconds) {
  double whole = std::floor(unix_seconds);
  auto seconds = static_cast<std::int64_t>(whole) + kNtpUnixDelta;
  auto fraction = static_cast<std::uint64_t>((unix_seconds - whole) * kTwoTo32);
  if (fraction > 0xffffffffu) fraction = 0xffffffffu;
  // Modulo 2^32: the era number is not on the wire (RFC 5905 §6).
  auto era_seconds = static_cast<std::uint32_t>(static_cast<std::uint64_t>(seconds));
  return (std::uint64_t{era_seconds} << 32) | fraction;
}

double FromNtpTimestamp(NtpTimestamp ts, double reference_unix) {
  auto seconds = static_cast<std::int64_t>(ts >> 32);
  double fraction = static_cast<double>(ts & 0xffffffffu) / kTwoTo32;
  auto reference_ntp = static_cast<std::int64_t>(std::floor(reference_unix)) + kNtpUnixDelta;
  // The era whose copy of |seconds| lies nearest the reference.
  double era = std::round(static_cast<double>(reference_ntp - seconds) / kTwoTo32);
  std::int64_t ntp_seconds = static_cast<std::int64_t>(era) * (std::int64_t{1} << 32) + seconds;
  return static_cast<double>(ntp_seconds - kNtpUnixDelta) + fraction;
}

std::array<std::uint8_t, kNtpPacketSize> EncodeNtpPacket(const NtpPacket& p) {
  std::array<std::uint8_t, kNtpPacketSize> out{};
  out[0] =
      static_cast<std::uint8_t>(((p.leap & 3u) << 6) | ((p.version & 7u) << 3) | (p.mode & 7u));
  out[1] = p.stratum;
  out[2] = static_cast<std::uint8_t>(p.poll);
  out[3] = static_cast<std::uint8_t>(p.precision);
  PutU32(&out[4], p.root_delay);
  PutU32(&out[8], p.root_dispersion);
  PutU32(&out[12], p.reference_id);
  PutU64(&out[16], p.reference);
  PutU64(&out[24], p.originate);
  PutU64(&out[32], p.receive);
  PutU64(&out[40], p.transmit);
  return out;
}

Result<NtpPacket> DecodeNtpPacket(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kNtpPacketSize) {
    return NetworkError("truncated NTP reply: " + std::to_string(bytes.size()) +
                        " bytes, an NTP packet has at least " + std::to_string(kNtpPacketSize) +
                        ".");
  }
  const std::uint8_t* in = bytes.data();
  NtpPacket p;
  p.leap = static_cast<std::uint8_t>(in[0] >> 6);
  p.version = static_cast<std::uint8_t>((in[0] >> 3) & 7u);
  p.mode = static_cast<std::uint8_t>(in[0] & 7u);
  p.stratum = in[1];
  p.poll = static_cast<std::int8_t>(in[2]);
  p.precision = static_cast<std::int8_t>(in[3]);
  p.root_delay = GetU32(in + 4);
  p.root_dispersion = GetU32(in + 8);
  p.reference_id = GetU32(in + 12);
  p.reference = GetU64(in + 16);
  p.originate = GetU64(in + 24);
  p.receive = GetU64(in + 32);
  p.transmit = GetU64(in + 40);
  return p;
}

NtpPacket MakeClientRequest(NtpTimestamp transmit) {
  NtpPacket p;
  p.leap = 0;
  p.version = 4;
  p.mode = kModeClient;
  p.transmit = transmit;
  return p;
}

std::string KissCode(std::uint32_t reference_id) {
  std::string code;
  for (int shift = 24; shift >= 0; shift -= 8) {
    auto c = static_cast<char>((reference_id >> shift) & 0xffu);
    code.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  }
  return code;
}

Result<void> CheckServerReply(const NtpPacket& reply) {
  if (reply.mode != kModeServer) {
    return NetworkError("the reply has mode " + std::to_string(reply.mode) +
                        ", not 4 (server): it is not an answer from an NTP server.");
  }
  // Stratum 0 first: a kiss-o'-death usually also carries LI 3 (RFC 5905 §7.4).
  if (reply.stratum == 0) {
    return NetworkError("the server sent a kiss-o'-death with code \"" +
                        KissCode(reply.reference_id) +
                        "\" (stratum 0): it refuses to serve time to this client now.");
  }
  if (reply.leap == kLeapUnsynchronised) {
    return NetworkError("the server says its clock is unsynchronised (leap indicator 3, stratum " +
                        std::to_string(reply.stratum) + ").");
  }
  if (reply.stratum == kStratumUnsynchronised) {
    return NetworkError("the server says its clock is unsynchronised (stratum 16).");
  }
  if (reply.stratum > kStratumUnsynchronised) {
    return NetworkError("the reply has stratum " + std::to_string(reply.stratum) +
                        ", above the largest valid stratum 16.");
  }
  if (reply.transmit == 0) {
    return NetworkError("the reply's transmit timestamp is zero: the server sent no time.");
  }
  return {};
}

NtpSample ComputeSample(double t1, double t2, double t3, double t4) {
  NtpSample s;
  s.offset_s = ((t2 - t1) + (t3 - t4)) / 2.0;
  s.delay_s = (t4 - t1) - (t3 - t2);
  return s;
}

}  // namespace tock::internal
