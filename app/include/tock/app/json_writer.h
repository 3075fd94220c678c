// JsonWriter: builds one JSON object as text (server responses, log lines),
// with the library's one serializer, so every part of tock escapes the same
// way: control characters, DEL and C1 controls as \u00XX, and bytes that are
// not UTF-8 as \ufffd, so token text cannot break a log line or a response.
#ifndef TOCK_APP_JSON_WRITER_H_
#define TOCK_APP_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tock {

// JsonString returns |text| as a quoted, escaped JSON string.
std::string JsonString(std::string_view text);

// JsonNumber returns |value| as JSON: integral values without a fraction,
// others shortest round-trip, and null for NaN and infinities.
std::string JsonNumber(double value);

class JsonWriter {
 public:
  JsonWriter& Str(std::string_view key, std::string_view value);
  JsonWriter& Int(std::string_view key, std::int64_t value);
  JsonWriter& Num(std::string_view key, double value);
  JsonWriter& Bool(std::string_view key, bool value);
  JsonWriter& StrArray(std::string_view key, const std::vector<std::string>& values);
  // Raw adds |json|, which must already be valid JSON (made by the library's
  // serializer or by another JsonWriter).
  JsonWriter& Raw(std::string_view key, std::string_view json);
  // Finish returns the object's text; the writer may keep being used.
  std::string Finish() const { return body_ + "}"; }

 private:
  void Key(std::string_view key);
  std::string body_ = "{";
};

}  // namespace tock

#endif  // TOCK_APP_JSON_WRITER_H_
