// Tests for internal/ecdsa_der.h: R||S <-> DER ECDSA-Sig-Value, checked byte
// for byte on edge cases and against OpenSSL's own encoder and decoder.
#include "internal/ecdsa_der.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>

#include <algorithm>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace tock {
namespace {

using Bytes = std::vector<unsigned char>;

// ToRaw parses |der| into R||S of 2 * |width| bytes; nullopt when rejected.
std::optional<Bytes> ToRaw(const Bytes& der, std::size_t width) {
  Bytes raw(2 * width, 0xEE);
  if (!internal::EcdsaDerToRaw(der, raw)) return std::nullopt;
  return raw;
}

Bytes ToDer(const Bytes& raw) {
  unsigned char der[internal::kMaxEcdsaDerSize];
  const std::size_t length = internal::EcdsaRawToDer(
      std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()), der);
  return Bytes(der, der + length);
}

// OpenSslDer is i2d_ECDSA_SIG of R||S: the reference encoder.
Bytes OpenSslDer(const Bytes& raw) {
  const int half = static_cast<int>(raw.size() / 2);
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(raw.data(), half, nullptr),
                 BN_bin2bn(raw.data() + half, half, nullptr));
  unsigned char* der = nullptr;
  const int length = i2d_ECDSA_SIG(sig, &der);
  Bytes out(der, der + length);
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  return out;
}

// Integer is R or S of |width| bytes: |value| right-aligned, zeros before.
Bytes Integer(std::size_t width, const Bytes& value) {
  Bytes out(width - value.size(), 0x00);
  out.insert(out.end(), value.begin(), value.end());
  return out;
}

Bytes Concat(const Bytes& a, const Bytes& b) {
  Bytes out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

Bytes RandomRaw(std::mt19937& rng, std::size_t width) {
  Bytes raw(2 * width);
  for (unsigned char& b : raw) b = static_cast<unsigned char>(rng());
  // Exercise short integers and sign bytes: sometimes zero the top bytes,
  // sometimes set the top bit.
  const unsigned shape = rng() % 4;
  for (std::size_t half : {std::size_t{0}, width}) {
    if (shape == 1) raw[half] = 0x00;
    if (shape == 2) std::fill_n(raw.begin() + half, width / 2, 0x00);
    if (shape == 3) raw[half] |= 0x80;
    if (raw[half + width - 1] == 0) raw[half + width - 1] = 1;  // never zero
  }
  return raw;
}

TEST(EcdsaDerToRaw, SmallIntegersAreLeftPadded) {
  const Bytes der = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x7F};
  EXPECT_EQ(ToRaw(der, 32), Concat(Integer(32, {0x01}), Integer(32, {0x7F})));
}

TEST(EcdsaDerToRaw, SignByteBeforeHighBitIsStripped) {
  const Bytes r(32, 0x81);  // top bit set: DER needs a 0x00 sign byte
  Bytes s(32, 0x02);
  s[0] = 0x7F;
  Bytes der = {0x30, 0x45, 0x02, 0x21, 0x00};
  der.insert(der.end(), r.begin(), r.end());
  der.insert(der.end(), {0x02, 0x20});
  der.insert(der.end(), s.begin(), s.end());
  EXPECT_EQ(ToRaw(der, 32), Concat(r, s));
  EXPECT_EQ(ToDer(Concat(r, s)), der);
}

TEST(EcdsaDerToRaw, P521LongFormLengthAccepted) {
  // A P-521 signature whose body is 136 bytes: 0x81 0x88.
  Bytes r = Integer(66, {});
  r[0] = 0x01;
  r[65] = 0x23;
  const Bytes raw = Concat(r, r);
  const Bytes der = OpenSslDer(raw);
  ASSERT_EQ(der[1], 0x81);
  ASSERT_EQ(der[2], 136);
  EXPECT_EQ(ToRaw(der, 66), raw);
  EXPECT_EQ(ToDer(raw), der);
}

TEST(EcdsaDerToRaw, NonMinimalLengthsRejected) {
  // The short body of SmallIntegersAreLeftPadded with a long-form length.
  EXPECT_EQ(ToRaw({0x30, 0x81, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x7F}, 32), std::nullopt);
  // Two length bytes, an indefinite length, an INTEGER with a long form.
  EXPECT_EQ(ToRaw({0x30, 0x82, 0x00, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x7F}, 32), std::nullopt);
  EXPECT_EQ(ToRaw({0x30, 0x80, 0x02, 0x01, 0x01, 0x02, 0x01, 0x7F, 0x00, 0x00}, 32), std::nullopt);
  EXPECT_EQ(ToRaw({0x30, 0x07, 0x02, 0x81, 0x01, 0x01, 0x02, 0x01, 0x7F}, 32), std::nullopt);
}

TEST(EcdsaDerToRaw, NonMinimalNegativeOrZeroIntegersRejected) {
  // 0x00 before a byte without the top bit.
  EXPECT_EQ(ToRaw({0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x7F}, 32), std::nullopt);
  // Negative r.
  EXPECT_EQ(ToRaw({0x30, 0x06, 0x02, 0x01, 0x80, 0x02, 0x01, 0x7F}, 32), std::nullopt);
  // Zero s, and an empty INTEGER.
  EXPECT_EQ(ToRaw({0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00}, 32), std::nullopt);
  EXPECT_EQ(ToRaw({0x30, 0x05, 0x02, 0x01, 0x01, 0x02, 0x00}, 32), std::nullopt);
}

