#include "internal/time_text.h"

#include <charconv>
#include <cmath>
#include <optional>

#include "internal/json.h"

namespace tock::internal {
namespace {

constexpr std::int64_t kSecondsPerDay = 86400;

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

// DaysFromCivil and CivilFromDays convert between proleptic Gregorian dates
// and days since 1970-01-01 (H. Hinnant, "chrono-Compatible Low-Level Date
// Algorithms"): exact for every year, no time zone or locale involved.
constexpr std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

constexpr Civil CivilFromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

// FormatUtc prints years 0000..9999 only, the range RFC 3339 can write.
constexpr double kFirstUtc = static_cast<double>(DaysFromCivil(0, 1, 1) * kSecondsPerDay);
constexpr double kEndUtc = static_cast<double>(DaysFromCivil(10000, 1, 1) * kSecondsPerDay);

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Error UsageError(std::string_view what, std::string_view text, std::string_view problem) {
  std::string message = "invalid " + std::string(what) + " ";
  internal::AppendJsonString(message, text);  // user text, printed escaped
  return Error(ErrorCode::kUsage, message + ": " + std::string(problem));
}

Error DurationError(std::string_view text, std::string_view problem) {
  return UsageError("duration", text,
                    std::string(problem) + " (write e.g. 90s, 5m, 2h, 1d, 1m30s or 90)");
}

// ReadDigits reads a run of decimal digits into |value|; the number of
// digits read, 0 when there are none, or nullopt on int64 overflow.
std::optional<std::size_t> ReadDigits(std::string_view text, std::int64_t& value) {
  std::size_t n = 0;
  value = 0;
  for (; n < text.size() && IsDigit(text[n]); ++n) {
    if (__builtin_mul_overflow(value, 10, &value) ||
        __builtin_add_overflow(value, text[n] - '0', &value)) {
      return std::nullopt;
    }
  }
  return n;
}

std::int64_t UnitSeconds(char unit) {
  switch (unit) {
    case 'd':
      return kSecondsPerDay;
    case 'h':
      return 3600;
    case 'm':
      return 60;
    case 's':
      return 1;
    default:
      return 0;
  }
}

// FixedDigits writes |value| as exactly |width| digits at |out|.
void FixedDigits(char* out, std::int64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// ReadFixed reads exactly |width| digits of |text| at |pos|.
std::optional<unsigned> ReadFixed(std::string_view text, std::size_t pos, std::size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  unsigned value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (!IsDigit(text[i])) return std::nullopt;
    value = value * 10 + static_cast<unsigned>(text[i] - '0');
  }
  return value;
}

bool IsLeapYear(unsigned y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

unsigned DaysInMonth(unsigned year, unsigned month) {
  constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// ParseZone reads the RFC 3339 time-offset at |pos| ("Z" or "+HH:MM") into
// seconds east of UTC.
std::optional<std::int64_t> ParseZone(std::string_view text, std::size_t pos) {
  if (pos + 1 == text.size() && (text[pos] == 'Z' || text[pos] == 'z')) return 0;
  if (pos + 6 != text.size() || (text[pos] != '+' && text[pos] != '-') || text[pos + 3] != ':') {
    return std::nullopt;
  }
  const std::optional<unsigned> hours = ReadFixed(text, pos + 1, 2);
  const std::optional<unsigned> minutes = ReadFixed(text, pos + 4, 2);
  if (!hours || !minutes || *hours > 23 || *minutes > 59) return std::nullopt;
  const std::int64_t offset = *hours * 3600 + *minutes * 60;
  return text[pos] == '-' ? -offset : offset;
}

// ParseRfc3339 reads "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)".
// A fraction is accepted and truncated: UnixSeconds counts whole seconds.
// Leap second 60 is refused: Unix time cannot name it.
std::optional<UnixSeconds> ParseRfc3339(std::string_view text) {
  const auto sep = [&](std::size_t i, char c) { return i < text.size() && text[i] == c; };
  const std::optional<unsigned> year = ReadFixed(text, 0, 4), month = ReadFixed(text, 5, 2),
                                day = ReadFixed(text, 8, 2), hour = ReadFixed(text, 11, 2),
                                minute = ReadFixed(text, 14, 2), second = ReadFixed(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  if (!sep(4, '-') || !sep(7, '-') || !(sep(10, 'T') || sep(10, 't')) || !sep(13, ':') ||
      !sep(16, ':')) {
    return std::nullopt;
  }
  if (*month < 1 || *month > 12 || *day < 1 || *day > DaysInMonth(*year, *month) || *hour > 23 ||
      *minute > 59 || *second > 59) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  if (sep(pos, '.')) {
    const std::size_t first = ++pos;
    while (pos < text.size() && IsDigit(text[pos])) ++pos;
    if (pos == first) return std::nullopt;
  }
  const std::optional<std::int64_t> zone = ParseZone(text, pos);
  if (!zone) return std::nullopt;
  return DaysFromCivil(*year, *month, *day) * kSecondsPerDay + *hour * 3600 + *minute * 60 +
         *second - *zone;
}

}  // namespace

Result<std::int64_t> ParseDuration(std::string_view text, bool allow_sign) {
  std::string_view rest = text;
  bool negative = false;
  if (!rest.empty() && (rest[0] == '+' || rest[0] == '-')) {
    if (!allow_sign) return DurationError(text, "a sign is not allowed here");
    negative = rest[0] == '-';
    rest.remove_prefix(1);
  }
  if (rest.empty()) return DurationError(text, "it has no number");
  std::int64_t total = 0;
  std::int64_t previous_unit = 0;  // units must strictly decrease: 1h30m, not 30m1h
  while (!rest.empty()) {
    std::int64_t value = 0;
    const std::optional<std::size_t> digits = ReadDigits(rest, value);
    if (!digits) return DurationError(text, "it is too large");
    if (*digits == 0) return DurationError(text, "expected a number before the unit");
    rest.remove_prefix(*digits);
    if (rest.empty()) {
      if (previous_unit != 0) return DurationError(text, "the last number has no unit");
      total = value;  // a bare integer counts seconds
      break;
    }
    const std::int64_t unit = UnitSeconds(rest[0]);
    if (unit == 0) return DurationError(text, "the unit is not one of s, m, h, d");
    if (previous_unit != 0 && unit >= previous_unit) {
      return DurationError(text, "each unit may appear once, largest first");
    }
    if (__builtin_mul_overflow(value, unit, &value) ||
        __builtin_add_overflow(total, value, &total)) {
      return DurationError(text, "it is too large");
    }
    previous_unit = unit;
    rest.remove_prefix(1);
  }
  return negative ? -total : total;
}

Result<UnixSeconds> ParseTime(std::string_view text) {
  const std::string_view digits = !text.empty() && text[0] == '-' ? text.substr(1) : text;
  if (!digits.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos) {
    std::int64_t value = 0;
    if (!ReadDigits(digits, value)) return UsageError("time", text, "it is out of range");
    return digits.size() == text.size() ? value : -value;
  }
  if (const std::optional<UnixSeconds> t = ParseRfc3339(text)) return *t;
  return UsageError("time", text,
                    "expected RFC 3339 such as 2026-06-12T09:17:10Z, or seconds since the epoch");
}

std::string FormatUtc(double t) {
  if (!(t >= kFirstUtc && t < kEndUtc)) return FormatSeconds(t);
  const double whole = std::floor(t);
  const auto seconds = static_cast<std::int64_t>(whole);
  std::int64_t days = seconds / kSecondsPerDay;
  std::int64_t of_day = seconds % kSecondsPerDay;
  if (of_day < 0) {
    of_day += kSecondsPerDay;
    --days;
  }
  const Civil date = CivilFromDays(days);
  char out[] = "0000-00-00T00:00:00";
  FixedDigits(out, date.year, 4);
  FixedDigits(out + 5, date.month, 2);
  FixedDigits(out + 8, date.day, 2);
  FixedDigits(out + 11, of_day / 3600, 2);
  FixedDigits(out + 14, of_day / 60 % 60, 2);
  FixedDigits(out + 17, of_day % 60, 2);
  std::string text(out, 19);
  if (t != whole) {
    // The fraction's digits are those of the shortest text that reads back
    // as |t|, so 1781255863.5 prints ".5", not a binary expansion.
    char buffer[64];
    const double printed = t >= 0 ? t : t - whole;
    const auto result =
        std::to_chars(buffer, buffer + sizeof(buffer), printed, std::chars_format::fixed);
    const std::string_view digits(buffer, static_cast<std::size_t>(result.ptr - buffer));
    const std::size_t dot = digits.find('.');
    if (dot != std::string_view::npos) text.append(digits.substr(dot));
  }
  text += 'Z';
  return text;
}

std::string FormatDuration(double seconds) {
  if (seconds < 0) return "-" + FormatDuration(-seconds);
  // Under a minute, or too large for whole units: the plain number.
  if (!(seconds >= 60 && seconds < 1e15)) return FormatSeconds(seconds) + "s";
  const auto whole = static_cast<std::int64_t>(seconds);
  constexpr std::pair<std::int64_t, char> kUnits[] = {
      {kSecondsPerDay, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
  // The largest unit and the next one: "1d2h", "9m12s". Smaller units are
  // dropped (truncated, never rounded up), as a person would say it.
  std::size_t i = 0;
  while (whole < kUnits[i].first) ++i;
  std::string text = std::to_string(whole / kUnits[i].first) + kUnits[i].second;
  const std::int64_t next = whole % kUnits[i].first / kUnits[i + 1].first;
  if (next > 0) text += std::to_string(next) + kUnits[i + 1].second;
  return text;
}

std::string FormatRelative(double delta) {
  if (delta == 0) return "now";
  if (delta > 0) return "in " + FormatDuration(delta);
  return FormatDuration(-delta) + " ago";
}

std::string FormatSeconds(double seconds) {
  if (seconds == 0) return "0";  // and never "-0"
  // Fixed notation, shortest round trip: 33 -> "33", 0.5 -> "0.5", never 1e+20.
  char buffer[400];
  const auto result =
      std::to_chars(buffer, buffer + sizeof(buffer), seconds, std::chars_format::fixed);
  return std::string(buffer, result.ptr);
}

}  // namespace tock::internal
