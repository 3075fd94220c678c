// fuzz_json: the one JSON parser of untrusted input (internal/json.h) in its
// two modes, against each other and against a reference.
//
// - ParseJson (DOM), ParseJsonObject with a record, and CheckJsonObject
//   (check-only, recording) accept and refuse alike, with the same message;
//   CheckJsonObject refuses a non-object top with "not an object".
// - Every recorded member matches the DOM (kind, text, number, array).
// - CheckJsonObjects, which reuses one parser across texts (the verify path:
//   header then payload), gives each text the result it gets alone.
// - A reference handler on Boost's tokenizer, with its own duplicate and
//   depth bookkeeping, accepts exactly what tock accepts.
// - What tock serialises reads back as the same value; FindInvalidUtf8
//   agrees with a reference UTF-8 decoder; AppendJsonString always writes
//   JSON that reads back as the text (when the text is UTF-8).
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "internal/json.h"
#include "tock/limits.h"

namespace tock::fuzz {
namespace {

using internal::MemberNames;
using internal::MemberRecord;

// Registered names, a name over 8 bytes (compared in full), a one-byte name
// and a non-ASCII one.
constexpr MemberNames kNames{"alg",     "aud", "exp", "kid", "keys", "a", "long_member_name",
                             "\xc3\xa9"};

// A fixed object with escapes and arrays, parsed after the fuzzed text by the
// same parser: state left over from the fuzzed text would change its record.
constexpr std::string_view kFixed =
    R"({"alg":"HS256","aud":["x","y\u0041"],"exp":1.5e9,"kid":"k\"1","keys":[1,"z"]})";

// RefHandler sees the same tokens as tock's handler but keeps its own
// bookkeeping: every object's names in a std::set, the deepest nesting, and
// the number rule (a double whose exact value overflows is refused). It never
// stops early, so it reports every problem of a text Boost can tokenise.
class RefHandler {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();
  using error_code = json::error_code;
  using string_view = json::string_view;

  bool duplicate = false;
  bool out_of_range = false;
  int max_depth = 0;

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) {
    names_.emplace_back();
    return Enter();
  }
  bool on_object_end(std::size_t, error_code&) {
    names_.pop_back();
    --depth_;
    return true;
  }
  bool on_array_begin(error_code&) { return Enter(); }
  bool on_array_end(std::size_t, error_code&) {
    --depth_;
    return true;
  }
  bool on_key_part(string_view s, std::size_t, error_code&) {
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(string_view s, std::size_t, error_code&) {
    key_.append(s.data(), s.size());
    if (!names_.back().insert(key_).second) duplicate = true;
    key_.clear();
    return true;
  }
  bool on_string_part(string_view, std::size_t, error_code&) { return true; }
  bool on_string(string_view, std::size_t, error_code&) { return true; }
  bool on_number_part(string_view s, error_code&) {
    number_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t, string_view, error_code&) {
    number_.clear();
    return true;
  }
  bool on_uint64(std::uint64_t, string_view, error_code&) {
    number_.clear();
    return true;
  }
  bool on_double(double d, string_view s, error_code&) {
    number_.append(s.data(), s.size());
    double exact = 0;
    const auto [ptr, err] = std::from_chars(number_.data(), number_.data() + number_.size(), exact);
    if (err == std::errc::result_out_of_range && std::isinf(d)) out_of_range = true;
    number_.clear();
    return true;
  }
  bool on_bool(bool, error_code&) { return true; }
  bool on_null(error_code&) { return true; }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }

 private:
  bool Enter() {
    ++depth_;
    if (depth_ > max_depth) max_depth = depth_;
    return true;
  }

  std::vector<std::set<std::string>> names_;
  std::string key_;
  std::string number_;
  int depth_ = 0;
};

struct RefResult {
  bool tokenised = false;  // Boost's grammar accepts the whole text
  bool duplicate = false;
  bool out_of_range = false;
  int max_depth = 0;
};

RefResult Reference(std::string_view text) {
  json::parse_options options;
  options.max_depth = std::numeric_limits<std::size_t>::max();
  json::basic_parser<RefHandler> parser(options);
  json::error_code ec;
  const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  const RefHandler& h = parser.handler();
  return {!ec && used == text.size(), h.duplicate, h.out_of_range, h.max_depth};
}

// ReferenceInvalidUtf8 decodes code points (RFC 3629): overlong forms,
// surrogates and values above U+10FFFF are not well-formed.
std::optional<std::size_t> ReferenceInvalidUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    std::uint32_t cp = 0;
    if (lead < 0x80) {
      length = 1;
      cp = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2;
      cp = lead & 0x1Fu;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      cp = lead & 0x0Fu;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      cp = lead & 0x07u;
    } else {
      return i;
    }
    if (i + length > text.size()) return i;
    for (std::size_t k = 1; k < length; ++k) {
      const auto c = static_cast<unsigned char>(text[i + k]);
      if ((c & 0xC0) != 0x80) return i;
      cp = cp << 6 | (c & 0x3Fu);
    }
    constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += length;
  }
  return std::nullopt;
}

bool IsNotAnObjectMessage(const std::string& message) {
  return message.starts_with("the JSON text is ") && message.ends_with(", not an object");
}

