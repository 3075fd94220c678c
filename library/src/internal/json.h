// The one JSON parser for untrusted input, and small helpers over Boost.JSON.
//
// Boost 1.81's own parser keeps the last of duplicate members and stops at
// depth 32, so untrusted JSON goes through our boost::json::basic_parser
// handler instead: it rejects duplicate member names, counts depth to
// kMaxJsonDepth (top-level container = depth 1), rejects invalid UTF-8,
// comments and trailing commas, and builds the value with the caller's
// storage (a monotonic buffer on the verify path). Every part of tock parses
// untrusted JSON with this, once, so no two parts can read it differently.
#ifndef TOCK_INTERNAL_JSON_H_
#define TOCK_INTERNAL_JSON_H_

#include <array>
#include <bit>
#include <boost/json/object.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <forward_list>
#include <initializer_list>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "tock/result.h"

namespace tock::internal {

// NameFingerprint packs bytes of |s| that, given its size, tell a name of up
// to 8 bytes from every other such name (overlapping reads, never past the
// end); longer names also need a full compare. The parser compares member
// names by it, so most comparisons are one integer compare.
constexpr std::uint64_t NameFingerprint(std::string_view s) {
  const std::size_t n = s.size();
  if (!std::is_constant_evaluated() && std::endian::native == std::endian::little && n >= 4) {
    // The same value as below, read with whole-word loads.
    std::uint64_t w = 0;
    if (n >= 8) {
      std::memcpy(&w, s.data(), 8);
      return w;
    }
    std::uint32_t head = 0, tail = 0;
    std::memcpy(&head, s.data(), 4);
    std::memcpy(&tail, s.data() + n - 4, 4);
    return head | std::uint64_t{tail} << 32;
  }
  const auto byte = [s](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(s[i])}; };
  const auto word = [&byte](std::size_t at, std::size_t count) {
    std::uint64_t w = 0;
    for (std::size_t i = 0; i < count; ++i) w |= byte(at + i) << (8 * i);
    return w;
  };
  if (n >= 8) return word(0, 8);
  if (n >= 4) return word(0, 4) | word(n - 4, 4) << 32;
  if (n == 0) return 0;
  return byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16;
}

// FingerprintSlot maps a fingerprint to one of 64 slots (multiplicative
// hashing), for the duplicate-name filter and the MemberNames table.
constexpr unsigned FingerprintSlot(std::uint64_t print, std::uint64_t multiplier) {
  return static_cast<unsigned>((print * multiplier) >> 58);
}

// JsonKind is the type of a JSON value, or kAbsent for a missing member.
enum class JsonKind : std::uint8_t { kAbsent, kNull, kBool, kNumber, kString, kArray, kObject };

// JsonKindName is "a string", "an array", "null"... for messages.
std::string_view JsonKindName(JsonKind kind);

// RecordedMember is what the parser noted about one top-level member that
// its caller asked for by name.
// kMaxExactInteger is 2^53: integers up to it are exact in a double (and in
// JavaScript). NumericDates beyond it are refused (bad_claim), so no time
// arithmetic on them can lose precision or overflow an int64.
inline constexpr std::int64_t kMaxExactInteger = std::int64_t{1} << 53;

struct RecordedMember {
  JsonKind kind = JsonKind::kAbsent;
  bool strings_only = true;     // kArray: every element is a string
  std::uint8_t first_item = 0;  // kArray: its string elements in MemberRecord::items
  std::uint8_t item_count = 0;
  std::uint32_t size = 0;    // kArray: the number of elements
  std::string_view text;     // kString: the value, unescaped
  double number = 0;         // kNumber: the exact value, as ParseJson reads it
  bool beyond_2_53 = false;  // kNumber: |value| > 2^53, read before rounding to a double

  bool present() const { return kind != JsonKind::kAbsent; }
};

// MemberNames is a list of up to 8 top-level member names to record, with a
// collision-free 64-slot table from fingerprint to index, all computed at
// compile time: the parser finds a name's index with one multiply and one
// compare.
struct MemberNames {
  static constexpr std::size_t kMax = 8;

  constexpr MemberNames(std::initializer_list<std::string_view> list) {
    for (std::string_view name : list) {
      prints[count] = NameFingerprint(name);
      for (std::size_t i = 0; i < count; ++i) {
        // No multiplier separates equal fingerprints (names over 8 bytes
        // with the same first 8): refused at compile time.
        if (prints[i] == prints[count]) throw "MemberNames: two names share a fingerprint";
      }
      names[count++] = name;
    }
    // Odd multipliers until one separates every name (the first usually does).
    for (multiplier = 0x9E3779B97F4A7C15ull;; multiplier += 2) {
      std::array<std::uint8_t, 64> table{};
      bool clash = false;
      for (std::size_t i = 0; i < count && !clash; ++i) {
        std::uint8_t& entry = table[FingerprintSlot(prints[i], multiplier)];
        clash = entry != 0;
        entry = static_cast<std::uint8_t>(i + 1);
      }
      if (!clash) {
        slots = table;
        break;
      }
    }
  }

  // IndexOf returns the index of |name| (whose fingerprint is |print|), or -1.
  int IndexOf(std::string_view name, std::uint64_t print) const {
    const unsigned entry = slots[FingerprintSlot(print, multiplier)];
    if (entry == 0) return -1;
    const std::string_view candidate = names[entry - 1];
    if (prints[entry - 1] != print || candidate.size() != name.size()) return -1;
    if (name.size() > 8 && candidate != name) return -1;
    return static_cast<int>(entry - 1);
  }

