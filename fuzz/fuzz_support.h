// Checks shared by the fuzz targets. A failed check prints what broke and
// aborts, which libFuzzer reports as a crash and saves the input.
#ifndef TOCK_FUZZ_FUZZ_SUPPORT_H_
#define TOCK_FUZZ_FUZZ_SUPPORT_H_

#include <algorithm>
#include <array>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "internal/json.h"

// FUZZ_CHECK aborts when |cond| is false: a property of the code under test
// does not hold for this input.
#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

namespace tock::fuzz {

namespace json = boost::json;

inline std::string_view View(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

inline std::string_view View(const json::string& s) { return {s.data(), s.size()}; }

inline internal::JsonKind KindOf(const json::value& value) {
  switch (value.kind()) {
    case json::kind::object:
      return internal::JsonKind::kObject;
    case json::kind::array:
      return internal::JsonKind::kArray;
    case json::kind::string:
      return internal::JsonKind::kString;
    case json::kind::bool_:
      return internal::JsonKind::kBool;
    case json::kind::null:
      return internal::JsonKind::kNull;
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return internal::JsonKind::kNumber;
  }
  std::abort();
}

// CheckRecorded asserts that every member |names| lists was recorded exactly
// as the DOM |object| of the same text holds it: kind, string text, number
// value, array size and strings_only, and the recorded string elements.
inline void CheckRecorded(const internal::MemberRecord& record, const internal::MemberNames& names,
                          const json::object& object) {
  // The record keeps up to kMaxItems string elements in all, the leading run
  // of strings of each recorded array in text order (the object's order):
  // an all-string array comes back whole exactly when it fitted.
  std::size_t items_used = 0;
  std::array<bool, internal::MemberNames::kMax> fits{};
  for (const auto& entry : object) {
    const std::string_view key(entry.key().data(), entry.key().size());
    const int index = names.IndexOf(key, internal::NameFingerprint(key));
    if (index < 0 || !entry.value().is_array()) continue;
    const json::array& array = entry.value().get_array();
    std::size_t run = 0;
    while (run < array.size() && array[run].is_string()) ++run;
    fits[static_cast<std::size_t>(index)] =
        items_used + array.size() <= internal::MemberRecord::kMaxItems;
    items_used += std::min(run, internal::MemberRecord::kMaxItems - items_used);
  }
  for (std::size_t i = 0; i < names.count; ++i) {
    const std::string_view name = names.names[i];
    const internal::RecordedMember& member = record.at(i);
    FUZZ_CHECK(record.Find(name) == &member);
    const json::value* value = object.if_contains(json::string_view(name.data(), name.size()));
    if (value == nullptr) {
      FUZZ_CHECK(!member.present());
      FUZZ_CHECK(!record.Strings(member).has_value());
      continue;
    }
    FUZZ_CHECK(member.kind == KindOf(*value));
    switch (member.kind) {
      case internal::JsonKind::kString: {
        FUZZ_CHECK(member.text == View(value->get_string()));
        const auto strings = record.Strings(member);
        FUZZ_CHECK(strings && strings->size() == 1 && (*strings)[0] == member.text);
        break;
      }
      case internal::JsonKind::kNumber:
        FUZZ_CHECK(member.number == *internal::AsNumber(*value));
        break;
      case internal::JsonKind::kArray: {
        const json::array& array = value->get_array();
        FUZZ_CHECK(member.size == array.size());
        bool strings_only = true;
        for (const json::value& element : array) strings_only = strings_only && element.is_string();
        FUZZ_CHECK(member.strings_only == strings_only);
        // Strings gives every element or nothing; nothing is allowed only
        // when the elements are not all strings or did not fit the record.
        const auto strings = record.Strings(member);
        FUZZ_CHECK(strings.has_value() == (strings_only && fits[i]));
        if (strings) {
          FUZZ_CHECK(strings->size() == array.size());
          for (std::size_t k = 0; k < array.size(); ++k) {
            FUZZ_CHECK((*strings)[k] == View(array[k].get_string()));
          }
        }
        break;
      }
      default:
        FUZZ_CHECK(!record.Strings(member).has_value());
        break;
    }
  }
}

// NumbersEqual compares two JSON numbers by value (1 and 1.0 are the same
// NumericDate once serialised).
inline bool NumbersEqual(const json::value& a, const json::value& b) {
  return *internal::AsNumber(a) == *internal::AsNumber(b);
}

// SameJson compares two values as JSON: numbers by value, objects by members.
inline bool SameJson(const json::value& a, const json::value& b) {
  if (a.is_number() || b.is_number()) return a.is_number() && b.is_number() && NumbersEqual(a, b);
  if (a.kind() != b.kind()) return false;
  if (a.is_object()) {
    const json::object& x = a.get_object();
    const json::object& y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& member : x) {
      const json::value* other = y.if_contains(member.key());
      if (other == nullptr || !SameJson(member.value(), *other)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    const json::array& x = a.get_array();
    const json::array& y = b.get_array();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (!SameJson(x[i], y[i])) return false;
    }
    return true;
  }
  return a == b;
}

// CheckReparses asserts that |text|, which tock wrote, is JSON that tock's
// own parser reads back; returns the value.
inline json::value CheckReparses(std::string_view text) {
  auto parsed = internal::ParseJson(text);
  if (!parsed) {
    std::fprintf(stderr, "not JSON (%s): %.*s\n", parsed.error().message().c_str(),
                 static_cast<int>(text.size()), text.data());
  }
  FUZZ_CHECK(parsed.ok());
  return std::move(*parsed);
}

// CheckDocument asserts that |text|, a report tock wrote, is JSON. Reports
// embed a token's header and payload a level or two down, so they may be
// deeper than tock's input limit: Boost's own parser reads them.
inline json::value CheckDocument(std::string_view text) {
  json::parse_options options;
  options.max_depth = 1000;
  json::error_code ec;
  json::value value = json::parse(json::string_view(text.data(), text.size()), ec, {}, options);
  if (ec) {
    std::fprintf(stderr, "not JSON (%s): %.*s\n", ec.message().c_str(),
                 static_cast<int>(text.size()), text.data());
  }
  FUZZ_CHECK(!ec);
  return value;
}

}  // namespace tock::fuzz

#endif  // TOCK_FUZZ_FUZZ_SUPPORT_H_
