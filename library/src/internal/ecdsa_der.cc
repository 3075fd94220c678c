#include "internal/ecdsa_der.h"

#include <cstring>

namespace tock::internal {
namespace {

constexpr unsigned char kSequenceTag = 0x30;
constexpr unsigned char kIntegerTag = 0x02;
// X.690 §8.1.3.5: 0x81 announces one length byte (the long form).
constexpr unsigned char kLongFormOneByte = 0x81;

// AppendDerInteger writes the n-byte big-endian unsigned |p| as a minimal
// DER INTEGER (X.690 §8.3) at |out| and returns its length: leading zero
// bytes dropped, one 0x00 added when the top bit is set. n <= 66, so the
// length always fits the short form.
std::size_t AppendDerInteger(const unsigned char* p, std::size_t n, unsigned char* out) {
  while (n > 1 && *p == 0) {
    ++p;
    --n;
  }
  const std::size_t pad = (*p & 0x80) != 0 ? 1 : 0;
  out[0] = kIntegerTag;
  out[1] = static_cast<unsigned char>(n + pad);
  out[2] = 0x00;
  std::memcpy(out + 2 + pad, p, n);
  return 2 + pad + n;
}

// ReadDerInteger parses one INTEGER at the front of |in| into |out|
// (left-padded to out.size() bytes) and advances |in| past it. Rejects the
// long form (an r or s of at most 66 bytes never needs it), empty, negative,
// zero and non-minimal encodings (a 0x00 sign byte must be followed by a
// byte with the top bit set: X.690 §8.3.2), and values wider than |out|.
bool ReadDerInteger(std::span<const unsigned char>& in, std::span<unsigned char> out) {
  if (in.size() < 2 || in[0] != kIntegerTag) return false;
  const std::size_t length = in[1];
  if (length == 0 || length >= 0x80 || in.size() - 2 < length) return false;
  std::span<const unsigned char> value = in.subspan(2, length);
  in = in.subspan(2 + length);
  if ((value[0] & 0x80) != 0) return false;  // negative
  if (value[0] == 0x00) {
    if (value.size() == 1) return false;       // zero: never a valid r or s
    if ((value[1] & 0x80) == 0) return false;  // a 0x00 the value did not need
    value = value.subspan(1);
  }
  if (value.size() > out.size()) return false;
  const std::size_t pad = out.size() - value.size();
  std::memset(out.data(), 0, pad);
  std::memcpy(out.data() + pad, value.data(), value.size());
  return true;
}

}  // namespace

std::size_t EcdsaRawToDer(std::string_view raw, std::span<unsigned char, kMaxEcdsaDerSize> der) {
  const std::size_t width = raw.size() / 2;
  if (width == 0 || width > kMaxEcdsaCoordinate || raw.size() != 2 * width) return 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  unsigned char body[2 * (3 + kMaxEcdsaCoordinate)];
  std::size_t body_length = AppendDerInteger(bytes, width, body);
  body_length += AppendDerInteger(bytes + width, width, body + body_length);
  // P-521 bodies can exceed 127 bytes: DER's long form with one length byte.
  const std::size_t header = body_length < 0x80 ? 2 : 3;
  der[0] = kSequenceTag;
  if (header == 2) {
    der[1] = static_cast<unsigned char>(body_length);
  } else {
    der[1] = kLongFormOneByte;
    der[2] = static_cast<unsigned char>(body_length);
  }
  std::memcpy(der.data() + header, body, body_length);
  return header + body_length;
}

bool EcdsaDerToRaw(std::span<const unsigned char> der, std::span<unsigned char> raw) {
  const std::size_t width = raw.size() / 2;
  if (width == 0 || width > kMaxEcdsaCoordinate || raw.size() != 2 * width) return false;
  if (der.size() < 2 || der[0] != kSequenceTag) return false;
  std::size_t header = 2;
  std::size_t body_length = der[1];
  if (der[1] == kLongFormOneByte) {
    // DER (X.690 §10.1): the long form only for lengths the short form
    // cannot hold.
    if (der.size() < 3 || der[2] < 0x80) return false;
    header = 3;
    body_length = der[2];
  } else if (der[1] >= 0x80) {
    return false;  // indefinite, or a long form with more length bytes
  }
  if (der.size() != header + body_length) return false;  // truncated or trailing bytes
  std::span<const unsigned char> body = der.subspan(header);
  return ReadDerInteger(body, raw.first(width)) && ReadDerInteger(body, raw.subspan(width)) &&
         body.empty();
}

}  // namespace tock::internal
