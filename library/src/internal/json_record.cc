#include <boost/json/object.hpp>
#include <new>

#include "internal/json.h"

namespace tock::internal {

namespace json = boost::json;

std::string_view JsonKindName(JsonKind kind) {
  switch (kind) {
    case JsonKind::kObject:
      return "an object";
    case JsonKind::kArray:
      return "an array";
    case JsonKind::kString:
      return "a string";
    case JsonKind::kBool:
      return "a boolean";
    case JsonKind::kNull:
      return "null";
    case JsonKind::kNumber:
      return "a number";
    case JsonKind::kAbsent:
      break;
  }
  return "absent";
}

const RecordedMember* MemberRecord::Find(std::string_view name) const {
  const int index = names_->IndexOf(name, NameFingerprint(name));
  return index < 0 ? nullptr : &at(static_cast<std::size_t>(index));
}

std::optional<std::span<const std::string_view>> MemberRecord::Strings(
    const RecordedMember& member) const {
  if (member.kind == JsonKind::kString) return std::span<const std::string_view>(&member.text, 1);
  if (member.kind != JsonKind::kArray || !member.strings_only || member.item_count != member.size) {
    return std::nullopt;
  }
  if (member.item_count == 0) return std::span<const std::string_view>();
  return std::span<const std::string_view>(items_.list.data() + member.first_item,
                                           member.item_count);
}

void MemberRecord::AddItem(RecordedMember& array, std::string_view text) {
  ++array.size;
  // Only an unbroken run of strings from the first element is kept.
  if (array.item_count + 1u != array.size || item_count_ == kMaxItems) return;
  if (item_count_ == 0) new (&items_.list) std::array<std::string_view, kMaxItems>();
  if (array.item_count == 0) array.first_item = static_cast<std::uint8_t>(item_count_);
  items_.list[item_count_++] = text;
  ++array.item_count;
}

std::string_view MemberRecord::Own(std::string text) {
  owned_.push_front(std::move(text));
  return owned_.front();
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
