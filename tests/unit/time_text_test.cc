#include "tock/app/time_text.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

namespace tock {
namespace {

constexpr UnixSeconds kNow = 1781255830;  // 2026-06-12T09:17:10Z
constexpr char kExamples[] = " (write e.g. 90s, 5m, 2h, 1d, 1m30s or 90)";

void ExpectDuration(std::string_view text, std::int64_t seconds, bool allow_sign = false) {
  Result<std::int64_t> result = ParseDuration(text, allow_sign);
  ASSERT_TRUE(result.ok()) << text << ": " << result.error().message();
  EXPECT_EQ(*result, seconds) << text;
}

std::string DurationError(std::string_view text, bool allow_sign = false) {
  Result<std::int64_t> result = ParseDuration(text, allow_sign);
  EXPECT_FALSE(result.ok()) << text << " parsed as " << (result.ok() ? *result : 0);
  if (result.ok()) return "";
  EXPECT_EQ(result.error().code(), ErrorCode::kUsage) << text;
  return result.error().message();
}

void ExpectTime(std::string_view text, UnixSeconds t) {
  Result<UnixSeconds> result = ParseTime(text);
  ASSERT_TRUE(result.ok()) << text << ": " << result.error().message();
  EXPECT_EQ(*result, t) << text;
}

void ExpectBadTime(std::string_view text) {
  Result<UnixSeconds> result = ParseTime(text);
  ASSERT_FALSE(result.ok()) << text << " parsed as " << *result;
  EXPECT_EQ(result.error().code(), ErrorCode::kUsage) << text;
}

TEST(TimeText, DurationUnits) {
  ExpectDuration("90s", 90);
  ExpectDuration("5m", 300);
  ExpectDuration("2h", 7200);
  ExpectDuration("1d", 86400);
  ExpectDuration("1m30s", 90);
  ExpectDuration("1d2h3m4s", 93784);
  ExpectDuration("1h30m", 5400);
  ExpectDuration("1d4s", 86404);
  ExpectDuration("0s", 0);
  ExpectDuration("1m90s", 150);
}

TEST(TimeText, DurationBareIntegerIsSeconds) {
  ExpectDuration("90", 90);
  ExpectDuration("0", 0);
  ExpectDuration("007", 7);
  ExpectDuration("9223372036854775807", INT64_MAX);
}

TEST(TimeText, DurationSignOnlyWhenAllowed) {
  ExpectDuration("-73s", -73, true);
  ExpectDuration("+5m", 300, true);
  ExpectDuration("-90", -90, true);
  EXPECT_EQ(DurationError("-73s"),
            "invalid duration \"-73s\": a sign is not allowed here (write e.g. 90s, 5m, 2h, "
            "1d, 1m30s or 90)");
  DurationError("+5m");
}

TEST(TimeText, DurationRejectsMalformedText) {
  EXPECT_EQ(DurationError(""),
            "invalid duration \"\": it has no number (write e.g. 90s, 5m, 2h, 1d, 1m30s or 90)");
  DurationError("-", true);
  DurationError("+", true);
  DurationError("--5s", true);
  DurationError("s");
  DurationError("m5");
  EXPECT_EQ(DurationError("5x"),
            std::string("invalid duration \"5x\": the unit is not one of s, m, h, d") + kExamples);
  DurationError("5S");
  DurationError("5ms");
  DurationError("1.5s");
  DurationError(" 5s");
  DurationError("5s ");
  DurationError("5 s");
  EXPECT_EQ(DurationError("1m30"),
            std::string("invalid duration \"1m30\": the last number has no unit") + kExamples);
  EXPECT_EQ(DurationError("1h1h"),
            std::string("invalid duration \"1h1h\": each unit may appear once, largest first") +
                kExamples);
  DurationError("30m1h");
  DurationError("1s1m");
}

TEST(TimeText, DurationRejectsOverflow) {
  EXPECT_EQ(DurationError("9223372036854775808"),
            std::string("invalid duration \"9223372036854775808\": it is too large") + kExamples);
  DurationError("106751991167301d");
  DurationError("106751991167300d9223372036854775807s");
}

TEST(TimeText, DurationErrorEscapesControlCharacters) {
  EXPECT_EQ(DurationError("\x1b[2J"),
            std::string("invalid duration \"\\u001b[2J\": expected a number before the unit") +
                kExamples);
}

TEST(TimeText, ParsesRfc3339Utc) {
  ExpectTime("2026-06-12T09:17:10Z", kNow);
  ExpectTime("1970-01-01T00:00:00Z", 0);
  ExpectTime("1969-12-31T23:59:59Z", -1);
  ExpectTime("2000-02-29T00:00:00Z", 951782400);
  ExpectTime("9999-12-31T23:59:59Z", 253402300799);
  ExpectTime("0001-01-01T00:00:00Z", -62135596800);
  ExpectTime("2026-06-12t09:17:10z", kNow);
}

TEST(TimeText, Rfc3339FractionIsTruncated) {
  ExpectTime("2026-06-12T09:17:10.999Z", kNow);
  ExpectTime("2026-06-12T09:17:10.0Z", kNow);
  ExpectTime("1969-12-31T23:59:59.5Z", -1);
}

TEST(TimeText, Rfc3339OffsetIsConvertedToUtc) {
  ExpectTime("2026-06-12T11:17:10+02:00", kNow);
  ExpectTime("2026-06-12T04:47:10-04:30", kNow);
  ExpectTime("2026-06-12T09:17:10-00:00", kNow);
}

TEST(TimeText, ParsesEpochSeconds) {
  ExpectTime("1781255830", kNow);
  ExpectTime("0", 0);
  ExpectTime("-86400", -86400);
}

TEST(TimeText, RejectsBadTimes) {
  for (const char* text : {"",
                           "-",
                           "now",
                           "12abc",
                           "+5",
                           "1781255830.5",
                           "2026-06-12",
                           "2026-06-12T09:17:10",
                           "2026-06-12 09:17:10Z",
                           "2026-06-12T09:17Z",
                           "2026-6-12T09:17:10Z",
                           "2026-13-01T00:00:00Z",
                           "2026-00-01T00:00:00Z",
                           "2026-06-31T00:00:00Z",
                           "2023-02-29T00:00:00Z",
                           "1900-02-29T00:00:00Z",
                           "2026-06-12T24:00:00Z",
                           "2026-06-12T09:60:00Z",
                           "2026-06-12T09:17:60Z",
                           "2026-06-12T09:17:10.Z",
                           "2026-06-12T09:17:10ZZ",
                           "2026-06-12T09:17:10+2:00",
                           "2026-06-12T09:17:10+24:00",
                           "2026-06-12T09:17:10+02",
                           " 2026-06-12T09:17:10Z",
                           "99999999999999999999"}) {
    ExpectBadTime(text);
  }
  EXPECT_EQ(ParseTime("now").error().message(),
            "invalid time \"now\": expected RFC 3339 such as 2026-06-12T09:17:10Z, or seconds "
            "since the epoch");
}

TEST(TimeText, FormatUtcWholeSeconds) {
  EXPECT_EQ(FormatUtc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatUtc(kNow), "2026-06-12T09:17:10Z");
  EXPECT_EQ(FormatUtc(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatUtc(951782400), "2000-02-29T00:00:00Z");
  EXPECT_EQ(FormatUtc(253402300799), "9999-12-31T23:59:59Z");
  EXPECT_EQ(FormatUtc(-62167219200), "0000-01-01T00:00:00Z");
}

TEST(TimeText, FormatUtcKeepsFraction) {
  EXPECT_EQ(FormatUtc(1781255863.5), "2026-06-12T09:17:43.5Z");
  EXPECT_EQ(FormatUtc(1781255863.125), "2026-06-12T09:17:43.125Z");
  EXPECT_EQ(FormatUtc(1781255863.1), "2026-06-12T09:17:43.1Z");
  EXPECT_EQ(FormatUtc(-0.25), "1969-12-31T23:59:59.75Z");
}

TEST(TimeText, FormatUtcOutsideYearsZeroTo9999PrintsNumber) {
  EXPECT_EQ(FormatUtc(253402300800), "253402300800");
  EXPECT_EQ(FormatUtc(-62167219201), "-62167219201");
  EXPECT_EQ(FormatUtc(1e300).size(), 301u);
}

TEST(TimeText, FormatUtcThenParseTimeRoundTrips) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::int64_t> dist(-62167219200, 253402300799);
  for (int i = 0; i < 20000; ++i) {
    const std::int64_t t = dist(rng);
    const std::string text = FormatUtc(static_cast<double>(t));
    Result<UnixSeconds> back = ParseTime(text);
    ASSERT_TRUE(back.ok()) << text;
    ASSERT_EQ(*back, t) << text;
  }
}

TEST(TimeText, FormatDurationLargestTwoUnits) {
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(33), "33s");
  EXPECT_EQ(FormatDuration(59), "59s");
  EXPECT_EQ(FormatDuration(60), "1m");
  EXPECT_EQ(FormatDuration(73), "1m13s");
  EXPECT_EQ(FormatDuration(552), "9m12s");
  EXPECT_EQ(FormatDuration(3600), "1h");
  EXPECT_EQ(FormatDuration(3605), "1h");
  EXPECT_EQ(FormatDuration(3900), "1h5m");
  EXPECT_EQ(FormatDuration(86400), "1d");
  EXPECT_EQ(FormatDuration(97200), "1d3h");
  EXPECT_EQ(FormatDuration(86400 * 400 + 59), "400d");
}

TEST(TimeText, FormatDurationFractions) {
  EXPECT_EQ(FormatDuration(0.5), "0.5s");
  EXPECT_EQ(FormatDuration(59.25), "59.25s");
  EXPECT_EQ(FormatDuration(60.5), "1m");
  EXPECT_EQ(FormatDuration(-33), "-33s");
}

TEST(TimeText, FormatRelative) {
  EXPECT_EQ(FormatRelative(552), "in 9m12s");
  EXPECT_EQ(FormatRelative(-33), "33s ago");
  EXPECT_EQ(FormatRelative(0), "now");
  EXPECT_EQ(FormatRelative(0.5), "in 0.5s");
  EXPECT_EQ(FormatRelative(-97200), "1d3h ago");
}

TEST(TimeText, FormatSeconds) {
  EXPECT_EQ(FormatSeconds(33), "33");
  EXPECT_EQ(FormatSeconds(0.5), "0.5");
  EXPECT_EQ(FormatSeconds(-2), "-2");
  EXPECT_EQ(FormatSeconds(-0.0), "0");
  EXPECT_EQ(FormatSeconds(1781255863.5), "1781255863.5");
  EXPECT_EQ(FormatSeconds(1e20), "100000000000000000000");
  EXPECT_EQ(FormatSeconds(0.1), "0.1");
}

}  // namespace
}  // namespace tock
