#include "internal/json.h"

#include <boost/json/basic_parser_impl.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <string>

#include "internal/json_handler.h"
#include "tock/limits.h"

namespace tock::internal {
namespace {

namespace json = boost::json;

}  // namespace

// OwnName is StableName's slow path: a name Boost unescaped or delivered in
// parts is copied into storage that lives as long as the parse.
std::string_view JsonHandler::OwnName(std::string_view last_part) {
  pending_key_.append(last_part);
  owned_keys_.push_front(std::move(pending_key_));
  pending_key_.clear();
  key_pending_ = false;
  return owned_keys_.front();
}

// RegisterKeySlow is RegisterKey when the filter cannot settle it: a
// possible duplicate, or an object with many names.
bool JsonHandler::RegisterKeySlow(std::string_view name, std::uint64_t print, error_code& ec) {
  const auto same = [name, print](const KeyEntry& other) {
    return other.print == print && other.name.size() == name.size() &&
           (name.size() <= 8 || other.name == name);
  };
  Frame& frame = frames_[depth_];
  bool unique = true;
  if (frame.big >= 0) {
    unique = big_sets_[frame.big].insert(name).second;
  } else {
    const std::uint64_t bit = FilterBit(print);
    if ((frame.filter & bit) != 0) {
      for (std::size_t i = frame.first_key; i < keys_.size() && unique; ++i) {
        unique = !same(keys_[i]);
      }
    }
    frame.filter |= bit;
    if (unique) keys_.push_back(KeyEntry{name, print});
    if (keys_.size() - frame.first_key > kLinearKeyLimit) {
      frame.big = static_cast<int>(big_sets_.size());
      std::unordered_set<std::string_view>& set = big_sets_.emplace_back();
      for (std::size_t i = frame.first_key; i < keys_.size(); ++i) set.insert(keys_[i].name);
      keys_.resize(frame.first_key);
    }
  }
  if (unique) return true;
  duplicate_name_.assign(name.substr(0, 64));
  return Fail(JsonFailure::kDuplicate, ec);
}

// Boost 1.81 converts decimal to binary imprecisely (about one double in
// seven is off by an ulp) and turns 1e400 into infinity; a NumericDate must
// read back exactly, so the text is converted again with from_chars.
bool JsonHandler::on_double(double d, string_view s, error_code& ec) {
  std::string_view text(s.data(), s.size());
  if (!number_text_.empty()) {
    number_text_.append(s.data(), s.size());
    text = number_text_;
  }
  double exact = d;
  const auto [ptr, err] = std::from_chars(text.data(), text.data() + text.size(), exact);
  number_text_.clear();
  if (err == std::errc::result_out_of_range) {
    if (std::isinf(d)) return Fail(JsonFailure::kNumberRange, ec);
    exact = d;  // underflow: Boost's zero or subnormal is as good as any
  } else if (err != std::errc() || ptr != text.data() + text.size()) {
    exact = d;
  }
  if (build_) values_->push_double(exact);
  NoteNumber(exact, !(std::fabs(exact) <= static_cast<double>(kMaxExactInteger)));
  return true;
}

namespace {

JsonKind KindOf(const json::value& value) {
  switch (value.kind()) {
    case json::kind::object:
      return JsonKind::kObject;
    case json::kind::array:
      return JsonKind::kArray;
    case json::kind::string:
      return JsonKind::kString;
    case json::kind::bool_:
      return JsonKind::kBool;
    case json::kind::null:
      return JsonKind::kNull;
    default:
      return JsonKind::kNumber;
  }
}

std::string Describe(const JsonHandler& handler, const json::error_code& ec, std::string_view text,
                     std::size_t offset) {
  const std::string at = " at offset " + std::to_string(offset);
  switch (handler.failure()) {
    case JsonFailure::kDuplicate: {
      std::string message = "duplicate member name ";
      AppendJsonString(message, handler.duplicate_name());
      return message + at;
    }
    case JsonFailure::kTooDeep:
      return "nesting deeper than " + std::to_string(kMaxJsonDepth) + at;
    case JsonFailure::kNumberRange:
      return "number out of range" + at;
    case JsonFailure::kNone:
      break;
  }
  if (ec == json::error::incomplete) {
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      return "the JSON text is empty";
    }
    return "unexpected end of the JSON text" + at;
  }
  // Boost reports bad UTF-8 as a plain syntax error; say which it was.
  if (const std::optional<std::size_t> bad = FindInvalidUtf8(text); bad && *bad <= offset + 4) {
    return "invalid UTF-8 at offset " + std::to_string(*bad);
  }
  if (ec == json::error::illegal_leading_surrogate ||
      ec == json::error::illegal_trailing_surrogate) {
    return "a \\u escape is an unpaired UTF-16 surrogate" + at;
  }
  if (ec == json::error::syntax) return "syntax error" + at;
  return ec.message() + at;
}

// Run feeds the whole of |text| to |parser|; an error says what was wrong.
std::optional<Error> Run(json::basic_parser<JsonHandler>& parser, std::string_view text) {
  json::error_code ec;
  std::size_t used = 0;
  try {
    used = parser.write_some(false, text.data(), text.size(), ec);
  } catch (const std::exception& e) {
    return Error(ErrorCode::kBadJson,
                 std::string("the JSON text could not be parsed: ") + e.what());
  }
  if (ec) return Error(ErrorCode::kBadJson, Describe(parser.handler(), ec, text, used));
  if (used != text.size()) {
    return Error(ErrorCode::kBadJson,
                 "unexpected data after the JSON value at offset " + std::to_string(used));
  }
  return std::nullopt;
}

json::parse_options Options() {
  json::parse_options options;
  // Ours is the depth limit that fires; Boost's must only be above it.
  options.max_depth = kMaxJsonDepth + 1;
  return options;
}

Result<json::value> ParseValue(std::string_view text, json::storage_ptr sp, MemberRecord* record) {
  // A stack buffer keeps a typical header or claims set free of heap allocation.
  alignas(json::value) unsigned char stack_buffer[1024];
  json::basic_parser<JsonHandler> parser(Options(), text, stack_buffer, sizeof(stack_buffer),
                                         /*build=*/true, record);
  parser.handler().Reset(std::move(sp));
  if (std::optional<Error> error = Run(parser, text)) return std::move(*error);
  return parser.handler().Release();
}

Error NotAnObject(JsonKind kind) {
  return Error(ErrorCode::kBadJson,
               "the JSON text is " + std::string(JsonKindName(kind)) + ", not an object");
}

}  // namespace

