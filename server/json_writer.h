// JsonWriter: builds one JSON object as text (responses, log lines). Strings
// are escaped fully (control characters as \u00XX), so token text cannot
// break a log line or a response.
#ifndef TOCK_SERVER_JSON_WRITER_H_
#define TOCK_SERVER_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tock::server {

// JsonString returns |text| as a quoted, escaped JSON string. Invalid UTF-8
// bytes become U+FFFD so the output is always valid JSON.
std::string JsonString(std::string_view text);

class JsonWriter {
 public:
  JsonWriter& Str(std::string_view key, std::string_view value);
  JsonWriter& Int(std::string_view key, std::int64_t value);
  JsonWriter& Num(std::string_view key, double value);
  JsonWriter& Bool(std::string_view key, bool value);
  JsonWriter& StrArray(std::string_view key, const std::vector<std::string>& values);
  // Raw adds |json|, which must already be valid JSON.
  JsonWriter& Raw(std::string_view key, std::string_view json);
  std::string Finish() const { return body_ + "}"; }

 private:
  void Key(std::string_view key);
  std::string body_ = "{";
};

}  // namespace tock::server

#endif  // TOCK_SERVER_JSON_WRITER_H_
