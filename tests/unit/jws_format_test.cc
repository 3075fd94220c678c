#include "internal/jws_format.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "internal/base64url.h"
#include "internal/json.h"
#include "tock/limits.h"

namespace tock::internal {
namespace {

// RFC 7515 Appendix A.1: an HS256 JWS whose header has a CRLF inside.
constexpr char kRfc7515A1[] =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0"
    "cnVlfQ"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

std::string Token(std::string_view header, std::string_view payload,
                  std::string_view signature = "sig") {
  return SerializeCompact(header, payload, signature);
}

Error ParseError(std::string_view compact, std::size_t max_bytes = kDefaultMaxTokenBytes) {
  auto result = ParseCompact(compact, max_bytes);
  EXPECT_FALSE(result.ok()) << compact;
  if (result.ok()) return Error(ErrorCode::kUsage, "parsed");
  return result.error();
}

void ExpectError(std::string_view compact, ErrorCode code, std::string_view message) {
  const Error error = ParseError(compact);
  EXPECT_EQ(error.code(), code) << compact << ": " << error.message();
  EXPECT_EQ(error.message(), message) << compact;
}

TEST(JwsFormat, Rfc7515A1Parses) {
  auto result = ParseCompact(kRfc7515A1, kDefaultMaxTokenBytes);
  ASSERT_TRUE(result.ok()) << result.error().message();
  const ParsedToken& t = **result;
  EXPECT_EQ(t.compact, kRfc7515A1);
  EXPECT_EQ(FindString(t.header(), "alg"), std::optional<std::string_view>("HS256"));
  EXPECT_EQ(FindNumber(t.payload(), "exp"), std::optional<double>(1300819380));
  EXPECT_EQ(t.payload().at("http://example.com/is_root"), true);
  EXPECT_EQ(t.field(HeaderField::kAlg).text, "HS256");
  EXPECT_EQ(t.claim(ClaimField::kExp).number, 1300819380);
  EXPECT_EQ(t.header_part, "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9");
  EXPECT_EQ(t.signature_part, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  EXPECT_EQ(t.signing_input, std::string(kRfc7515A1).substr(0, t.compact.rfind('.')));
  EXPECT_EQ(t.payload_part.data(), t.header_part.data() + t.header_part.size() + 1);
  EXPECT_EQ(t.signature.size(), 32u);
  EXPECT_EQ(Base64UrlEncode(t.signature), t.signature_part);
}

TEST(JwsFormat, PartsPointIntoOwnedCopy) {
  std::string text = Token(R"({"alg":"HS256"})", R"({"sub":"a"})");
  auto result = ParseCompact(text, kDefaultMaxTokenBytes);
  ASSERT_TRUE(result.ok());
  text.assign(text.size(), 'x');  // the caller's buffer may go away
  const ParsedToken& t = **result;
  EXPECT_EQ(t.header_part.data(), t.compact.data());
  EXPECT_EQ(t.signature, "sig");
  EXPECT_EQ(FindString(t.payload(), "sub"), std::optional<std::string_view>("a"));
  EXPECT_EQ(t.claim(ClaimField::kSub).text, "a");
}

TEST(JwsFormat, RecordsRegisteredMembersWithoutDom) {
  auto result = ParseCompact(
      Token(R"({"alg":"ES256","kid":"k\u0031","crit":["b64"]})",
            R"({"iss":"https:\/\/a.example","aud":["x","y"],"exp":1.5e9,"nbf":7,"iat":null,)"
            R"("sub":{"iss":"inner"},"jti":[1],"x":{"aud":"inner"}})"),
      kDefaultMaxTokenBytes);
  ASSERT_TRUE(result.ok()) << result.error().message();
  const ParsedToken& t = **result;
  EXPECT_EQ(t.field(HeaderField::kAlg).text, "ES256");
  EXPECT_EQ(t.field(HeaderField::kKid).text, "k1");  // unescaped
  EXPECT_EQ(t.field(HeaderField::kTyp).kind, JsonKind::kAbsent);
  ASSERT_EQ(t.field(HeaderField::kCrit).kind, JsonKind::kArray);
  EXPECT_EQ(t.claim(ClaimField::kIss).text, "https://a.example");
  const auto aud = t.claims.Strings(t.claim(ClaimField::kAud));
  ASSERT_TRUE(aud.has_value());
  EXPECT_EQ(std::vector<std::string_view>(aud->begin(), aud->end()),
            (std::vector<std::string_view>{"x", "y"}));
  EXPECT_EQ(t.claim(ClaimField::kExp).number, 1.5e9);
  EXPECT_EQ(t.claim(ClaimField::kNbf).number, 7);
  EXPECT_EQ(t.claim(ClaimField::kIat).kind, JsonKind::kNull);
  // Nested members never overwrite top-level ones.
  EXPECT_EQ(t.claim(ClaimField::kSub).kind, JsonKind::kObject);
  EXPECT_EQ(t.claim(ClaimField::kJti).kind, JsonKind::kArray);
  EXPECT_FALSE(t.claims.Strings(t.claim(ClaimField::kJti)).has_value());
}

TEST(JwsFormat, LongOrMixedArraysAreNotRecordedAsStrings) {
  auto result = ParseCompact(Token(R"({"alg":"HS256","crit":["a",["b"],"c"]})",
                                   R"({"aud":["1","2","3","4","5","6","7","8","9"]})"),
                             kDefaultMaxTokenBytes);
  ASSERT_TRUE(result.ok()) << result.error().message();
  const ParsedToken& t = **result;
  EXPECT_EQ(t.field(HeaderField::kCrit).size, 3u);
  EXPECT_FALSE(t.field(HeaderField::kCrit).strings_only);
  EXPECT_FALSE(t.header_fields.Strings(t.field(HeaderField::kCrit)).has_value());
  EXPECT_EQ(t.claim(ClaimField::kAud).size, 9u);
  EXPECT_TRUE(t.claim(ClaimField::kAud).strings_only);
  EXPECT_FALSE(t.claims.Strings(t.claim(ClaimField::kAud)).has_value());
  EXPECT_EQ(t.payload().at("aud").as_array().size(), 9u);  // the DOM has them all
}

TEST(JwsFormat, DomBuiltLazilyMatchesDomBuiltInOnePass) {
  const std::string token =
      Token(R"({"alg":"HS256","typ":"JWT"})", R"({"sub":"a","n":[1,2.5,{"k":"v"}],"exp":1e3})");
  auto lazy = ParseCompact(token, kDefaultMaxTokenBytes);
  auto eager = ParseCompact(token, kDefaultMaxTokenBytes, /*build_dom=*/true);
  ASSERT_TRUE(lazy.ok() && eager.ok());
  EXPECT_EQ(SerializeJson((*lazy)->payload()), SerializeJson((*eager)->payload()));
  EXPECT_EQ(SerializeJson((*lazy)->header()), SerializeJson((*eager)->header()));
  EXPECT_EQ((*eager)->claim(ClaimField::kExp).number, 1000);
}

TEST(JwsFormat, LargeTokenStorageLeavesTheInlineBuffer) {
  const std::string big(3000, 'x');
  auto result = ParseCompact(Token(R"({"alg":"HS256"})", R"({"sub":")" + big + R"("})"),
                             kDefaultMaxTokenBytes);
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_EQ((*result)->claim(ClaimField::kSub).text, big);
}

TEST(JwsFormat, EmptySignaturePartIsAllowed) {
  auto result = ParseCompact(Token(R"({"alg":"none"})", "{}", ""), kDefaultMaxTokenBytes);
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_EQ((*result)->signature, "");
  EXPECT_EQ((*result)->signature_part, "");
}

TEST(JwsFormat, OverLimitIsTooLarge) {
  ExpectError(std::string(20000, 'a'), ErrorCode::kTooLarge,
              "token is 20000 bytes; the limit is 16384");
}

TEST(JwsFormat, SizeIsCheckedBeforeStructure) {
  const Error error = ParseError("a b", 2);
  EXPECT_EQ(error.code(), ErrorCode::kTooLarge);
  EXPECT_EQ(error.message(), "token is 3 bytes; the limit is 2");
}

TEST(JwsFormat, AtLimitIsNotTooLarge) {
  const std::string token = Token(R"({"alg":"HS256"})", "{}");
  EXPECT_TRUE(ParseCompact(token, token.size()).ok());
  EXPECT_EQ(ParseError(token, token.size() - 1).code(), ErrorCode::kTooLarge);
}

TEST(JwsFormat, EmptyIsMalformed) { ExpectError("", ErrorCode::kMalformed, "token is empty"); }

TEST(JwsFormat, WrongPartCountIsMalformed) {
  ExpectError("abc", ErrorCode::kMalformed, "token has 1 part separated by dots; a JWS has 3");
  ExpectError("e30.e30", ErrorCode::kMalformed, "token has 2 parts separated by dots; a JWS has 3");
  ExpectError("e30.e30.e30.e30", ErrorCode::kMalformed,
              "token has 4 parts separated by dots; a JWS has 3");
  ExpectError("e30.e30.e30.e30.e30", ErrorCode::kMalformed,
              "token has 5 parts separated by dots; a JWS has 3");
}

TEST(JwsFormat, EmptyHeaderPartIsMalformed) {
  ExpectError(".e30.sig", ErrorCode::kMalformed, "token has an empty header part");
  ExpectError("..", ErrorCode::kMalformed, "token has an empty header part");
}

TEST(JwsFormat, WhitespaceAnywhereIsMalformed) {
  const std::string token = Token(R"({"alg":"HS256"})", "{}");
  for (const char* space : {" ", "\t", "\n", "\r", "\f", "\v"}) {
    for (std::size_t at : {std::size_t{0}, std::size_t{5}, token.size()}) {
      std::string bad = token;
      bad.insert(at, space);
      const Error error = ParseError(bad);
      EXPECT_EQ(error.code(), ErrorCode::kMalformed) << bad;
      EXPECT_EQ(error.message(), "token has whitespace at offset " + std::to_string(at) +
                                     "; a compact JWS has none (copy the token without line "
                                     "breaks)");
    }
  }
  // Whitespace wins over the part count: both are malformed, one message.
  EXPECT_EQ(ParseError("a b").message().substr(0, 30), "token has whitespace at offset");
}

TEST(JwsFormat, NonCanonicalBase64InEachPartIsBadBase64) {
  const std::string h = Base64UrlEncode(R"({"alg":"HS256"})");
  const std::string p = Base64UrlEncode("{}");
  ExpectError(h + "=." + p + ".c2ln", ErrorCode::kBadBase64,
              "token header part is not canonical unpadded base64url: it has '=' padding at "
              "offset 20; JWS uses base64url without padding");
  ExpectError(h + "." + p + "+." + "c2ln", ErrorCode::kBadBase64,
              "token payload part is not canonical unpadded base64url: it has '+' at offset 24, "
              "which is base64, not base64url");
  ExpectError(h + "." + p + ".c2l/", ErrorCode::kBadBase64,
              "token signature part is not canonical unpadded base64url: it has '/' at offset "
              "28, which is base64, not base64url");
  ExpectError(h + "." + p + ".c2lnZ", ErrorCode::kBadBase64,
              "token signature part is not canonical unpadded base64url: its length 5 is 1 more "
              "than a multiple of 4, which no encoding produces");
  ExpectError(h + ".QR.c2ln", ErrorCode::kBadBase64,
              "token payload part is not canonical unpadded base64url: its last character has "
              "non-zero unused bits, so it is not the canonical encoding");
  ExpectError(h + "." + p + ".c2\x01n", ErrorCode::kBadBase64,
              "token signature part is not canonical unpadded base64url: it has the byte 0x01 "
              "at offset 27, which is not in the base64url alphabet");
}

TEST(JwsFormat, Base64OfAllPartsIsCheckedBeforeJson) {
  // The header is not JSON and the signature is not base64url: bad_base64.
  const std::string bad = Base64UrlEncode("not json") + "." + Base64UrlEncode("{}") + ".a=";
  EXPECT_EQ(ParseError(bad).code(), ErrorCode::kBadBase64);
}

TEST(JwsFormat, HeaderNotObjectIsBadJson) {
  ExpectError(Token("[]", "{}"), ErrorCode::kBadJson,
              "token header is not a valid JSON object: the JSON text is an array, not an object");
  ExpectError(Token("{", "{}"), ErrorCode::kBadJson,
              "token header is not a valid JSON object: unexpected end of the JSON text at "
              "offset 1");
}

TEST(JwsFormat, PayloadNotObjectIsBadJson) {
  ExpectError(Token(R"({"alg":"HS256"})", "\"hello\""), ErrorCode::kBadJson,
              "token payload is not a valid JSON object: the JSON text is a string, not an "
              "object");
  ExpectError(Token(R"({"alg":"HS256"})", "hello"), ErrorCode::kBadJson,
              "token payload is not a valid JSON object: syntax error at offset 0");
  ExpectError(Token(R"({"alg":"HS256"})", ""), ErrorCode::kBadJson,
              "token payload is not a valid JSON object: the JSON text is empty");
}

TEST(JwsFormat, HeaderIsJudgedBeforePayload) {
  const Error error = ParseError(Token("1", "2"));
  EXPECT_EQ(error.code(), ErrorCode::kBadJson);
  EXPECT_EQ(error.message().substr(0, 12), "token header");
}

TEST(JwsFormat, DuplicateMembersAreBadJson) {
  ExpectError(Token(R"({"alg":"HS256","alg":"none"})", "{}"), ErrorCode::kBadJson,
              "token header is not a valid JSON object: duplicate member name \"alg\" at offset "
              "19");
  ExpectError(Token(R"({"alg":"HS256"})", R"({"sub":"a","sub":"b"})"), ErrorCode::kBadJson,
              "token payload is not a valid JSON object: duplicate member name \"sub\" at offset "
              "15");
}

TEST(JwsFormat, InvalidUtf8AndDepthAreBadJson) {
  EXPECT_EQ(ParseError(Token(R"({"alg":"HS256"})", "{\"sub\":\"\xc0\xaf\"}")).message(),
            "token payload is not a valid JSON object: invalid UTF-8 at offset 8");
  std::string deep = std::string(64, '[') + std::string(64, ']');
  EXPECT_TRUE(ParseCompact(Token("{}", "{\"a\":" + deep.substr(1, 126) + "}"), 1000).ok());
  deep = std::string(65, '[') + std::string(65, ']');
  EXPECT_EQ(ParseError(Token("{}", "{\"a\":" + deep.substr(1, 128) + "}")).code(),
            ErrorCode::kBadJson);
}

TEST(JwsFormat, SerializeCompactEncodesEachPart) {
  EXPECT_EQ(SerializeCompact("{}", "{\"a\":1}", "\xfb\xff"), "e30.eyJhIjoxfQ.-_8");
  EXPECT_EQ(SerializeCompact("{}", "{}", ""), "e30.e30.");
}

TEST(JwsFormat, DomIsBuiltOnceWhenThreadsAskTogether) {
  auto result = ParseCompact(Token(R"({"alg":"HS256"})", R"({"scope":"a b","n":[1,2,3]})"),
                             kDefaultMaxTokenBytes);
  ASSERT_TRUE(result.ok());
  const std::shared_ptr<const ParsedToken> token = *result;
  std::vector<const boost::json::object*> seen(4, nullptr);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&token, &seen, i] { seen[i] = &token->payload(); });
  }
  for (std::thread& t : threads) t.join();
  for (const boost::json::object* object : seen) EXPECT_EQ(object, seen.front());
  EXPECT_EQ(FindString(*seen.front(), "scope"), std::optional<std::string_view>("a b"));
}

}  // namespace
}  // namespace tock::internal
