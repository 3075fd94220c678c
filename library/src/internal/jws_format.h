// Splitting and decoding the compact JWS serialisation (RFC 7515 §7.1).
#ifndef TOCK_INTERNAL_JWS_FORMAT_H_
#define TOCK_INTERNAL_JWS_FORMAT_H_

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "tock/result.h"

namespace tock::internal {

// ParsedToken is a decoded compact JWS. It owns a copy of the token; the
// part views point into it. Header and payload live in |arena| so decoding a
// typical token makes no heap allocation per JSON member.
struct ParsedToken {
  ParsedToken() = default;
  ParsedToken(const ParsedToken&) = delete;
  ParsedToken& operator=(const ParsedToken&) = delete;

  std::string compact;
  std::string_view header_part;     // base64url, as in the token
  std::string_view payload_part;    // base64url, as in the token
  std::string_view signature_part;  // base64url, as in the token
  std::string_view signing_input;   // "header.payload": the bytes signed
  std::string signature;            // decoded signature bytes

  alignas(16) unsigned char arena_buffer[2048];
  boost::json::monotonic_resource arena{arena_buffer, sizeof(arena_buffer)};
  boost::json::object header{boost::json::storage_ptr(&arena)};
  boost::json::object payload{boost::json::storage_ptr(&arena)};
};

// ParseCompact checks and decodes |compact| in the spec's order: size
// (kTooLarge over |max_bytes|), structure (kMalformed: empty, whitespace
// inside, not exactly three parts, empty header part), base64url of every
// part (kBadBase64), then header and payload JSON (kBadJson: not an object,
// duplicate members, invalid UTF-8, too deep). An empty signature part is
// allowed here; verification fails it later.
Result<std::shared_ptr<const ParsedToken>> ParseCompact(std::string_view compact,
                                                        std::size_t max_bytes);

// SerializeCompact returns b64(header).b64(payload).b64(signature).
std::string SerializeCompact(std::string_view header_json, std::string_view payload_json,
                             std::string_view signature);

}  // namespace tock::internal

#endif  // TOCK_INTERNAL_JWS_FORMAT_H_