  std::array<std::string_view, kMax> names{};
  std::array<std::uint64_t, kMax> prints{};
  std::size_t count = 0;
  std::uint64_t multiplier = 0;
  std::array<std::uint8_t, 64> slots{};
};

// MemberRecord receives, during one parse, the members named in its
// MemberNames: the verify path reads alg, kid, exp, aud... from it instead of
// building a DOM. Views point into the parsed text, or into storage of the
// record for strings the parser had to unescape, so the text must outlive the
// record. Members are written only when seen (a bit in |seen_| says which),
// so a fresh record costs no initialisation per member.
class MemberRecord {
 public:
  static constexpr std::size_t kMaxItems = 8;

  explicit MemberRecord(const MemberNames& names) : names_(&names) {}
  MemberRecord(const MemberRecord&) = delete;
  MemberRecord& operator=(const MemberRecord&) = delete;

  const RecordedMember& at(std::size_t index) const {
    static constexpr RecordedMember kAbsent{};
    return (seen_ >> index & 1) != 0 ? members_[index].member : kAbsent;
  }
  // Find returns the member |name| when it is one of the recorded names.
  const RecordedMember* Find(std::string_view name) const;
  // Strings returns a string member as one element, or a string array whose
  // elements were all recorded; nullopt otherwise (absent, other kinds,
  // non-string elements, or more than kMaxItems elements).
  std::optional<std::span<const std::string_view>> Strings(const RecordedMember& member) const;

  // For the parser.
  int IndexOf(std::string_view name, std::uint64_t print) const {
    return names_->IndexOf(name, print);
  }
  // Begin starts the member at |index| afresh and returns it.
  RecordedMember& Begin(std::size_t index) {
    seen_ |= 1u << index;
    return *new (&members_[index].member) RecordedMember{};
  }
  void AddItem(RecordedMember& array, std::string_view text);
  std::string_view Own(std::string text);

 private:
  const MemberNames* names_;
  unsigned seen_ = 0;
  std::size_t item_count_ = 0;
  // Unions with empty constructors leave the storage uninitialised: a
  // record is made per verify, and initialising every slot was a measurable
  // part of it (three `rep stos` per token). Begin constructs a member slot
  // and the first AddItem the item list before anything reads them.
  union MemberSlot {
    MemberSlot() {}  // NOLINT(modernize-use-equals-default): must not initialise
    RecordedMember member;
  };
  union Items {
    Items() {}                                     // NOLINT(modernize-use-equals-default)
    std::array<std::string_view, kMaxItems> list;  // constructed by the first AddItem
  };
  MemberSlot members_[MemberNames::kMax];
  Items items_;
  std::forward_list<std::string> owned_;
};

// ParseJson parses a complete JSON text of any type. kBadJson with a message
// naming the problem ("duplicate member name \"exp\"", "nesting deeper than
// 64", "invalid UTF-8", "syntax error at offset N") on failure.
Result<boost::json::value> ParseJson(std::string_view text, boost::json::storage_ptr sp = {});

// ParseJsonObject is ParseJson that also requires the top level to be an
// object (kBadJson "not a JSON object" otherwise); with |record|, the members
// it names are noted into it as well.
Result<boost::json::object> ParseJsonObject(std::string_view text, boost::json::storage_ptr sp = {},
                                            MemberRecord* record = nullptr);

// CheckJsonObject is ParseJsonObject without building the value: the same
// parser and checks, with the members |record| names noted into it. The
// verify path uses it and builds a DOM only when a caller asks for one.
Result<void> CheckJsonObject(std::string_view text, MemberRecord& record);

// RecordedText is a JSON text and the record its members go to.
struct RecordedText {
  std::string_view text;
  MemberRecord* record;
};
// CheckJsonObjects is CheckJsonObject over each of |texts| in turn with one
// parser (setting one up costs about as much as reading a short header); on
// failure |failed| is the index of the text that failed.
Result<void> CheckJsonObjects(std::span<const RecordedText> texts, std::size_t& failed);

// SerializeJson writes |value| compactly, or indented by two spaces when
// |pretty|. Control characters in strings are escaped. Doubles that hold an
// integer print without a fraction or exponent; others print shortest
// round-trip, so NumericDates keep their exact value.
std::string SerializeJson(const boost::json::value& value, bool pretty = false);
// SerializeJson of an object, without copying it into a value first.
std::string SerializeJson(const boost::json::object& object, bool pretty = false);

// AppendJsonString appends |text| as a quoted, escaped JSON string. Besides
// what JSON requires, DEL and the C1 controls (U+0080..U+009F) are escaped,
// since text from a token must not drive a terminal, and bytes that are not
// UTF-8 become \ufffd, so the output is always valid JSON.
void AppendJsonString(std::string& out, std::string_view text);

// FindInvalidUtf8 returns the offset of the first byte of |text| that does
// not start a well-formed UTF-8 sequence (RFC 3629), or nullopt when there is
// none.
std::optional<std::size_t> FindInvalidUtf8(std::string_view text);

// FindString returns the member |name| of |object| when it is a string.
std::optional<std::string_view> FindString(const boost::json::object& object,
                                           std::string_view name);
// FindNumber returns the member |name| when it is a number (int64, uint64 or
// double), as a double.
std::optional<double> FindNumber(const boost::json::object& object, std::string_view name);
// AsNumber returns |value| as a double when it is a number.
std::optional<double> AsNumber(const boost::json::value& value);

}  // namespace tock::internal

#endif  // TOCK_INTERNAL_JSON_H_
