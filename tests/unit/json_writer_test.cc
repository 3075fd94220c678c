// Tests for the public JsonWriter (tock/json_writer.h): escaping comes from
// the library's one serializer, and the output parses back.
#include "tock/app/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>

#include "internal/json.h"

namespace tock {
namespace {

TEST(JsonWriter, WritesEveryKindOfMember) {
  const std::string text = JsonWriter()
                               .Str("s", "a\"b")
                               .Int("i", -7)
                               .Num("n", 1.5)
                               .Num("whole", 1700000000.0)
                               .Bool("b", true)
                               .StrArray("a", {"x", "y"})
                               .Raw("r", R"({"k":1})")
                               .Finish();
  EXPECT_EQ(text,
            R"({"s":"a\"b","i":-7,"n":1.5,"whole":1700000000,"b":true,"a":["x","y"],"r":{"k":1}})");
  EXPECT_TRUE(internal::ParseJsonObject(text).ok());
}

TEST(JsonWriter, EmptyObjectIsBraces) { EXPECT_EQ(JsonWriter().Finish(), "{}"); }

TEST(JsonString, EscapesControlsC1AndInvalidUtf8) {
  EXPECT_EQ(JsonString("a\nb\x01\x7f"), R"("a\nb\u0001\u007f")");
  EXPECT_EQ(JsonString("\xc2\x9b"), R"("\u009b")");
  EXPECT_EQ(JsonString("\xff"), R"("\ufffd")");
  EXPECT_EQ(JsonString("\xc3\xa9"), "\"\xc3\xa9\"");
}

TEST(JsonNumber, NonFiniteIsNull) {
  EXPECT_EQ(JsonNumber(std::nan("")), "null");
  EXPECT_EQ(JsonNumber(INFINITY), "null");
  EXPECT_EQ(JsonNumber(0.25), "0.25");
}

}  // namespace
}  // namespace tock
