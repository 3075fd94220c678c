// The basic_parser handler behind ParseJson: the one parser of untrusted
// JSON. Private to json.cc, the one translation unit that instantiates
// basic_parser with it, so every event handler below is inlined there.
#ifndef TOCK_INTERNAL_JSON_HANDLER_H_
#define TOCK_INTERNAL_JSON_HANDLER_H_

#include <boost/container/small_vector.hpp>
#include <boost/json/basic_parser.hpp>
#include <boost/json/value_stack.hpp>
#include <cstddef>
#include <cstdint>
#include <forward_list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "internal/json.h"
#include "tock/limits.h"

namespace tock::internal {

enum class JsonFailure { kNone, kDuplicate, kTooDeep, kNumberRange };

// JsonHandler adds the checks Boost 1.81 does not make, and either builds the
// value with a value_stack (in the caller's storage) or, with no DOM wanted,
// only notes the members a MemberRecord names. Both modes run the same
// checks, so a text one accepts the other accepts too.
// RFC 8259 §4 leaves duplicate names to the implementation; JWS (RFC 7515
// §5.2) requires rejecting them, since two readers could otherwise see two
// different claims sets in one token.
class JsonHandler {
 public:
  static constexpr std::size_t max_object_size = boost::json::object::max_size();
  static constexpr std::size_t max_array_size = boost::json::array::max_size();
  static constexpr std::size_t max_key_size = boost::json::string::max_size();
  static constexpr std::size_t max_string_size = boost::json::string::max_size();
  using error_code = boost::json::error_code;
  using string_view = boost::json::string_view;

  JsonHandler(std::string_view input, unsigned char* stack_buffer, std::size_t stack_size,
              bool build, MemberRecord* record)
      : input_(input), build_(build), record_(record) {
    if (build_) values_.emplace(boost::json::storage_ptr(), stack_buffer, stack_size);
  }

  void Reset(boost::json::storage_ptr sp) { values_->reset(std::move(sp)); }
  // Rebind prepares the handler (without a value) for another text, after a
  // complete parse of the previous one.
  void Rebind(std::string_view input, MemberRecord* record) {
    input_ = input;
    record_ = record;
    top_kind_ = JsonKind::kAbsent;
    member_ = -1;
    array_ = nullptr;
  }
  boost::json::value Release() { return values_->release(); }
  JsonFailure failure() const { return failure_; }
  const std::string& duplicate_name() const { return duplicate_name_; }
  JsonKind top_kind() const { return top_kind_; }

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code& ec);
  bool on_object_end(std::size_t n, error_code&);
  bool on_array_begin(error_code& ec);
  bool on_array_end(std::size_t n, error_code&);
  bool on_key_part(string_view s, std::size_t, error_code&);
  bool on_key(string_view s, std::size_t, error_code& ec);
  bool on_string_part(string_view s, std::size_t, error_code&);
  bool on_string(string_view s, std::size_t, error_code&);
  bool on_number_part(string_view s, error_code&) {
    number_text_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, string_view, error_code&);
  bool on_uint64(std::uint64_t u, string_view, error_code&);
  bool on_double(double d, string_view s, error_code& ec);
  bool on_bool(bool b, error_code&);
  bool on_null(error_code&);
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }

 private:
  // KeyEntry is a member name of an open object. |name| points into the
  // input text, or into |owned_keys_| for names Boost delivered unescaped or
  // in parts. |print| is its NameFingerprint, so most names are told apart
  // without a memcmp: JWT claim names are all three bytes long.
  struct KeyEntry {
    std::string_view name;
    std::uint64_t print;
  };
  struct Frame {
    std::size_t first_key;  // this object's names are keys_[first_key...]
    int big;                // index in big_sets_ once there are many names
    std::uint64_t filter;   // a bit per fingerprint slot of its names
  };

  bool Fail(JsonFailure failure, error_code& ec);
  bool Enter(error_code& ec);
  bool InInput(std::string_view s) const;
  std::string_view StableName(std::string_view last_part) {
    // The input itself in the common case of a name without escapes.
    return !key_pending_ && InInput(last_part) ? last_part : OwnName(last_part);
  }
  std::string_view OwnName(std::string_view last_part);
  // Above this many members an object's names move into a hash set, so a
  // hostile object with thousands of members cannot make the duplicate
  // check quadratic; below it a linear scan is faster than hashing.
  static constexpr std::size_t kLinearKeyLimit = 16;
  static std::uint64_t FilterBit(std::uint64_t print) {
    return std::uint64_t{1} << FingerprintSlot(print, 0x9E3779B97F4A7C15ull);
  }
  bool RegisterKey(std::string_view name, std::uint64_t print, error_code& ec);
  bool RegisterKeySlow(std::string_view name, std::uint64_t print, error_code& ec);
  bool RecordsString() const;
  RecordedMember* Target();
  void NoteKind(JsonKind kind);
  void NoteNumber(double number, bool beyond_2_53);

  std::string_view input_;
  // Only when building: its constructor and destructor are calls into the
  // Boost.JSON library that a check-only parse does not need.
  std::optional<boost::json::value_stack> values_;
  bool build_;
  MemberRecord* record_;
  boost::container::small_vector<KeyEntry, 32> keys_;  // names of open objects
  std::forward_list<std::string> owned_keys_;          // stable, unlike a vector
  std::vector<std::unordered_set<std::string_view>> big_sets_;
  std::string pending_key_;
  bool key_pending_ = false;
  Frame frames_[kMaxJsonDepth + 1];
  int depth_ = 0;
  std::string number_text_;
  JsonFailure failure_ = JsonFailure::kNone;
  std::string duplicate_name_;
  JsonKind top_kind_ = JsonKind::kAbsent;
  // Recording: the top-level member whose value comes next (-1: none asked
  // for), the recorded array whose elements are being read, and the parts of
  // a recorded string that Boost delivered in pieces.
  int member_ = -1;
  RecordedMember* array_ = nullptr;
  std::string pending_string_;
  bool string_pending_ = false;
};

