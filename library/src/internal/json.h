// The one JSON parser for untrusted input, and small helpers over Boost.JSON.
//
// Boost 1.81's own parser keeps the last of duplicate members and stops at
// depth 32, so untrusted JSON goes through our boost::json::basic_parser
// handler instead: it rejects duplicate member names, counts depth to
// kMaxJsonDepth (top-level container = depth 1), rejects invalid UTF-8,
// comments and trailing commas, and builds the value with the caller's
// storage (a monotonic buffer on the verify path). Every part of tock parses
// untrusted JSON with this, once, so no two parts can read it differently.
#ifndef TOCK_INTERNAL_JSON_H_
#define TOCK_INTERNAL_JSON_H_

#include <boost/json/object.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "tock/result.h"

namespace tock::internal {

// ParseJson parses a complete JSON text of any type. kBadJson with a message
// naming the problem ("duplicate member name \"exp\"", "nesting deeper than
// 64", "invalid UTF-8", "syntax error at offset N") on failure.
Result<boost::json::value> ParseJson(std::string_view text, boost::json::storage_ptr sp = {});

// ParseJsonObject is ParseJson that also requires the top level to be an
// object (kBadJson "not a JSON object" otherwise).
Result<boost::json::object> ParseJsonObject(std::string_view text,
                                            boost::json::storage_ptr sp = {});

// SerializeJson writes |value| compactly, or indented by two spaces when
// |pretty|. Control characters in strings are escaped. Doubles that hold an
// integer print without a fraction or exponent; others print shortest
// round-trip, so NumericDates keep their exact value.
std::string SerializeJson(const boost::json::value& value, bool pretty = false);
// SerializeJson of an object, without copying it into a value first.
std::string SerializeJson(const boost::json::object& object, bool pretty = false);

// AppendJsonString appends |text| as a quoted, escaped JSON string. Besides
// what JSON requires, DEL and the C1 controls (U+0080..U+009F) are escaped,
// since text from a token must not drive a terminal, and bytes that are not
// UTF-8 become \ufffd, so the output is always valid JSON.
void AppendJsonString(std::string& out, std::string_view text);

// FindInvalidUtf8 returns the offset of the first byte of |text| that does
// not start a well-formed UTF-8 sequence (RFC 3629), or nullopt when there is
// none.
std::optional<std::size_t> FindInvalidUtf8(std::string_view text);

// FindString returns the member |name| of |object| when it is a string.
std::optional<std::string_view> FindString(const boost::json::object& object,
                                           std::string_view name);
// FindNumber returns the member |name| when it is a number (int64, uint64 or
// double), as a double.
std::optional<double> FindNumber(const boost::json::object& object, std::string_view name);
// AsNumber returns |value| as a double when it is a number.
std::optional<double> AsNumber(const boost::json::value& value);

}  // namespace tock::internal

#endif  // TOCK_INTERNAL_JSON_H_
