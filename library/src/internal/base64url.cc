#include "internal/base64url.h"

#include <array>
#include <bit>
#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__)
#include <tmmintrin.h>
#endif
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

inline std::uint32_t ToBigEndian(std::uint32_t v) {
  if constexpr (std::endian::native == std::endian::little) return __builtin_bswap32(v);
  return v;
}

inline std::uint32_t Lookup(const char* p, std::size_t i) {
  return kDecode[static_cast<unsigned char>(p[i])];
}

inline std::uint32_t LookupShifted(const char* p, std::size_t i) {
  return kShifted[i][static_cast<unsigned char>(p[i])];
}

#if defined(__x86_64__) && defined(__GNUC__)
#define TOCK_BASE64_SSSE3 1
// DecodeBlock16 decodes 16 characters at |src| into 12 bytes at |dst|,
// writing 16 (the caller leaves room); false when any character is outside
// the alphabet. SSSE3's byte shuffle classifies each character by its two
// nibbles (Mula and Lemire, "Faster Base64 Encoding and Decoding using AVX2
// Instructions", 2018, adapted to the URL alphabet): about a third of the
// scalar cost, and base64url was the largest non-crypto step of a verify.
__attribute__((target("ssse3"), always_inline)) inline bool DecodeBlock16(const char* src,
                                                                          unsigned char* dst) {
  const __m128i in = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
  const __m128i nibble = _mm_set1_epi8(0x0F);
  const __m128i hi = _mm_and_si128(_mm_srli_epi32(in, 4), nibble);
  const __m128i lo = _mm_and_si128(in, nibble);
  // A bit per row of the ASCII table (high nibble) that has valid
  // characters; |invalid_lo| sets it for the low nibbles invalid in that
  // row. Bit 0x80 marks rows with none (and is set for every low nibble).
  //   row 2: '-' (D)   row 3: '0'-'9'   rows 4 and 6: 1-F
  //   row 5: 0-A, '_' (F)   row 7: 0-A
  const __m128i row_bit = _mm_setr_epi8(-128, -128, 0x01, 0x02, 0x04, 0x08, 0x04, 0x10, -128, -128,
                                        -128, -128, -128, -128, -128, -128);
  const __m128i invalid_lo = _mm_setr_epi8(
      -128 | 0x01 | 0x04, -128 | 0x01, -128 | 0x01, -128 | 0x01, -128 | 0x01, -128 | 0x01,
      -128 | 0x01, -128 | 0x01, -128 | 0x01, -128 | 0x01, -128 | 0x01 | 0x02,
      -128 | 0x01 | 0x02 | 0x08 | 0x10, -128 | 0x01 | 0x02 | 0x08 | 0x10, -128 | 0x02 | 0x08 | 0x10,
      -128 | 0x01 | 0x02 | 0x08 | 0x10, -128 | 0x01 | 0x02 | 0x10);
  const __m128i bad =
      _mm_and_si128(_mm_shuffle_epi8(row_bit, hi), _mm_shuffle_epi8(invalid_lo, lo));
  if (_mm_movemask_epi8(_mm_cmpeq_epi8(bad, _mm_setzero_si128())) != 0xFFFF) return false;
  // The offset to add, by row; '_' shares row 5 with 'P'-'Z' and has its own.
  const __m128i row_offset = _mm_setr_epi8(0, 0, 17, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m128i underscore = _mm_cmpeq_epi8(in, _mm_set1_epi8('_'));
  const __m128i offset =
      _mm_or_si128(_mm_andnot_si128(underscore, _mm_shuffle_epi8(row_offset, hi)),
                   _mm_and_si128(underscore, _mm_set1_epi8(-32)));
  const __m128i sextets = _mm_add_epi8(in, offset);
  // a, b, c, d -> a << 18 | b << 12 | c << 6 | d in each 32-bit lane.
  const __m128i pairs = _mm_maddubs_epi16(sextets, _mm_set1_epi32(0x01400140));
  const __m128i groups = _mm_madd_epi16(pairs, _mm_set1_epi32(0x00011000));
  // Each lane's three low bytes, big-endian, packed into 12 bytes.
  const __m128i packed = _mm_shuffle_epi8(
      groups, _mm_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), packed);
  return true;
}