void CheckModesAgree(std::string_view text) {
  Result<json::value> dom = internal::ParseJson(text);
  MemberRecord checked_record(kNames);
  Result<void> checked = internal::CheckJsonObject(text, checked_record);
  MemberRecord built_record(kNames);
  Result<json::object> built = internal::ParseJsonObject(text, {}, &built_record);

  if (!dom) {
    FUZZ_CHECK(dom.error().code() == ErrorCode::kBadJson);
    FUZZ_CHECK(!checked && !built);
    FUZZ_CHECK(checked.error().code() == ErrorCode::kBadJson);
    FUZZ_CHECK(checked.error().message() == dom.error().message());
    FUZZ_CHECK(built.error().message() == dom.error().message());
  } else if (!dom->is_object()) {
    FUZZ_CHECK(!checked && !built);
    FUZZ_CHECK(IsNotAnObjectMessage(checked.error().message()));
    FUZZ_CHECK(checked.error().message() == built.error().message());
  } else {
    if (!checked) std::fprintf(stderr, "check-only: %s\n", checked.error().message().c_str());
    FUZZ_CHECK(checked.ok() && built.ok());
    FUZZ_CHECK(SameJson(*dom, json::value(*built)));
    CheckRecorded(checked_record, kNames, dom->get_object());
    CheckRecorded(built_record, kNames, dom->get_object());
  }

  // Tock accepts exactly the texts the reference finds well-formed, free of
  // duplicate names, within the depth limit and the number range.
  const RefResult ref = Reference(text);
  const bool ref_accepts =
      ref.tokenised && !ref.duplicate && !ref.out_of_range && ref.max_depth <= kMaxJsonDepth;
  if (dom.ok() != ref_accepts) {
    std::fprintf(stderr, "tock %s, reference: tokenised %d duplicate %d out_of_range %d depth %d\n",
                 dom ? "accepts" : dom.error().message().c_str(), ref.tokenised, ref.duplicate,
                 ref.out_of_range, ref.max_depth);
  }
  FUZZ_CHECK(dom.ok() == ref_accepts);
  if (!dom) {
    const std::string& message = dom.error().message();
    if (message.starts_with("duplicate member name")) FUZZ_CHECK(ref.duplicate);
    if (message.starts_with("nesting deeper than")) FUZZ_CHECK(ref.max_depth > kMaxJsonDepth);
    return;
  }

  // What tock writes (compact or pretty) it reads back as the same value.
  for (bool pretty : {false, true}) {
    const json::value again = CheckReparses(internal::SerializeJson(*dom, pretty));
    FUZZ_CHECK(SameJson(*dom, again));
  }
}

// CheckReuse runs CheckJsonObjects over pairs of texts: each must get the
// result (and record) it gets alone.
void CheckReuse(std::string_view text) {
  MemberRecord alone(kNames);
  const Result<void> text_alone = internal::CheckJsonObject(text, alone);
  MemberRecord fixed_alone(kNames);
  FUZZ_CHECK(internal::CheckJsonObject(kFixed, fixed_alone).ok());
  const json::object fixed_dom = internal::ParseJson(kFixed)->get_object();

  {  // The fuzzed text first, the fixed one after it.
    MemberRecord first(kNames), second(kNames);
    const internal::RecordedText texts[] = {{text, &first}, {kFixed, &second}};
    std::size_t failed = 99;
    const Result<void> both = internal::CheckJsonObjects(texts, failed);
    FUZZ_CHECK(both.ok() == text_alone.ok());
    if (!both) {
      FUZZ_CHECK(failed == 0 && both.error().message() == text_alone.error().message());
    } else {
      CheckRecorded(second, kNames, fixed_dom);
    }
  }
  {  // The fixed text first, the fuzzed one after it.
    MemberRecord first(kNames), second(kNames);
    const internal::RecordedText texts[] = {{kFixed, &first}, {text, &second}};
    std::size_t failed = 99;
    const Result<void> both = internal::CheckJsonObjects(texts, failed);
    FUZZ_CHECK(both.ok() == text_alone.ok());
    if (!both) {
      FUZZ_CHECK(failed == 1 && both.error().message() == text_alone.error().message());
    } else {
      CheckRecorded(second, kNames, internal::ParseJson(text)->get_object());
    }
  }
}

void CheckStrings(std::string_view text) {
  const std::optional<std::size_t> bad = internal::FindInvalidUtf8(text);
  FUZZ_CHECK(bad == ReferenceInvalidUtf8(text));
  std::string quoted;
  internal::AppendJsonString(quoted, text);
  const json::value back = CheckReparses(quoted);
  FUZZ_CHECK(back.is_string());
  const std::string_view unquoted = View(back.get_string());
  FUZZ_CHECK(!internal::FindInvalidUtf8(unquoted).has_value());
  if (!bad) FUZZ_CHECK(unquoted == text);
  // Nothing that could drive a terminal is written raw: no C0, DEL or C1.
  for (std::size_t i = 0; i < quoted.size(); ++i) {
    const auto c = static_cast<unsigned char>(quoted[i]);
    FUZZ_CHECK(c >= 0x20 && c != 0x7F);
    if (c == 0xC2 && i + 1 < quoted.size()) {
      FUZZ_CHECK(static_cast<unsigned char>(quoted[i + 1]) > 0x9F);
    }
  }
}

}  // namespace
}  // namespace tock::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = tock::fuzz::View(data, size);
  tock::fuzz::CheckModesAgree(text);
  tock::fuzz::CheckReuse(text);
  tock::fuzz::CheckStrings(text);
  return 0;
}
