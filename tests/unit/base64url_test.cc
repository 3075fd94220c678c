#include "internal/base64url.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>

namespace tock::internal {
namespace {

struct Vector {
  const char* bytes;
  const char* text;
};

// RFC 4648 §10 test vectors, without their padding (RFC 7515 §2).
constexpr Vector kRfc4648Vectors[] = {
    {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
    {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
};

TEST(Base64Url, Rfc4648VectorsEncode) {
  for (const Vector& v : kRfc4648Vectors) {
    EXPECT_EQ(Base64UrlEncode(v.bytes), v.text) << v.bytes;
  }
}

TEST(Base64Url, Rfc4648VectorsDecode) {
  for (const Vector& v : kRfc4648Vectors) {
    EXPECT_EQ(Base64UrlDecode(v.text), std::optional<std::string>(v.bytes)) << v.text;
  }
}

TEST(Base64Url, UrlAlphabetUsesDashAndUnderscore) {
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(Base64UrlDecode("-_8"), std::optional<std::string>("\xfb\xff"));
}

TEST(Base64Url, EveryByteValueRoundTrips) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (std::size_t n = 0; n <= bytes.size(); n += 37) {
    const std::string slice = bytes.substr(bytes.size() - n);
    const std::string text = Base64UrlEncode(slice);
    EXPECT_EQ(text.size(), Base64UrlEncodedSize(slice.size()));
    EXPECT_EQ(Base64UrlDecode(text), std::optional<std::string>(slice)) << text;
  }
}

TEST(Base64Url, EncodeAppendKeepsPrefix) {
  std::string out = "x.";
  Base64UrlEncodeAppend(out, "foo");
  EXPECT_EQ(out, "x.Zm9v");
}

TEST(Base64Url, PaddingIsRejected) {
  EXPECT_EQ(Base64UrlDecode("Zg=="), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Zm8="), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Zg="), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Zm9v===="), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Z=9v"), std::nullopt);
}

TEST(Base64Url, StandardAlphabetIsRejected) {
  EXPECT_EQ(Base64UrlDecode("+_8"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("-/8"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Zm9v+w"), std::nullopt);
}

TEST(Base64Url, WhitespaceIsRejected) {
  EXPECT_EQ(Base64UrlDecode("Zm9v Yg"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Zm9v\nYg"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Zm9vYg\r\n"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode(" Zm9v"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Zm9\tv"), std::nullopt);
}

TEST(Base64Url, OtherBytesOutsideAlphabetAreRejected) {
  for (const std::string& text :
       {std::string("Zm.v"), std::string("Zm9v\0", 5), std::string("Zm9\x80"),
        std::string("Zm9\xff"), std::string("Zm9!"), std::string("Zm9~")}) {
    EXPECT_EQ(Base64UrlDecode(text), std::nullopt) << text;
  }
}

TEST(Base64Url, LengthOneMoreThanMultipleOfFourIsRejected) {
  EXPECT_EQ(Base64UrlDecode("Z"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Zm9vY"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Zm9vYmFyZ"), std::nullopt);
}

TEST(Base64Url, NonZeroTrailingBitsAreRejected) {
  EXPECT_EQ(Base64UrlDecode("QQ"), std::optional<std::string>("A"));
  EXPECT_EQ(Base64UrlDecode("QR"), std::nullopt);  // would also decode to "A"
  EXPECT_EQ(Base64UrlDecode("QUI"), std::optional<std::string>("AB"));
  EXPECT_EQ(Base64UrlDecode("QUJ"), std::nullopt);  // would also decode to "AB"
  EXPECT_EQ(Base64UrlDecode("Zm9vYh"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Zm9vYmF"), std::nullopt);
}

// Every two-character text decodes only if it is the encoding of its result,
// so no two accepted texts name the same bytes.
TEST(Base64Url, EveryAcceptedTwoCharTextIsCanonical) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const std::optional<std::string> all = Base64UrlDecode(alphabet);
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(Base64UrlEncode(*all), alphabet);
  int accepted = 0;
  for (char a : alphabet) {
    for (char b : alphabet) {
      const std::string text = {a, b};
      const std::optional<std::string> bytes = Base64UrlDecode(text);
      if (bytes) {
        ++accepted;
        EXPECT_EQ(Base64UrlEncode(*bytes), text);
      }
    }
  }
  EXPECT_EQ(accepted, 256);
}

TEST(Base64Url, DecodeIntoReplacesContentsAndClearsOnFailure) {
  std::string out = "previous";
  EXPECT_TRUE(Base64UrlDecodeInto("Zm9v", out));
  EXPECT_EQ(out, "foo");
  EXPECT_FALSE(Base64UrlDecodeInto("Zm9v=", out));
  EXPECT_EQ(out, "");
  EXPECT_TRUE(Base64UrlDecodeInto("", out));
  EXPECT_EQ(out, "");
}

TEST(Base64Url, DecodeToBufferReturnsSize) {
  char buffer[Base64UrlDecodedMaxSize(7)];
  EXPECT_EQ(Base64UrlDecodeToBuffer("Zm9vYmE", buffer), std::optional<std::size_t>(5));
  EXPECT_EQ(std::string(buffer, 5), "fooba");
  EXPECT_EQ(Base64UrlDecodeToBuffer("Zm9vYm=", buffer), std::nullopt);
}

// ReferenceDecode is the RFC 4648 definition, bit by bit: the decoder's
// 16-character SIMD blocks and its scalar groups must both agree with it.
std::optional<std::string> ReferenceDecode(std::string_view text) {
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    const std::size_t value = kAlphabet.find(c);
    if (value == std::string_view::npos) return std::nullopt;
    bits = bits << 6 | static_cast<std::uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>(bits >> count & 0xFF);
    }
  }
  if ((bits & ((1u << count) - 1)) != 0) return std::nullopt;  // non-canonical tail
  return out;
}

TEST(Base64Url, DecodeAgreesWithTheDefinitionOnRandomInput) {
  std::mt19937 random(20261130);
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  int valid = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text(random() % 80, 'A');
    for (char& c : text) c = kAlphabet[random() % 64];
    // Half the texts get one byte from anywhere, at any position (so also
    // inside the SIMD blocks): 0x80-0xFF, '=', '+', '/', '.', spaces...
    if (round % 2 == 1 && !text.empty()) {
      text[random() % text.size()] = static_cast<char>(random() % 256);
    }
    const std::optional<std::string> expected = ReferenceDecode(text);
    EXPECT_EQ(Base64UrlDecode(text), expected) << text;
    valid += expected.has_value();
  }
  EXPECT_GT(valid, 3000);  // both outcomes are well exercised
  EXPECT_LT(valid, 15000);
}

TEST(Base64Url, EveryByteValueInEveryBlockPositionIsClassified) {
  const std::string base(40, 'Q');  // two SIMD blocks and a scalar tail
  for (std::size_t at : {0u, 7u, 15u, 16u, 31u, 35u}) {
    for (int byte = 0; byte < 256; ++byte) {
      std::string text = base;
      text[at] = static_cast<char>(byte);
      EXPECT_EQ(Base64UrlDecode(text), ReferenceDecode(text)) << at << " " << byte;
    }
  }
}

// ReferenceEncode is RFC 4648 §5 bit by bit, without padding.
std::string ReferenceEncode(std::string_view bytes) {
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : bytes) {
    bits = bits << 8 | static_cast<unsigned char>(c);
    count += 8;
    while (count >= 6) {
      count -= 6;
      out += kAlphabet[bits >> count & 63];
    }
  }
  if (count > 0) out += kAlphabet[bits << (6 - count) & 63];
  return out;
}

TEST(Base64Url, EncodeAgreesWithTheDefinitionOnRandomBytes) {
  std::mt19937 random(7638);
  for (int round = 0; round < 5000; ++round) {
    std::string bytes(random() % 200, '\0');  // short ones take the scalar path only
    for (char& c : bytes) c = static_cast<char>(random() % 256);
    const std::string expected = ReferenceEncode(bytes);
    std::string appended = "prefix.";
    Base64UrlEncodeAppend(appended, bytes);
    ASSERT_EQ(appended, "prefix." + expected) << round;
    ASSERT_EQ(Base64UrlDecode(expected), std::optional<std::string>(bytes)) << round;
  }
}

TEST(Base64Url, EncodeCoversEveryCharacterInEveryBlockLane) {
  // 48 bytes whose 64 sextets are 0..63 in order: every value in every lane.
  std::string bytes;
  for (int i = 0; i < 64; i += 4) {
    const std::uint32_t group =
        static_cast<std::uint32_t>(i << 18 | (i + 1) << 12 | (i + 2) << 6 | (i + 3));
    bytes += static_cast<char>(group >> 16);
    bytes += static_cast<char>(group >> 8 & 0xFF);
    bytes += static_cast<char>(group & 0xFF);
  }
  EXPECT_EQ(Base64UrlEncode(bytes),
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
}

}  // namespace
}  // namespace tock::internal