Result<json::value> ParseJson(std::string_view text, json::storage_ptr sp) {
  return ParseValue(text, std::move(sp), nullptr);
}

Result<json::object> ParseJsonObject(std::string_view text, json::storage_ptr sp,
                                     MemberRecord* record) {
  Result<json::value> parsed = ParseValue(text, std::move(sp), record);
  if (!parsed) return std::move(parsed).error();
  json::value& value = *parsed;
  if (!value.is_object()) return NotAnObject(KindOf(value));
  return std::move(value.get_object());
}

Result<void> CheckJsonObject(std::string_view text, MemberRecord& record) {
  const RecordedText texts[] = {{text, &record}};
  std::size_t failed = 0;
  return CheckJsonObjects(texts, failed);
}

Result<void> CheckJsonObjects(std::span<const RecordedText> texts, std::size_t& failed) {
  if (texts.empty()) return {};
  // No value is built, so the value stack needs no buffer.
  json::basic_parser<JsonHandler> parser(Options(), texts[0].text, nullptr, 0, /*build=*/false,
                                         texts[0].record);
  for (failed = 0; failed < texts.size(); ++failed) {
    const RecordedText& next = texts[failed];
    if (failed > 0) {
      parser.reset();
      parser.handler().Rebind(next.text, next.record);
    }
    if (std::optional<Error> error = Run(parser, next.text)) return std::move(*error);
    const JsonKind top = parser.handler().top_kind();
    if (top != JsonKind::kObject) return NotAnObject(top);
  }
  return {};
}

}  // namespace tock::internal
