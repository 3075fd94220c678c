#include "internal/json.h"

#include <gtest/gtest.h>

#include <boost/json/monotonic_resource.hpp>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

#include "tock/limits.h"

namespace tock::internal {
namespace {

namespace json = boost::json;

constexpr MemberNames kClaimNames{"iss", "sub", "aud", "exp", "nbf", "iat", "jti"};

// BadJsonMessage also runs the check-only mode (no DOM, members recorded)
// that verification uses: both modes must refuse the same texts alike.
std::string BadJsonMessage(std::string_view text) {
  Result<json::value> result = ParseJson(text);
  EXPECT_FALSE(result.ok()) << text;
  if (result.ok()) return "";
  EXPECT_EQ(result.error().code(), ErrorCode::kBadJson) << text;
  MemberRecord record(kClaimNames);
  Result<void> checked = CheckJsonObject(text, record);
  EXPECT_FALSE(checked.ok()) << text;
  if (!checked.ok()) {
    EXPECT_EQ(checked.error().message(), result.error().message()) << text;
  }
  return result.error().message();
}

// Nested returns |depth| containers, alternating object and array when
// |mixed|, innermost holding 1.
std::string Nested(int depth, bool mixed) {
  std::string open, close;
  for (int i = 0; i < depth; ++i) {
    const bool object = !mixed || i % 2 == 0;
    open += object ? "{\"k\":" : "[";
    close.insert(0, object ? "}" : "]");
  }
  return open + "1" + close;
}

TEST(Json, ObjectParses) {
  Result<json::object> result = ParseJsonObject(R"({"iss":"a","exp":5,"aud":["x","y"]})");
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_EQ(FindString(*result, "iss"), std::optional<std::string_view>("a"));
  EXPECT_EQ(FindNumber(*result, "exp"), std::optional<double>(5));
  EXPECT_EQ(result->at("aud").as_array().size(), 2u);
}

TEST(Json, ValuesUseCallerStorage) {
  json::monotonic_resource arena;
  Result<json::value> result =
      ParseJson(R"({"a":"a string longer than small buffers"})", json::storage_ptr(&arena));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->storage().get(), &arena);
  EXPECT_EQ(result->at("a").storage().get(), &arena);
}

TEST(Json, DuplicateTopLevelMemberIsBadJson) {
  EXPECT_EQ(BadJsonMessage(R"({"exp":1,"exp":2})"), "duplicate member name \"exp\" at offset 13");
}

TEST(Json, DuplicateInNestedObjectIsBadJson) {
  EXPECT_EQ(BadJsonMessage(R"({"a":{"b":1,"c":[{"d":1,"d":2}]}})"),
            "duplicate member name \"d\" at offset 26");
}

TEST(Json, DuplicateAfterNestedObjectClosesIsBadJson) {
  EXPECT_EQ(BadJsonMessage(R"({"a":{"b":1},"a":2})"), "duplicate member name \"a\" at offset 15");
}

TEST(Json, SameNameInDifferentObjectsIsAccepted) {
  EXPECT_TRUE(ParseJson(R"({"x":{"x":1},"y":{"x":2},"z":[{"x":3},{"x":4}]})").ok());
}

TEST(Json, DuplicateSpelledWithEscapeIsBadJson) {
  // The second name arrives from Boost in parts: "ab" then the unescaped "c".
  EXPECT_EQ(BadJsonMessage(R"({"abc":1,"ab\u0063":2})"),
            "duplicate member name \"abc\" at offset 18");
  EXPECT_EQ(BadJsonMessage(R"({"a\"b":1,"a\u0022b":2})"),
            "duplicate member name \"a\\\"b\" at offset 19");
}

TEST(Json, DuplicateLongNameInPartsIsBadJson) {
  // Longer than Boost's 4096-byte unescape buffer, so it arrives in parts.
  const std::string name(6000, 'k');
  const std::string escaped = name.substr(0, 5000) + "\\u006b" + name.substr(5001);
  const std::string text = "{\"" + name + "\":1,\"" + escaped + "\":2}";
  const std::string message = BadJsonMessage(text);
  EXPECT_EQ(message.substr(0, 24), "duplicate member name \"k");
  const std::string distinct = "{\"" + name + "\":1,\"" + escaped.substr(1) + "\":2}";
  EXPECT_TRUE(ParseJson(distinct).ok());
}

