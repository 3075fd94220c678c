// JsonWriter over the library's one serializer (internal/json.h).
#include "tock/app/json_writer.h"

#include <boost/json/value.hpp>

#include "internal/json.h"

namespace tock {

std::string JsonString(std::string_view text) {
  std::string out;
  internal::AppendJsonString(out, text);
  return out;
}

std::string JsonNumber(double value) { return internal::SerializeJson(boost::json::value(value)); }

void JsonWriter::Key(std::string_view key) {
  if (body_.size() > 1) body_ += ',';
  internal::AppendJsonString(body_, key);
  body_ += ':';
}

JsonWriter& JsonWriter::Str(std::string_view key, std::string_view value) {
  Key(key);
  internal::AppendJsonString(body_, value);
  return *this;
}

JsonWriter& JsonWriter::Int(std::string_view key, std::int64_t value) {
  Key(key);
  body_ += std::to_string(value);
  return *this;
}

JsonWriter& JsonWriter::Num(std::string_view key, double value) {
  Key(key);
  body_ += JsonNumber(value);
  return *this;
}

JsonWriter& JsonWriter::Bool(std::string_view key, bool value) {
  Key(key);
  body_ += value ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::StrArray(std::string_view key, const std::vector<std::string>& values) {
  Key(key);
  body_ += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) body_ += ',';
    internal::AppendJsonString(body_, values[i]);
  }
  body_ += ']';
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view key, std::string_view json) {
  Key(key);
  body_ += json;
  return *this;
}

}  // namespace tock