// DecodeBlocks decodes |blocks| blocks of 16 characters; false when one has
// a character outside the alphabet. One call for all blocks, so the tables
// stay in registers.
__attribute__((target("ssse3"))) bool DecodeBlocks(const char* src, unsigned char* dst,
                                                   std::size_t blocks) {
  for (std::size_t b = 0; b < blocks; ++b, src += 16, dst += 12) {
    if (!DecodeBlock16(src, dst)) return false;
  }
  return true;
}

// EncodeBlocks writes 16 characters for each 12 bytes of |src| while at
// least 16 bytes are readable (a block loads 16); returns the bytes encoded.
// The spread, the multiplies and the offset table are Mula's SSSE3 encoder
// (same paper as above), with '-' and '_' for the URL alphabet.
__attribute__((target("ssse3"))) std::size_t EncodeBlocks(const unsigned char* src,
                                                          std::size_t size, char* dst) {
  const __m128i spread = _mm_set_epi8(10, 11, 9, 10, 7, 8, 6, 7, 4, 5, 3, 4, 1, 2, 0, 1);
  const __m128i offsets =
      _mm_setr_epi8('a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
                    '0' - 52, '0' - 52, '0' - 52, '-' - 62, '_' - 63, 'A', 0, 0);
  std::size_t done = 0;
  for (; done + 16 <= size; done += 12, dst += 16) {
    const __m128i in =
        _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + done)), spread);
    // Each 32-bit lane holds one group's 3 bytes; move its four 6-bit
    // fields into four bytes.
    const __m128i high =
        _mm_mulhi_epu16(_mm_and_si128(in, _mm_set1_epi32(0x0fc0fc00)), _mm_set1_epi32(0x04000040));
    const __m128i low =
        _mm_mullo_epi16(_mm_and_si128(in, _mm_set1_epi32(0x003f03f0)), _mm_set1_epi32(0x01000010));
    const __m128i sextets = _mm_or_si128(high, low);
    // 0-25 -> offset 13 ('A'), 26-51 -> 0 ('a' - 26), 52-63 -> 1-12.
    __m128i row = _mm_subs_epu8(sextets, _mm_set1_epi8(51));
    row = _mm_or_si128(
        row, _mm_and_si128(_mm_cmpgt_epi8(_mm_set1_epi8(26), sextets), _mm_set1_epi8(13)));
    const __m128i chars = _mm_add_epi8(_mm_shuffle_epi8(offsets, row), sextets);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), chars);
  }
  return done;
}

bool HasSsse3() {
  static const bool has = __builtin_cpu_supports("ssse3");
  return has;
}
#endif

}  // namespace

void Base64UrlEncodeAppend(std::string& out, std::string_view bytes) {
  const std::size_t full = bytes.size() / 3;
  const std::size_t rest = bytes.size() % 3;
  std::size_t pos = out.size();
  out.resize(pos + Base64UrlEncodedSize(bytes.size()));
  char* dst = out.data() + pos;
  const auto* src = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t i = 0;
#if defined(TOCK_BASE64_SSSE3)
  if (bytes.size() >= 16 && HasSsse3()) {
    const std::size_t done = EncodeBlocks(src, bytes.size(), dst);
    i = done / 3;
    src += done;
    dst += done / 3 * 4;
  }
#endif
  for (; i < full; ++i, src += 3, dst += 4) {
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
  std::size_t i = 0;
#if defined(TOCK_BASE64_SSSE3)
  // A block writes 16 bytes for 12; at least one group must follow it so
  // the 4 extra stay inside Base64UrlDecodedMaxSize (the group overwrites 3).
  if (full >= 5 && HasSsse3()) {
    const std::size_t blocks = (full - 1) / 4;
    if (!DecodeBlocks(src, dst, blocks)) return std::nullopt;
    i = blocks * 4;
    src += blocks * 16;
    dst += blocks * 12;
  }
#endif
  for (; i < full; ++i, src += 4, dst += 3) {
    const std::uint32_t v = LookupShifted(src, 0) | LookupShifted(src, 1) | LookupShifted(src, 2) |
                            LookupShifted(src, 3);
    bad_group |= v;
    // One 4-byte store of the 3 bytes, big-endian, and one spare byte the
    // next group (or the tail) overwrites. It stays inside the caller's
    // Base64UrlDecodedMaxSize bytes: full * 3 + 1 <= size / 4 * 3 + 2.
    const std::uint32_t bytes = ToBigEndian(v << 8);
    std::memcpy(dst, &bytes, 4);
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
