#include "internal/json.h"

#include <boost/container/small_vector.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <forward_list>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "tock/limits.h"

namespace tock::internal {
namespace {

namespace json = boost::json;

// Above this many members an object's names move into a hash set, so a
// hostile object with thousands of members cannot make the duplicate check
// quadratic; below it a linear scan is faster than hashing.
constexpr std::size_t kLinearKeyLimit = 16;

std::string_view JsonKindName(const json::value& value) {
  switch (value.kind()) {
    case json::kind::object:
      return "an object";
    case json::kind::array:
      return "an array";
    case json::kind::string:
      return "a string";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::null:
      return "null";
    default:
      return "a number";
  }
}

enum class Failure { kNone, kDuplicate, kTooDeep, kNumberRange };

// KeyEntry is a member name of an open object. |name| points into the input
// text, or into |owned_keys_| for names Boost delivered unescaped or in parts.
// |print| holds bytes of the name, so most names are told apart without a
// memcmp: JWT claim names are all three bytes long.
struct KeyEntry {
  std::string_view name;
  std::uint64_t print;
};

// Fingerprint reads bytes of |s| that, given its size, determine a name of
// up to 8 bytes completely (overlapping loads, never past the end).
std::uint64_t Fingerprint(std::string_view s) {
  const char* p = s.data();
  const std::size_t n = s.size();
  if (n >= 8) {
    std::uint64_t print;
    std::memcpy(&print, p, 8);
    return print;
  }
  if (n >= 4) {
    std::uint32_t head, tail;
    std::memcpy(&head, p, 4);
    std::memcpy(&tail, p + n - 4, 4);
    return head | std::uint64_t{tail} << 32;
  }
  if (n == 0) return 0;
  const auto byte = [p](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(p[i])}; };
  return byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16;
}

bool SameName(const KeyEntry& a, const KeyEntry& b) {
  return a.print == b.print && a.name.size() == b.name.size() &&
         (a.name.size() <= 8 || a.name == b.name);
}

// Handler is the basic_parser handler: it builds the value with a value_stack
// (in the caller's storage) and adds the checks Boost 1.81 does not make.
// RFC 8259 §4 leaves duplicate names to the implementation; JWS (RFC 7515
// §5.2) requires rejecting them, since two readers could otherwise see two
// different claims sets in one token.
class Handler {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  Handler(std::string_view input, unsigned char* stack_buffer, std::size_t stack_size)
      : input_(input), values_(json::storage_ptr(), stack_buffer, stack_size) {}

  void Reset(json::storage_ptr sp) { values_.reset(std::move(sp)); }
  json::value Release() { return values_.release(); }
  Failure failure() const { return failure_; }
  const std::string& duplicate_name() const { return duplicate_name_; }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }

  bool on_object_begin(json::error_code& ec) {
    if (!Enter(ec)) return false;
    frames_[depth_] = Frame{keys_.size(), -1};
    return true;
  }
  bool on_object_end(std::size_t n, json::error_code&) {
    values_.push_object(n);
    const Frame& frame = frames_[depth_];
    if (frame.big >= 0) big_sets_.pop_back();  // inner objects close first
    keys_.resize(frame.first_key);
    --depth_;
    return true;
  }
  bool on_array_begin(json::error_code& ec) { return Enter(ec); }
  bool on_array_end(std::size_t n, json::error_code&) {
    values_.push_array(n);
    --depth_;
    return true;
  }

  // A name arrives in parts when it contains an escape or crosses Boost's
  // internal buffer, so duplicates are compared on the reassembled name.
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    pending_key_.append(s.data(), s.size());
    key_pending_ = true;
    values_.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
    if (!RegisterKey(StableName(std::string_view(s.data(), s.size())), ec)) return false;
    values_.push_key(s);
    return true;
  }

  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    values_.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    values_.push_string(s);
    return true;
  }
  bool on_number_part(json::string_view s, json::error_code&) {
    number_text_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
    number_text_.clear();
    values_.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
    number_text_.clear();
    values_.push_uint64(u);
    return true;
  }
  bool on_double(double d, json::string_view s, json::error_code& ec);
  bool on_bool(bool b, json::error_code&) {
    values_.push_bool(b);
    return true;
  }
  bool on_null(json::error_code&) {
    values_.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  struct Frame {
    std::size_t first_key;  // this object's names are keys_[first_key...]
    int big;                // index in big_sets_ once there are many names
  };

  bool Fail(Failure failure, json::error_code& ec) {
    failure_ = failure;
    ec = boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
    return false;
  }
  // Enter counts one more open container: the top-level one is depth 1 and
  // depth kMaxJsonDepth is the deepest accepted (spec: Precise rules).
  bool Enter(json::error_code& ec) {
    if (depth_ >= kMaxJsonDepth) return Fail(Failure::kTooDeep, ec);
    ++depth_;
    return true;
  }
  std::string_view StableName(std::string_view last_part);
  bool RegisterKey(std::string_view name, json::error_code& ec);

  std::string_view input_;
  json::value_stack values_;
  boost::container::small_vector<KeyEntry, 32> keys_;  // names of open objects
  std::forward_list<std::string> owned_keys_;          // stable, unlike a vector
  std::vector<std::unordered_set<std::string_view>> big_sets_;
  std::string pending_key_;
  bool key_pending_ = false;
  Frame frames_[kMaxJsonDepth + 1];
  int depth_ = 0;
  std::string number_text_;
  Failure failure_ = Failure::kNone;
  std::string duplicate_name_;
};