inline bool JsonHandler::Fail(JsonFailure failure, error_code& ec) {
  failure_ = failure;
  ec = boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
  return false;
}

// Enter counts one more open container: the top-level one is depth 1 and
// depth kMaxJsonDepth is the deepest accepted (spec: Precise rules).
inline bool JsonHandler::Enter(error_code& ec) {
  if (depth_ >= kMaxJsonDepth) return Fail(JsonFailure::kTooDeep, ec);
  ++depth_;
  return true;
}

inline bool JsonHandler::InInput(std::string_view s) const {
  const auto begin = reinterpret_cast<std::uintptr_t>(input_.data());
  const auto p = reinterpret_cast<std::uintptr_t>(s.data());
  return p >= begin && p + s.size() <= begin + input_.size();
}

inline bool JsonHandler::on_object_begin(error_code& ec) {
  NoteKind(JsonKind::kObject);
  if (!Enter(ec)) return false;
  frames_[depth_] = Frame{keys_.size(), -1, 0};
  return true;
}

inline bool JsonHandler::on_object_end(std::size_t n, error_code&) {
  if (build_) values_->push_object(n);
  const Frame& frame = frames_[depth_];
  if (frame.big >= 0) big_sets_.pop_back();  // inner objects close first
  keys_.resize(frame.first_key);
  --depth_;
  return true;
}

inline bool JsonHandler::on_array_begin(error_code& ec) {
  NoteKind(JsonKind::kArray);
  return Enter(ec);
}

inline bool JsonHandler::on_array_end(std::size_t n, error_code&) {
  if (build_) values_->push_array(n);
  --depth_;
  if (depth_ == 1) array_ = nullptr;
  return true;
}

// A name arrives in parts when it contains an escape or crosses Boost's
// internal buffer, so duplicates are compared on the reassembled name.
inline bool JsonHandler::on_key_part(string_view s, std::size_t, error_code&) {
  pending_key_.append(s.data(), s.size());
  key_pending_ = true;
  if (build_) values_->push_chars(s);
  return true;
}