TEST(EcdsaDerToRaw, IntegerWiderThanCoordinateRejected) {
  // 33 value bytes for a 32-byte coordinate (not a sign byte: 0x01 first).
  Bytes der = {0x30, 0x26, 0x02, 0x21};
  der.insert(der.end(), 33, 0x01);
  der.insert(der.end(), {0x02, 0x01, 0x01});
  EXPECT_EQ(ToRaw(der, 32), std::nullopt);
  // The same integer fits a 48-byte coordinate.
  EXPECT_EQ(ToRaw(der, 48), Concat(Integer(48, Bytes(33, 0x01)), Integer(48, {0x01})));
}

TEST(EcdsaDerToRaw, TruncatedOrTrailingBytesRejected) {
  const Bytes der = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x7F};
  for (std::size_t n = 0; n < der.size(); ++n) {
    EXPECT_EQ(ToRaw(Bytes(der.begin(), der.begin() + n), 32), std::nullopt) << n << " bytes";
  }
  EXPECT_EQ(ToRaw(Concat(der, {0x00}), 32), std::nullopt);
  // A SEQUENCE length that covers less than the two INTEGERs, or more.
  EXPECT_EQ(ToRaw({0x30, 0x05, 0x02, 0x01, 0x01, 0x02, 0x01, 0x7F}, 32), std::nullopt);
  EXPECT_EQ(ToRaw({0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x01, 0x7F}, 32), std::nullopt);
}

TEST(EcdsaDerToRaw, WrongTagsOrCountRejected) {
  EXPECT_EQ(ToRaw({0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x7F}, 32), std::nullopt);
  EXPECT_EQ(ToRaw({0x30, 0x06, 0x03, 0x01, 0x01, 0x02, 0x01, 0x7F}, 32), std::nullopt);
  EXPECT_EQ(ToRaw({0x30, 0x03, 0x02, 0x01, 0x01}, 32), std::nullopt);
  EXPECT_EQ(ToRaw({0x30, 0x09, 0x02, 0x01, 0x01, 0x02, 0x01, 0x7F, 0x02, 0x01, 0x01}, 32),
            std::nullopt);
  EXPECT_EQ(ToRaw({}, 32), std::nullopt);
}

TEST(EcdsaDerToRaw, InvalidWidthRejected) {
  const Bytes der = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x7F};
  Bytes odd(65);
  EXPECT_FALSE(internal::EcdsaDerToRaw(der, odd));
  EXPECT_FALSE(internal::EcdsaDerToRaw(der, std::span<unsigned char>()));
  Bytes too_wide(2 * 67);
  EXPECT_FALSE(internal::EcdsaDerToRaw(der, too_wide));
}

TEST(EcdsaRawToDer, InvalidRawLengthGivesZero) {
  unsigned char der[internal::kMaxEcdsaDerSize];
  EXPECT_EQ(internal::EcdsaRawToDer("", der), 0u);
  EXPECT_EQ(internal::EcdsaRawToDer(std::string(63, 'a'), der), 0u);
  EXPECT_EQ(internal::EcdsaRawToDer(std::string(134, 'a'), der), 0u);
}

TEST(EcdsaRawToDer, WidestInputFillsTheBound) {
  // Both 66-byte integers with the top bit set: two sign bytes, long form.
  const Bytes raw(132, 0xFF);
  const Bytes der = ToDer(raw);
  EXPECT_EQ(der.size(), internal::kMaxEcdsaDerSize);
  EXPECT_EQ(der, OpenSslDer(raw));
  EXPECT_EQ(ToRaw(der, 66), raw);
}

// Differential: for random R||S of every JOSE width, the encoder matches
// i2d_ECDSA_SIG byte for byte and the parser gives R||S back.
TEST(EcdsaDer, RandomValuesMatchOpenSslBothWays) {
  std::mt19937 rng(20260612);
  for (std::size_t width : {32, 48, 66}) {
    for (int i = 0; i < 500; ++i) {
      const Bytes raw = RandomRaw(rng, width);
      const Bytes der = ToDer(raw);
      ASSERT_EQ(der, OpenSslDer(raw)) << "width " << width << ", case " << i;
      ASSERT_EQ(ToRaw(der, width), raw) << "width " << width << ", case " << i;
    }
  }
}

// Strictness: a mutated DER is either rejected or is the canonical encoding
// of what it parsed to (no second encoding of one signature is accepted),
// and the parser never reads outside the input (run under ASan).
TEST(EcdsaDer, MutatedInputIsRejectedOrCanonical) {
  std::mt19937 rng(7518);
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::size_t width = (i % 3 == 0) ? 32 : (i % 3 == 1) ? 48 : 66;
    Bytes der = ToDer(RandomRaw(rng, width));
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = rng() % der.size();
      switch (rng() % 3) {
        case 0:
          der[at] = static_cast<unsigned char>(rng());
          break;
        case 1:
          der.erase(der.begin() + static_cast<std::ptrdiff_t>(at));
          break;
        default:
          der.insert(der.begin() + static_cast<std::ptrdiff_t>(at),
                     static_cast<unsigned char>(rng()));
      }
      if (der.empty()) break;
    }
    if (const std::optional<Bytes> raw = ToRaw(der, width)) {
      ++accepted;
      ASSERT_EQ(ToDer(*raw), der) << "case " << i;
    }
  }
  // Value bytes changed in place keep the structure: some must be accepted.
  EXPECT_GT(accepted, 100);
}

}  // namespace
}  // namespace tock