// StableName returns the complete name, in storage that lives as long as the
// parse: the input itself in the common case of a name without escapes.
std::string_view Handler::StableName(std::string_view last_part) {
  const auto in_input = [this](std::string_view s) {
    const auto begin = reinterpret_cast<std::uintptr_t>(input_.data());
    const auto p = reinterpret_cast<std::uintptr_t>(s.data());
    return p >= begin && p + s.size() <= begin + input_.size();
  };
  if (!key_pending_ && in_input(last_part)) return last_part;
  pending_key_.append(last_part);
  owned_keys_.push_front(std::move(pending_key_));
  pending_key_.clear();
  key_pending_ = false;
  return owned_keys_.front();
}

bool Handler::RegisterKey(std::string_view name, json::error_code& ec) {
  const KeyEntry entry{name, Fingerprint(name)};
  Frame& frame = frames_[depth_];
  bool unique = true;
  if (frame.big >= 0) {
    unique = big_sets_[frame.big].insert(name).second;
  } else {
    for (std::size_t i = frame.first_key; i < keys_.size() && unique; ++i) {
      unique = !SameName(keys_[i], entry);
    }
    if (unique) keys_.push_back(entry);
    if (keys_.size() - frame.first_key > kLinearKeyLimit) {
      frame.big = static_cast<int>(big_sets_.size());
      std::unordered_set<std::string_view>& set = big_sets_.emplace_back();
      for (std::size_t i = frame.first_key; i < keys_.size(); ++i) set.insert(keys_[i].name);
      keys_.resize(frame.first_key);
    }
  }
  if (unique) return true;
  duplicate_name_.assign(name.substr(0, 64));
  return Fail(Failure::kDuplicate, ec);
}

// Boost 1.81 converts decimal to binary imprecisely (about one double in
// seven is off by an ulp) and turns 1e400 into infinity; a NumericDate must
// read back exactly, so the text is converted again with from_chars.
bool Handler::on_double(double d, json::string_view s, json::error_code& ec) {
  std::string_view text(s.data(), s.size());
  if (!number_text_.empty()) {
    number_text_.append(s.data(), s.size());
    text = number_text_;
  }
  double exact = d;
  const auto [ptr, err] = std::from_chars(text.data(), text.data() + text.size(), exact);
  number_text_.clear();
  if (err == std::errc::result_out_of_range) {
    if (std::isinf(d)) return Fail(Failure::kNumberRange, ec);
    exact = d;  // underflow: Boost's zero or subnormal is as good as any
  } else if (err != std::errc() || ptr != text.data() + text.size()) {
    exact = d;
  }
  values_.push_double(exact);
  return true;
}

std::string Describe(const Handler& handler, const json::error_code& ec, std::string_view text,
                     std::size_t offset) {
  const std::string at = " at offset " + std::to_string(offset);
  switch (handler.failure()) {
    case Failure::kDuplicate: {
      std::string message = "duplicate member name ";
      AppendJsonString(message, handler.duplicate_name());
      return message + at;
    }
    case Failure::kTooDeep:
      return "nesting deeper than " + std::to_string(kMaxJsonDepth) + at;
    case Failure::kNumberRange:
      return "number out of range" + at;
    case Failure::kNone:
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

}  // namespace

Result<json::value> ParseJson(std::string_view text, json::storage_ptr sp) {
  // Stack buffers keep a typical header or claims set free of heap allocation.
  alignas(json::value) unsigned char stack_buffer[1024];
  json::parse_options options;
  // Ours is the depth limit that fires; Boost's must only be above it.
  options.max_depth = kMaxJsonDepth + 1;
  json::basic_parser<Handler> parser(options, text, stack_buffer, sizeof(stack_buffer));
  parser.handler().Reset(std::move(sp));
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
  return parser.handler().Release();
}

Result<json::object> ParseJsonObject(std::string_view text, json::storage_ptr sp) {
  Result<json::value> parsed = ParseJson(text, std::move(sp));
  if (!parsed) return std::move(parsed).error();
  json::value& value = *parsed;
  if (!value.is_object()) {
    return Error(ErrorCode::kBadJson,
                 "the JSON text is " + std::string(JsonKindName(value)) + ", not an object");
  }
  return std::move(value.get_object());
}

std::optional<std::string_view> FindString(const json::object& object, std::string_view name) {
  const json::value* member = object.if_contains(json::string_view(name.data(), name.size()));
  if (member == nullptr || !member->is_string()) return std::nullopt;
  const json::string& s = member->get_string();
  return std::string_view(s.data(), s.size());
}

std::optional<double> FindNumber(const json::object& object, std::string_view name) {
  const json::value* member = object.if_contains(json::string_view(name.data(), name.size()));
  if (member == nullptr) return std::nullopt;
  return AsNumber(*member);
}

std::optional<double> AsNumber(const json::value& value) {
  switch (value.kind()) {
    case json::kind::int64:
      return static_cast<double>(value.get_int64());
    case json::kind::uint64:
      return static_cast<double>(value.get_uint64());
    case json::kind::double_:
      return value.get_double();
    default:
      return std::nullopt;
  }
}

}  // namespace tock::internal