// RegisterKey fails on a name already seen in the same object. A 64-bit
// filter per object (one bit per fingerprint slot) settles most names
// without looking at the others; only a filter hit scans them. Inline, so
// the name stays in registers: copying it through memory stalled on store
// forwarding.
inline bool JsonHandler::RegisterKey(std::string_view name, std::uint64_t print, error_code& ec) {
  Frame& frame = frames_[depth_];
  const std::uint64_t bit = FilterBit(print);
  if (frame.big >= 0 || (frame.filter & bit) != 0 ||
      keys_.size() - frame.first_key >= kLinearKeyLimit) {
    return RegisterKeySlow(name, print, ec);
  }
  frame.filter |= bit;
  // Field by field: a KeyEntry temporary went through the stack and its
  // 16-byte reload stalled on store forwarding.
  KeyEntry& entry = keys_.emplace_back();
  entry.name = name;
  entry.print = print;
  return true;
}

inline bool JsonHandler::on_key(string_view s, std::size_t, error_code& ec) {
  const std::string_view name = StableName(std::string_view(s.data(), s.size()));
  const std::uint64_t print = NameFingerprint(name);
  if (!RegisterKey(name, print, ec)) return false;
  if (build_) values_->push_key(s);
  if (record_ != nullptr && depth_ == 1) member_ = record_->IndexOf(name, print);
  return true;
}

inline bool JsonHandler::on_string_part(string_view s, std::size_t, error_code&) {
  if (build_) values_->push_chars(s);
  if (RecordsString()) {
    pending_string_.append(s.data(), s.size());
    string_pending_ = true;
  }
  return true;
}

inline bool JsonHandler::on_string(string_view s, std::size_t, error_code&) {
  if (build_) values_->push_string(s);
  if (depth_ == 0) top_kind_ = JsonKind::kString;
  if (!RecordsString()) return true;
  const bool element = depth_ == 2;
  std::string_view text(s.data(), s.size());
  // Boost hands over a view into the input unless it had to unescape.
  if (string_pending_ || !InInput(text)) {
    pending_string_.append(text);
    text = record_->Own(std::move(pending_string_));
    pending_string_.clear();
    string_pending_ = false;
  }
  if (element) {
    record_->AddItem(*array_, text);
  } else if (RecordedMember* m = Target()) {
    m->kind = JsonKind::kString;
    m->text = text;
  }
  return true;
}

inline bool JsonHandler::on_int64(std::int64_t i, string_view, error_code&) {
  number_text_.clear();
  if (build_) values_->push_int64(i);
  NoteNumber(static_cast<double>(i), i > kMaxExactInteger || i < -kMaxExactInteger);
  return true;
}

inline bool JsonHandler::on_uint64(std::uint64_t u, string_view, error_code&) {
  number_text_.clear();
  if (build_) values_->push_uint64(u);
  NoteNumber(static_cast<double>(u), u > static_cast<std::uint64_t>(kMaxExactInteger));
  return true;
}

inline bool JsonHandler::on_bool(bool b, error_code&) {
  if (build_) values_->push_bool(b);
  NoteKind(JsonKind::kBool);
  return true;
}

inline bool JsonHandler::on_null(error_code&) {
  if (build_) values_->push_null();
  NoteKind(JsonKind::kNull);
  return true;
}

// RecordsString says whether a string read now is noted: the value of a
// recorded member, or an element of a recorded array.
inline bool JsonHandler::RecordsString() const {
  return (depth_ == 1 && member_ >= 0) || (depth_ == 2 && array_ != nullptr);
}

// Target returns the recorded member whose value is being read, once.
inline RecordedMember* JsonHandler::Target() {
  if (depth_ != 1 || member_ < 0) return nullptr;
  RecordedMember* member = &record_->Begin(static_cast<std::size_t>(member_));
  member_ = -1;
  return member;
}

// NoteKind notes a value that is not a string or number; containers are
// noted before they are entered.
inline void JsonHandler::NoteKind(JsonKind kind) {
  if (depth_ == 0) {
    top_kind_ = kind;
  } else if (depth_ == 2 && array_ != nullptr) {
    ++array_->size;
    array_->strings_only = false;
  } else if (RecordedMember* member = Target()) {
    member->kind = kind;
    if (kind == JsonKind::kArray) array_ = member;
  }
}

inline void JsonHandler::NoteNumber(double number, bool beyond_2_53) {
  if (RecordedMember* member = Target()) {
    member->kind = JsonKind::kNumber;
    member->number = number;
    member->beyond_2_53 = beyond_2_53;
    return;
  }
  NoteKind(JsonKind::kNumber);
}

}  // namespace tock::internal

#endif  // TOCK_INTERNAL_JSON_HANDLER_H_