TEST(Json, ManyDistinctMembersAreAccepted) {
  std::string text = "{";
  for (int i = 0; i < 500; ++i) text += "\"m" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  text.back() = '}';
  Result<json::object> result = ParseJsonObject(text);
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_EQ(result->size(), 500u);
}

TEST(Json, DuplicateAmongManyMembersIsBadJson) {
  for (int dup : {0, 15, 16, 17, 499}) {
    std::string text = "{";
    for (int i = 0; i < 500; ++i) text += "\"m" + std::to_string(i) + "\":0,";
    text += "\"m" + std::to_string(dup) + "\":1}";
    EXPECT_EQ(BadJsonMessage(text).substr(0, 24 + std::to_string(dup).size()),
              "duplicate member name \"m" + std::to_string(dup))
        << dup;
  }
}

TEST(Json, NestedObjectsInsideLargeObjectKeepTheirOwnNames) {
  std::string members;
  for (int i = 0; i < 40; ++i) members += "\"m" + std::to_string(i) + "\":{\"m1\":1,\"m2\":{}},";
  EXPECT_TRUE(ParseJson("{" + members + "\"last\":0}").ok());
  EXPECT_EQ(BadJsonMessage("{" + members + "\"m39\":0}").substr(0, 28),
            "duplicate member name \"m39\" ");
  EXPECT_EQ(BadJsonMessage("{" + members + "\"x\":{\"a\":1,\"a\":2}}").substr(0, 26),
            "duplicate member name \"a\" ");
}

TEST(Json, Depth64ObjectsAccepted) { EXPECT_TRUE(ParseJson(Nested(64, false)).ok()); }

TEST(Json, Depth65ObjectsIsBadJson) {
  EXPECT_EQ(BadJsonMessage(Nested(65, false)), "nesting deeper than 64 at offset 320");
}

TEST(Json, Depth64MixedAccepted) { EXPECT_TRUE(ParseJson(Nested(kMaxJsonDepth, true)).ok()); }

TEST(Json, Depth65MixedIsBadJson) {
  EXPECT_EQ(BadJsonMessage(Nested(65, true)).substr(0, 22), "nesting deeper than 64");
  EXPECT_EQ(BadJsonMessage(std::string(65, '[') + std::string(65, ']')).substr(0, 22),
            "nesting deeper than 64");
}

TEST(Json, DepthCountsOpenContainersNotTotal) {
  // Many siblings at depth 2 never make depth 3.
  std::string text = "[";
  for (int i = 0; i < 100; ++i) text += "[],{},";
  text += "[]]";
  EXPECT_TRUE(ParseJson(text).ok());
}

TEST(Json, VeryDeepInputFailsWithoutCrashing) {
  EXPECT_EQ(BadJsonMessage(std::string(100000, '[')).substr(0, 22), "nesting deeper than 64");
}

TEST(Json, InvalidUtf8IsBadJson) {
  EXPECT_EQ(BadJsonMessage("{\"a\":\"\xc0\xaf\"}"), "invalid UTF-8 at offset 6");  // overlong '/'
  EXPECT_EQ(BadJsonMessage("{\"a\":\"\xed\xa0\x80\"}"), "invalid UTF-8 at offset 6");  // surrogate
  EXPECT_EQ(BadJsonMessage("{\"a\":\"\xf4\x90\x80\x80\"}"), "invalid UTF-8 at offset 6");
  EXPECT_EQ(BadJsonMessage("{\"a\":\"x\xe2\x82\"}"), "invalid UTF-8 at offset 7");  // truncated
  EXPECT_EQ(BadJsonMessage("{\"a\":\"\x80\"}"), "invalid UTF-8 at offset 6");
  EXPECT_EQ(BadJsonMessage("{\"\xff\":1}"), "invalid UTF-8 at offset 2");  // in a name
}

TEST(Json, ValidUtf8Accepted) {
  Result<json::object> result =
      ParseJsonObject("{\"a\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\",\"b\":\"\\ud83d\\ude00\"}");
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_EQ(FindString(*result, "b"), std::optional<std::string_view>("\xf0\x9f\x98\x80"));
}

