#include "internal/base64url.h"

#include <array>
#include <cstdint>

namespace tock::internal {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// kInvalid marks the bytes outside the alphabet ('=' and the standard
// alphabet's '+' and '/' included). It has the high bit set, so OR-ing the
// looked-up values and testing that bit once finds any of them without a
// branch per character.
constexpr std::uint8_t kInvalid = 0x80;

constexpr std::array<std::uint8_t, 256> MakeDecodeTable() {
  std::array<std::uint8_t, 256> table{};
  for (auto& entry : table) entry = kInvalid;
  for (std::uint8_t i = 0; i < 64; ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = i;
  }
  return table;
}

constexpr std::array<std::uint8_t, 256> kDecode = MakeDecodeTable();

// kShifted[i][c] is the value of character c already shifted into place as
// the i-th character of a group of four, so a group decodes with four loads
// and three ORs. Bytes outside the alphabet carry bit 24, which survives the
// ORs and lands outside the three output bytes.
constexpr std::uint32_t kShiftedInvalid = 1u << 24;

constexpr std::array<std::array<std::uint32_t, 256>, 4> MakeShiftedTables() {
  std::array<std::array<std::uint32_t, 256>, 4> tables{};
  for (int i = 0; i < 4; ++i) {
    for (std::size_t c = 0; c < 256; ++c) {
      tables[i][c] =
          kDecode[c] == kInvalid ? kShiftedInvalid : std::uint32_t{kDecode[c]} << (18 - 6 * i);
    }
  }
  return tables;
}

constexpr std::array<std::array<std::uint32_t, 256>, 4> kShifted = MakeShiftedTables();

inline std::uint32_t Lookup(const char* p, std::size_t i) {
  return kDecode[static_cast<unsigned char>(p[i])];
}

inline std::uint32_t LookupShifted(const char* p, std::size_t i) {
  return kShifted[i][static_cast<unsigned char>(p[i])];
}

}  // namespace

void Base64UrlEncodeAppend(std::string& out, std::string_view bytes) {
  const std::size_t full = bytes.size() / 3;
  const std::size_t rest = bytes.size() % 3;
  std::size_t pos = out.size();
  out.resize(pos + Base64UrlEncodedSize(bytes.size()));
  char* dst = out.data() + pos;
  const auto* src = reinterpret_cast<const unsigned char*>(bytes.data());
  for (std::size_t i = 0; i < full; ++i, src += 3, dst += 4) {
    const std::uint32_t v = (std::uint32_t{src[0]} << 16) | (std::uint32_t{src[1]} << 8) | src[2];
    dst[0] = kAlphabet[(v >> 18) & 63];
    dst[1] = kAlphabet[(v >> 12) & 63];
    dst[2] = kAlphabet[(v >> 6) & 63];
    dst[3] = kAlphabet[v & 63];
  }
  if (rest == 1) {
    const std::uint32_t v = std::uint32_t{src[0]} << 16;
    dst[0] = kAlphabet[(v >> 18) & 63];
    dst[1] = kAlphabet[(v >> 12) & 63];
  } else if (rest == 2) {
    const std::uint32_t v = (std::uint32_t{src[0]} << 16) | (std::uint32_t{src[1]} << 8);
    dst[0] = kAlphabet[(v >> 18) & 63];
    dst[1] = kAlphabet[(v >> 12) & 63];
    dst[2] = kAlphabet[(v >> 6) & 63];
  }
}

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  Base64UrlEncodeAppend(out, bytes);
  return out;
}

std::optional<std::size_t> Base64UrlDecodeToBuffer(std::string_view text, char* out) {
  const std::size_t full = text.size() / 4;
  const std::size_t rest = text.size() % 4;
  // RFC 4648 §3.5: a canonical encoding never leaves a single character.
  if (rest == 1) return std::nullopt;
  const char* src = text.data();
  auto* dst = reinterpret_cast<unsigned char*>(out);
  std::uint32_t bad = 0;
  std::uint32_t bad_group = 0;
  for (std::size_t i = 0; i < full; ++i, src += 4, dst += 3) {
    const std::uint32_t v = LookupShifted(src, 0) | LookupShifted(src, 1) | LookupShifted(src, 2) |
                            LookupShifted(src, 3);
    bad_group |= v;
    dst[0] = static_cast<unsigned char>(v >> 16);
    dst[1] = static_cast<unsigned char>(v >> 8);
    dst[2] = static_cast<unsigned char>(v);
  }
  if (bad_group & kShiftedInvalid) return std::nullopt;
  std::size_t size = full * 3;
  // RFC 4648 §3.5: the bits of the last character that do not make a whole
  // byte must be zero, or two texts would decode to the same bytes ("QQ" and
  // "QR" both to "A"), which lets a token be altered without changing it.
  if (rest == 2) {
    const std::uint32_t a = Lookup(src, 0), b = Lookup(src, 1);
    bad |= a | b | (b & 0x0F ? kInvalid : 0);
    dst[0] = static_cast<unsigned char>((a << 2) | (b >> 4));
    size += 1;
  } else if (rest == 3) {
    const std::uint32_t a = Lookup(src, 0), b = Lookup(src, 1), c = Lookup(src, 2);
    bad |= a | b | c | (c & 0x03 ? kInvalid : 0);
    const std::uint32_t v = (a << 10) | (b << 4) | (c >> 2);
    dst[0] = static_cast<unsigned char>(v >> 8);
    dst[1] = static_cast<unsigned char>(v);
    size += 2;
  }
  if (bad & kInvalid) return std::nullopt;
  return size;
}

bool Base64UrlDecodeInto(std::string_view text, std::string& out) {
  out.resize(Base64UrlDecodedMaxSize(text.size()));
  const std::optional<std::size_t> size = Base64UrlDecodeToBuffer(text, out.data());
  if (!size) {
    out.clear();
    return false;
  }
  out.resize(*size);
  return true;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  std::string out;
  if (!Base64UrlDecodeInto(text, out)) return std::nullopt;
  return out;
}

}  // namespace tock::internal
