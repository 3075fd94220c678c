// Splitting and decoding the compact JWS serialisation (RFC 7515 §7.1).
#ifndef TOCK_INTERNAL_JWS_FORMAT_H_
#define TOCK_INTERNAL_JWS_FORMAT_H_

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "internal/json.h"
#include "tock/result.h"

namespace tock::internal {

// The header members and registered claims (RFC 7519 §4.1) the parser
// records while checking the JSON, so verification needs no DOM.
enum class HeaderField : std::size_t { kAlg, kKid, kTyp, kCrit };
enum class ClaimField : std::size_t { kIss, kSub, kAud, kExp, kNbf, kIat, kJti };
inline constexpr MemberNames kHeaderFieldNames{"alg", "kid", "typ", "crit"};
inline constexpr MemberNames kClaimFieldNames{"iss", "sub", "aud", "exp", "nbf", "iat", "jti"};

// ParsedToken is a decoded compact JWS. It owns a copy of the token, the
// decoded header, payload and signature, in one allocation for a typical
// token; the views point into them. The JSON DOM of header and payload is
// built on first use (verification reads only the recorded members).
struct ParsedToken {
  ParsedToken() = default;
  ParsedToken(const ParsedToken&) = delete;
  ParsedToken& operator=(const ParsedToken&) = delete;

  std::string_view compact;
  std::string_view header_part;     // base64url, as in the token
  std::string_view payload_part;    // base64url, as in the token
  std::string_view signature_part;  // base64url, as in the token
  std::string_view signing_input;   // "header.payload": the bytes signed
  std::string_view header_json;     // decoded header
  std::string_view payload_json;    // decoded payload
  std::string_view signature;       // decoded signature bytes

  MemberRecord header_fields{kHeaderFieldNames};
  MemberRecord claims{kClaimFieldNames};

  const RecordedMember& field(HeaderField f) const {
    return header_fields.at(static_cast<std::size_t>(f));
  }
  const RecordedMember& claim(ClaimField f) const { return claims.at(static_cast<std::size_t>(f)); }

  // Audiences lists a type-checked "aud" (a string or an array of strings):
  // from the record, or from the DOM when the array was too long to record.
  std::vector<std::string> Audiences() const;

  // header() and payload() are the DOM, built once from the checked bytes
  // by the same parser; safe to call from several threads.
  const boost::json::object& header() const;
  const boost::json::object& payload() const;

  // Storage: Reserve gives |size| bytes that live as long as the token.
  char* Reserve(std::size_t size);

 private:
  friend Result<std::shared_ptr<const ParsedToken>> ParseCompact(std::string_view, std::size_t,
                                                                 bool);
  struct Dom {
    alignas(16) unsigned char buffer[2048];
    boost::json::monotonic_resource arena{buffer, sizeof(buffer)};
    boost::json::object header{boost::json::storage_ptr(&arena)};
    boost::json::object payload{boost::json::storage_ptr(&arena)};
  };
  const Dom& BuildDom() const;
  Result<void> ParseDom(MemberRecord* header_record, MemberRecord* claims_record) const;
  Result<void> CheckJson(bool build_dom);

  static constexpr std::size_t kInlineBytes = 1536;
  alignas(8) char inline_bytes_[kInlineBytes];
  std::size_t inline_used_ = 0;
  std::unique_ptr<char[]> heap_bytes_;
  mutable std::once_flag dom_once_;
  mutable std::unique_ptr<Dom> dom_;
};

// ParseCompact checks and decodes |compact| in the spec's order: size
// (kTooLarge over |max_bytes|), structure (kMalformed: empty, whitespace
// inside, not exactly three parts, empty header part), base64url of every
// part (kBadBase64), then header and payload JSON (kBadJson: not an object,
// duplicate members, invalid UTF-8, too deep). An empty signature part is
// allowed here; verification fails it later. With |build_dom| the DOM is
// built in the same pass (for decoding, which shows everything).
Result<std::shared_ptr<const ParsedToken>> ParseCompact(std::string_view compact,
                                                        std::size_t max_bytes,
                                                        bool build_dom = false);

// SerializeCompact returns b64(header).b64(payload).b64(signature).
std::string SerializeCompact(std::string_view header_json, std::string_view payload_json,
                             std::string_view signature);

}  // namespace tock::internal

#endif  // TOCK_INTERNAL_JWS_FORMAT_H_