// RFC 8259 §8.2 allows lone surrogate escapes syntactically, but they decode
// to no Unicode text; Boost 1.81 rejects them and so do we.
TEST(Json, LoneSurrogateEscapesAreBadJson) {
  EXPECT_EQ(BadJsonMessage(R"({"a":"\ud800"})").substr(0, 12), "syntax error");
  EXPECT_EQ(BadJsonMessage(R"({"a":"\udc00"})").substr(0, 42),
            "a \\u escape is an unpaired UTF-16 surrogat");
  EXPECT_FALSE(ParseJson(R"({"a":"\ud800\u0041"})").ok());
}

TEST(Json, TrailingGarbageIsBadJson) {
  EXPECT_EQ(BadJsonMessage("{} x"), "unexpected data after the JSON value at offset 3");
  EXPECT_EQ(BadJsonMessage("{}{}"), "unexpected data after the JSON value at offset 2");
  EXPECT_EQ(BadJsonMessage(std::string("{}\0", 3)),
            "unexpected data after the JSON value at offset 2");
  EXPECT_TRUE(ParseJson("  {} \n").ok());
}

TEST(Json, NonStandardExtensionsAreBadJson) {
  EXPECT_EQ(BadJsonMessage("{/*c*/}"), "syntax error at offset 1");
  EXPECT_EQ(BadJsonMessage("{\"a\":1,}"), "syntax error at offset 7");
  EXPECT_EQ(BadJsonMessage("[1,]"), "syntax error at offset 3");
  EXPECT_EQ(BadJsonMessage("{'a':1}"), "syntax error at offset 1");
  EXPECT_EQ(BadJsonMessage("{\"a\":\"tab\there\"}"), "syntax error at offset 9");
  EXPECT_EQ(BadJsonMessage("[NaN]"), "syntax error at offset 1");
}

TEST(Json, EmptyAndTruncatedTextAreBadJson) {
  EXPECT_EQ(BadJsonMessage(""), "the JSON text is empty");
  EXPECT_EQ(BadJsonMessage("  "), "the JSON text is empty");
  EXPECT_EQ(BadJsonMessage("{\"a\":"), "unexpected end of the JSON text at offset 5");
}

TEST(Json, NonObjectTopLevelIsBadJsonForObjectParse) {
  EXPECT_TRUE(ParseJson("[1]").ok());
  for (const auto& [text, kind] : {std::pair{"[1]", "an array"},
                                   {"\"s\"", "a string"},
                                   {"12", "a number"},
                                   {"true", "a boolean"},
                                   {"null", "null"}}) {
    Result<json::object> result = ParseJsonObject(text);
    ASSERT_FALSE(result.ok()) << text;
    EXPECT_EQ(result.error().code(), ErrorCode::kBadJson);
    EXPECT_EQ(result.error().message(),
              std::string("the JSON text is ") + kind + ", not an object");
  }
}

TEST(Json, BigNumbers) {
  Result<json::value> result = ParseJson(
      "[18446744073709551615,18446744073709551616,-9223372036854775808,-9223372036854775809,"
      "1e308,1e-400]");
  ASSERT_TRUE(result.ok()) << result.error().message();
  const json::array& a = result->as_array();
  EXPECT_EQ(a[0].as_uint64(), 18446744073709551615u);
  EXPECT_EQ(a[1].as_double(), 18446744073709551616.0);
  EXPECT_EQ(a[2].as_int64(), INT64_MIN);
  EXPECT_EQ(a[3].as_double(), -9223372036854775809.0);
  EXPECT_EQ(a[4].as_double(), 1e308);
  EXPECT_EQ(a[5].as_double(), 0.0);
  EXPECT_EQ(BadJsonMessage("[1e400]"), "number out of range at offset 6");
  EXPECT_EQ(BadJsonMessage("{\"exp\":-1e999}").substr(0, 19), "number out of range");
}

// Boost 1.81 reads these one ulp off; ParseJson must read them exactly.
TEST(Json, DoublesParseExactly) {
  for (const char* text : {"5.409760742964738e+124", "1.3927926388013963e-143",
                           "-1.3525373669382613e+151", "1781255863.5", "0.1", "1781255863.123"}) {
    double expected = 0;
    std::from_chars(text, text + std::strlen(text), expected);
    Result<json::value> result = ParseJson(text);
    ASSERT_TRUE(result.ok()) << text;
    EXPECT_EQ(result->as_double(), expected) << text;
  }
}

TEST(Json, FractionalNumericDateRoundTrips) {
  Result<json::value> result = ParseJson(R"({"exp":1781255863.5,"nbf":1781255863.123})");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(SerializeJson(*result), R"({"exp":1781255863.5,"nbf":1781255863.123})");
}

