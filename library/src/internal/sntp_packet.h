// The 48-byte NTP packet of RFC 5905 §7.3 as an SNTP client uses it
// (RFC 4330 §4-5): encoding the request, decoding and judging the reply,
// NTP timestamp conversion and the offset/delay arithmetic.
#ifndef TOCK_INTERNAL_SNTP_PACKET_H_
#define TOCK_INTERNAL_SNTP_PACKET_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "tock/result.h"

namespace tock::internal {

// kNtpPacketSize is the fixed header every NTP packet starts with; a reply
// may carry extension fields or a MAC after it, which SNTP ignores.
inline constexpr std::size_t kNtpPacketSize = 48;
// kNtpUnixDelta is 1970-01-01 minus 1900-01-01 (NTP era 0 prime epoch), in s.
inline constexpr std::int64_t kNtpUnixDelta = 2208988800;

// Association modes (RFC 5905 §7.3, Figure 10).
inline constexpr std::uint8_t kModeClient = 3;
inline constexpr std::uint8_t kModeServer = 4;
// Leap indicator 3: the server's clock is unsynchronised.
inline constexpr std::uint8_t kLeapUnsynchronised = 3;
// Stratum 16 means unsynchronised; 0 is a kiss-o'-death (RFC 5905 §7.4).
inline constexpr std::uint8_t kStratumUnsynchronised = 16;

// NtpTimestamp is the 64-bit NTP timestamp: 32 bits of seconds since the
// start of the era, 32 bits of fraction.
using NtpTimestamp = std::uint64_t;

// ToNtpTimestamp converts Unix seconds to an NTP timestamp (seconds taken
// modulo 2^32, so 2036 onwards wraps into era 1 as RFC 5905 §6 requires).
NtpTimestamp ToNtpTimestamp(double unix_seconds);

// FromNtpTimestamp converts |ts| back to Unix seconds, choosing the era that
// puts it nearest |reference_unix| (our own clock): the era is not on the
// wire, and any real reply lies within 68 years of us.
double FromNtpTimestamp(NtpTimestamp ts, double reference_unix);

// NtpPacket holds the header fields, host byte order.
struct NtpPacket {
  std::uint8_t leap = 0;
  std::uint8_t version = 4;
  std::uint8_t mode = kModeClient;
  std::uint8_t stratum = 0;
  std::int8_t poll = 0;
  std::int8_t precision = 0;
  std::uint32_t root_delay = 0;
  std::uint32_t root_dispersion = 0;
  std::uint32_t reference_id = 0;
  NtpTimestamp reference = 0;
  NtpTimestamp originate = 0;
  NtpTimestamp receive = 0;
  NtpTimestamp transmit = 0;
};

// EncodeNtpPacket writes |packet| in network byte order.
std::array<std::uint8_t, kNtpPacketSize> EncodeNtpPacket(const NtpPacket& packet);

// DecodeNtpPacket reads the header of |bytes|. kNetworkError when it is
// shorter than 48 bytes (a truncated reply); longer packets are accepted.
Result<NtpPacket> DecodeNtpPacket(std::span<const std::uint8_t> bytes);

// MakeClientRequest is the RFC 4330 §5 request: every field zero except
// LI 0, VN 4, mode 3 and the transmit timestamp.
NtpPacket MakeClientRequest(NtpTimestamp transmit);

// KissCode returns the four ASCII characters of a kiss-o'-death reference ID
// ("RATE", "DENY"), with anything unprintable shown as '?'.
std::string KissCode(std::uint32_t reference_id);

// CheckServerReply judges a reply whose originate timestamp already matched
// our transmit timestamp (RFC 4330 §5): mode must be 4 (server), stratum 0 is
// a kiss-o'-death naming its code, LI 3 or stratum 16 is an unsynchronised
// server, stratum above 16 is invalid, and the transmit timestamp must not be
// zero. kNetworkError with a sentence saying which.
Result<void> CheckServerReply(const NtpPacket& reply);

// NtpSample is one measurement (RFC 5905 §8): theta is how far the server's
// clock is ahead of ours, delta the round-trip delay, both in seconds.
struct NtpSample {
  double offset_s = 0;
  double delay_s = 0;
};

// ComputeSample applies θ = ((T2−T1)+(T3−T4))/2 and δ = (T4−T1)−(T3−T2)
// with T1 our transmit, T2 the server's receive, T3 its transmit and T4 our
// receive time, all in Unix seconds.
NtpSample ComputeSample(double t1, double t2, double t3, double t4);

}  // namespace tock::internal

#endif  // TOCK_INTERNAL_SNTP_PACKET_H_
