#include "internal/sntp_packet.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "testing/test_tokens.h"

namespace tock::internal {
namespace {

using ::testing::HasSubstr;
using tock::testing::HasCode;

constexpr std::uint32_t Chars(const char (&s)[5]) {
  return (std::uint32_t(std::uint8_t(s[0])) << 24) | (std::uint32_t(std::uint8_t(s[1])) << 16) |
         (std::uint32_t(std::uint8_t(s[2])) << 8) | std::uint32_t(std::uint8_t(s[3]));
}

NtpPacket GoodReply() {
  NtpPacket p;
  p.mode = kModeServer;
  p.stratum = 2;
  p.transmit = ToNtpTimestamp(1781255830.25);
  p.receive = ToNtpTimestamp(1781255830.125);
  return p;
}

TEST(SntpPacket, UnixEpochIsNtpSecondsSince1900) {
  EXPECT_EQ(ToNtpTimestamp(0), std::uint64_t{2208988800} << 32);
}

TEST(SntpPacket, SeedNowWithHalfSecondEncodesFraction) {
  // 1781255830 + 2208988800 = 3990244630; 0.5 s = 2^31 in the fraction.
  EXPECT_EQ(ToNtpTimestamp(1781255830.5), (std::uint64_t{3990244630} << 32) | 0x80000000u);
}

TEST(SntpPacket, TimestampRoundTripsWithinAMicrosecond) {
  for (double t : {0.0, 1781255830.0, 1781255830.123456, 2085978495.999}) {
    EXPECT_NEAR(FromNtpTimestamp(ToNtpTimestamp(t), t), t, 1e-6) << t;
  }
}

TEST(SntpPacket, Year2036WrapsToEraOneAndDecodesNearReference) {
  // 2036-02-07T06:28:16Z is NTP second 2^32: era 1, second 0 on the wire.
  const double era1_start = 2085978496.0;
  EXPECT_EQ(ToNtpTimestamp(era1_start + 10) >> 32, 10u);
  EXPECT_DOUBLE_EQ(FromNtpTimestamp(ToNtpTimestamp(era1_start + 10), era1_start - 5),
                   era1_start + 10);
  // The same wire value read from 2026 would be 1900+: the era is chosen by
  // nearness, so a reply just before the wrap read after it stays in era 0.
  EXPECT_DOUBLE_EQ(FromNtpTimestamp(ToNtpTimestamp(era1_start - 3), era1_start + 3),
                   era1_start - 3);
}

TEST(SntpPacket, EncodeDecodeRoundTripsEveryField) {
  NtpPacket p;
  p.leap = 2;
  p.version = 3;
  p.mode = 5;
  p.stratum = 7;
  p.poll = -6;
  p.precision = -23;
  p.root_delay = 0x01020304;
  p.root_dispersion = 0x05060708;
  p.reference_id = Chars("GPS ");
  p.reference = 0x1112131415161718;
  p.originate = 0x2122232425262728;
  p.receive = 0x3132333435363738;
  p.transmit = 0x4142434445464748;
  auto bytes = EncodeNtpPacket(p);
  EXPECT_EQ(bytes[0], (2 << 6) | (3 << 3) | 5);
  EXPECT_EQ(bytes[40], 0x41);
  EXPECT_EQ(bytes[47], 0x48);
  Result<NtpPacket> back = DecodeNtpPacket(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->leap, 2);
  EXPECT_EQ(back->version, 3);
  EXPECT_EQ(back->mode, 5);
  EXPECT_EQ(back->stratum, 7);
  EXPECT_EQ(back->poll, -6);
  EXPECT_EQ(back->precision, -23);
  EXPECT_EQ(back->root_delay, 0x01020304u);
  EXPECT_EQ(back->root_dispersion, 0x05060708u);
  EXPECT_EQ(back->reference_id, Chars("GPS "));
  EXPECT_EQ(back->reference, 0x1112131415161718u);
  EXPECT_EQ(back->originate, 0x2122232425262728u);
  EXPECT_EQ(back->receive, 0x3132333435363738u);
  EXPECT_EQ(back->transmit, 0x4142434445464748u);
}

TEST(SntpPacket, ClientRequestIsVersion4Mode3WithOnlyTransmitSet) {
  auto bytes = EncodeNtpPacket(MakeClientRequest(0xAABBCCDD11223344));
  EXPECT_EQ(bytes[0], 0x23);  // LI 0, VN 4, mode 3 (RFC 4330 §5)
  for (std::size_t i = 1; i < 40; ++i) EXPECT_EQ(bytes[i], 0) << "byte " << i;
  EXPECT_EQ(bytes[40], 0xAA);
  EXPECT_EQ(bytes[47], 0x44);
}

TEST(SntpPacket, TruncatedPacketIsNetworkErrorWithItsSize) {
  std::vector<std::uint8_t> bytes(47, 0);
  Result<NtpPacket> p = DecodeNtpPacket(bytes);
  EXPECT_THAT(p, HasCode(ErrorCode::kNetworkError));
  EXPECT_THAT(p.error().message(), HasSubstr("truncated NTP reply: 47 bytes"));
}

TEST(SntpPacket, LongerPacketWithExtensionIsAccepted) {
  std::vector<std::uint8_t> bytes(68, 0);
  auto header = EncodeNtpPacket(GoodReply());
  std::copy(header.begin(), header.end(), bytes.begin());
  Result<NtpPacket> p = DecodeNtpPacket(bytes);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->stratum, 2);
}

TEST(SntpPacket, GoodServerReplyPasses) { EXPECT_TRUE(CheckServerReply(GoodReply()).ok()); }

TEST(SntpPacket, ClientModeReplyIsRefused) {
  NtpPacket p = GoodReply();
  p.mode = kModeClient;
  Result<void> r = CheckServerReply(p);
  EXPECT_THAT(r, HasCode(ErrorCode::kNetworkError));
  EXPECT_THAT(r.error().message(), HasSubstr("mode 3, not 4 (server)"));
}

TEST(SntpPacket, KissOfDeathNamesItsCode) {
  NtpPacket p = GoodReply();
  p.stratum = 0;
  p.leap = kLeapUnsynchronised;
  p.reference_id = Chars("RATE");
  Result<void> r = CheckServerReply(p);
  EXPECT_THAT(r, HasCode(ErrorCode::kNetworkError));
  EXPECT_THAT(r.error().message(), HasSubstr("kiss-o'-death with code \"RATE\""));
}

TEST(SntpPacket, KissCodeShowsUnprintableBytesAsQuestionMarks) {
  EXPECT_EQ(KissCode(Chars("DENY")), "DENY");
  EXPECT_EQ(KissCode(0x1B5B3241), "?[2A");
}

TEST(SntpPacket, Stratum16IsUnsynchronised) {
  NtpPacket p = GoodReply();
  p.stratum = 16;
  Result<void> r = CheckServerReply(p);
  EXPECT_THAT(r, HasCode(ErrorCode::kNetworkError));
  EXPECT_THAT(r.error().message(), HasSubstr("unsynchronised (stratum 16)"));
}

TEST(SntpPacket, LeapIndicator3IsUnsynchronised) {
  NtpPacket p = GoodReply();
  p.leap = 3;
  Result<void> r = CheckServerReply(p);
  EXPECT_THAT(r, HasCode(ErrorCode::kNetworkError));
  EXPECT_THAT(r.error().message(), HasSubstr("leap indicator 3"));
}

TEST(SntpPacket, StratumAbove16IsInvalid) {
  NtpPacket p = GoodReply();
  p.stratum = 200;
  EXPECT_THAT(CheckServerReply(p).error().message(), HasSubstr("stratum 200"));
}

TEST(SntpPacket, ZeroTransmitTimestampIsRefused) {
  NtpPacket p = GoodReply();
  p.transmit = 0;
  Result<void> r = CheckServerReply(p);
  EXPECT_THAT(r, HasCode(ErrorCode::kNetworkError));
  EXPECT_THAT(r.error().message(), HasSubstr("transmit timestamp is zero"));
}

TEST(SntpPacket, OffsetAndDelayFollowRfc5905) {
  // Server 73 s ahead; 30 ms out, 20 ms back, 10 ms in the server.
  NtpSample s = ComputeSample(1000.0, 1073.030, 1073.040, 1000.060);
  EXPECT_NEAR(s.offset_s, 73.005, 1e-9);  // asymmetry shows as half the difference
  EXPECT_NEAR(s.delay_s, 0.050, 1e-9);
}

TEST(SntpPacket, ServerBehindGivesNegativeOffset) {
  NtpSample s = ComputeSample(1000.0, 910.01, 910.01, 1000.02);
  EXPECT_NEAR(s.offset_s, -90.0, 1e-9);
  EXPECT_NEAR(s.delay_s, 0.02, 1e-9);
}

}  // namespace
}  // namespace tock::internal