TEST(Json, IntegralDoublesPrintAsIntegers) {
  json::array a{1781255863.0,       -5.0, -0.0, 9007199254740991.0,
                9007199254740992.0, 1e20, 0.1,  1e-7,
                std::nan(""),       12,   -12,  std::uint64_t{18446744073709551615u}};
  EXPECT_EQ(SerializeJson(a),
            "[1781255863,-5,0,9007199254740991,9007199254740992,1e+20,0.1,1e-07,null,12,-12,"
            "18446744073709551615]");
}

TEST(Json, ControlCharactersAreEscaped) {
  json::value v(json::string_view("\x01\x1b[31m\n\t\r\b\f\x1f\x7f\"\\/", 16));
  EXPECT_EQ(SerializeJson(v), R"("\u0001\u001b[31m\n\t\r\b\f\u001f\u007f\"\\/")");
}

TEST(Json, C1ControlsAreEscapedOtherUnicodeKept) {
  // U+009B is CSI in some terminals; U+00A0 and beyond print as they are.
  std::string out;
  AppendJsonString(out, "\xc2\x9b\xc2\x80\xc2\xa0\xc3\xa9\xe2\x82\xac");
  EXPECT_EQ(out, "\"\\u009b\\u0080\xc2\xa0\xc3\xa9\xe2\x82\xac\"");
}

TEST(Json, InvalidUtf8BecomesReplacementCharacter) {
  std::string out = "x=";
  AppendJsonString(out,
                   "a\xff"
                   "b\xc0\xaf"
                   "c\xe2\x82");
  EXPECT_EQ(out, "x=\"a\\ufffdb\\ufffd\\ufffdc\\ufffd\\ufffd\"");
}

TEST(Json, FindInvalidUtf8ReportsFirstBadOffset) {
  EXPECT_EQ(FindInvalidUtf8("plain \xc3\xa9 \xf0\x9f\x98\x80"), std::nullopt);
  EXPECT_EQ(FindInvalidUtf8("ab\xc0\xaf"), std::optional<std::size_t>(2));         // overlong
  EXPECT_EQ(FindInvalidUtf8("\xed\xa0\x80"), std::optional<std::size_t>(0));       // surrogate
  EXPECT_EQ(FindInvalidUtf8("a\xf4\x90\x80\x80"), std::optional<std::size_t>(1));  // > U+10FFFF
  EXPECT_EQ(FindInvalidUtf8("abc\xe2\x82"), std::optional<std::size_t>(3));        // truncated
  EXPECT_EQ(FindInvalidUtf8("\xe0\x9f\xbf"), std::optional<std::size_t>(0));       // overlong 3
  EXPECT_EQ(FindInvalidUtf8("\xef\xbf\xbf\xf4\x8f\xbf\xbf"), std::nullopt);        // maxima
}

TEST(Json, SerializeParsedRoundTrip) {
  const std::string text = R"({"a":[1,2,{"b":null,"c":true}],"d":"x\u0007y","e":{}, "f":[]})";
  Result<json::value> first = ParseJson(text);
  ASSERT_TRUE(first.ok());
  const std::string compact = SerializeJson(*first);
  EXPECT_EQ(compact, R"({"a":[1,2,{"b":null,"c":true}],"d":"x\u0007y","e":{},"f":[]})");
  Result<json::value> second = ParseJson(compact);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
}

TEST(Json, PrettyUsesTwoSpaces) {
  Result<json::value> v = ParseJson(R"({"a":[1,{"b":2}],"c":{},"d":[]})");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(SerializeJson(*v, true),
            "{\n  \"a\": [\n    1,\n    {\n      \"b\": 2\n    }\n  ],\n  \"c\": {},\n"
            "  \"d\": []\n}");
  EXPECT_EQ(SerializeJson(v->as_object(), true), SerializeJson(*v, true));
}

TEST(Json, FindHelpersCheckTypes) {
  Result<json::object> o = ParseJsonObject(R"({"s":"x","i":-3,"u":18446744073709551615,"d":0.5,
                                               "b":true,"n":null})");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(FindString(*o, "s"), std::optional<std::string_view>("x"));
  EXPECT_EQ(FindString(*o, "i"), std::nullopt);
  EXPECT_EQ(FindString(*o, "missing"), std::nullopt);
  EXPECT_EQ(FindNumber(*o, "i"), std::optional<double>(-3));
  EXPECT_EQ(FindNumber(*o, "u"), std::optional<double>(18446744073709551615.0));
  EXPECT_EQ(FindNumber(*o, "d"), std::optional<double>(0.5));
  EXPECT_EQ(FindNumber(*o, "s"), std::nullopt);
  EXPECT_EQ(FindNumber(*o, "b"), std::nullopt);
  EXPECT_EQ(FindNumber(*o, "missing"), std::nullopt);
  EXPECT_EQ(AsNumber(o->at("n")), std::nullopt);
  EXPECT_EQ(AsNumber(json::value(7)), std::optional<double>(7));
}

TEST(JsonFingerprint, RuntimeAndCompileTimeAgree) {
  constexpr std::uint64_t kIss = NameFingerprint("iss");
  constexpr std::uint64_t kScope = NameFingerprint("scope");
  constexpr std::uint64_t kLong = NameFingerprint("http://example.com/is_root");
  EXPECT_EQ(NameFingerprint(std::string("iss")), kIss);
  EXPECT_EQ(NameFingerprint(std::string("scope")), kScope);
  EXPECT_EQ(NameFingerprint(std::string("http://example.com/is_root")), kLong);
  // Names up to 8 bytes: equal fingerprint and size means equal name.
  EXPECT_NE(NameFingerprint("abcd"), NameFingerprint("abce"));
  EXPECT_NE(NameFingerprint("abcdefgh"), NameFingerprint("abcdefgi"));
  EXPECT_NE(NameFingerprint("aXc"), NameFingerprint("abc"));
}

TEST(JsonMemberNames, FindsEveryNameAndNothingElse) {
  for (std::size_t i = 0; i < kClaimNames.count; ++i) {
    const std::string name(kClaimNames.names[i]);
    EXPECT_EQ(kClaimNames.IndexOf(name, NameFingerprint(name)), static_cast<int>(i)) << name;
  }
  for (const char* other : {"is", "issu", "Iss", "scope", "", "exp ", "jtj"}) {
    EXPECT_EQ(kClaimNames.IndexOf(other, NameFingerprint(other)), -1) << other;
  }
  constexpr MemberNames kLongNames{"https://a.example/claim", "urn:example:claim"};
  EXPECT_EQ(kLongNames.IndexOf("urn:example:claim", NameFingerprint("urn:example:claim")), 1);
  EXPECT_EQ(
      kLongNames.IndexOf("https://a.example/clain", NameFingerprint("https://a.example/clain")),
      -1);  // same first 8 bytes and size: the full compare decides
}

TEST(JsonRecord, ChecksAndRecordsWithoutADom) {
  MemberRecord record(kClaimNames);
  ASSERT_TRUE(
      CheckJsonObject(R"({"x":{"iss":1},"iss":"a\u0062","exp":1e2,"aud":["p",2]})", record).ok());
  EXPECT_EQ(record.Find("iss")->text, "ab");
  EXPECT_EQ(record.Find("exp")->number, 100);
  EXPECT_EQ(record.Find("aud")->kind, JsonKind::kArray);
  EXPECT_EQ(record.Find("aud")->size, 2u);
  EXPECT_FALSE(record.Find("aud")->strings_only);
  EXPECT_FALSE(record.Find("sub")->present());
  EXPECT_EQ(record.Find("scope"), nullptr);  // not a recorded name
}

TEST(JsonRecord, TopLevelMustBeAnObject) {
  MemberRecord record(kClaimNames);
  const Result<void> checked = CheckJsonObject(R"(["iss"])", record);
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.error().message(), "the JSON text is an array, not an object");
}

TEST(JsonRecord, SeveralTextsNameTheOneThatFailed) {
  MemberRecord first(kClaimNames), second(kClaimNames);
  const RecordedText texts[] = {{R"({"iss":"a"})", &first}, {R"({"iss":"b","iss":"c"})", &second}};
  std::size_t failed = 9;
  const Result<void> checked = CheckJsonObjects(texts, failed);
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(failed, 1u);
  EXPECT_EQ(checked.error().message(), "duplicate member name \"iss\" at offset 15");
  EXPECT_EQ(first.Find("iss")->text, "a");
}

}  // namespace
}  // namespace tock::internal
