#include "internal/jws_format.h"

#include <array>
#include <optional>
#include <utility>

#include "internal/base64url.h"
#include "internal/json.h"

namespace tock::internal {
namespace {

constexpr std::array<bool, 256> MakeWhitespaceTable() {
  std::array<bool, 256> table{};
  for (unsigned char c : {' ', '\t', '\n', '\v', '\f', '\r'}) table[c] = true;
  return table;
}
constexpr std::array<bool, 256> kWhitespace = MakeWhitespaceTable();

struct Parts {
  std::string_view header;
  std::string_view payload;
  std::string_view signature;
};

// SplitParts makes the structure checks, in the spec's order, on the raw text.
Result<Parts> SplitParts(std::string_view compact) {
  if (compact.empty()) return Error(ErrorCode::kMalformed, "token is empty");
  std::size_t dots[2] = {0, 0};
  std::size_t dot_count = 0;
  for (std::size_t i = 0; i < compact.size(); ++i) {
    const auto c = static_cast<unsigned char>(compact[i]);
    if (kWhitespace[c]) {
      return Error(ErrorCode::kMalformed,
                   "token has whitespace at offset " + std::to_string(i) +
                       "; a compact JWS has none (copy the token without line breaks)");
    }
    if (c == '.') {
      if (dot_count < 2) dots[dot_count] = i;
      ++dot_count;
    }
  }
  if (dot_count != 2) {
    const std::size_t parts = dot_count + 1;
    return Error(ErrorCode::kMalformed, "token has " + std::to_string(parts) +
                                            (parts == 1 ? " part" : " parts") +
                                            " separated by dots; a JWS has 3");
  }
  if (dots[0] == 0) return Error(ErrorCode::kMalformed, "token has an empty header part");
  return Parts{compact.substr(0, dots[0]), compact.substr(dots[0] + 1, dots[1] - dots[0] - 1),
               compact.substr(dots[1] + 1)};
}

// Base64Problem says why |text|, which starts at |offset| in the token, is not
// canonical base64url. Only called once decoding has failed.
std::string Base64Problem(std::string_view text, std::size_t offset) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool in_alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                             (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (in_alphabet) continue;
    const std::string at = " at offset " + std::to_string(offset + i);
    if (c == '=') return "it has '=' padding" + at + "; JWS uses base64url without padding";
    if (c == '+' || c == '/') {
      return std::string("it has '") + c + "'" + at + ", which is base64, not base64url";
    }
    constexpr char kHex[] = "0123456789abcdef";
    const auto byte = static_cast<unsigned char>(c);
    return std::string("it has the byte 0x") + kHex[byte >> 4] + kHex[byte & 15] + at +
           ", which is not in the base64url alphabet";
  }
  if (text.size() % 4 == 1) {
    return "its length " + std::to_string(text.size()) +
           " is 1 more than a multiple of 4, which no encoding produces";
  }
  return "its last character has non-zero unused bits, so it is not the canonical encoding";
}

Error BadBase64(std::string_view name, std::string_view text, std::string_view compact) {
  const auto offset = static_cast<std::size_t>(text.data() - compact.data());
  return Error(ErrorCode::kBadBase64,
               "token " + std::string(name) +
                   " part is not canonical unpadded base64url: " + Base64Problem(text, offset));
}

// ParseJsonParts parses the decoded header and payload into |token|'s arena.
Result<void> ParseJsonParts(ParsedToken& token, std::string_view header_json,
                            std::string_view payload_json) {
  const boost::json::storage_ptr arena(&token.arena);
  Result<boost::json::object> header = ParseJsonObject(header_json, arena);
  if (!header) {
    return Error(ErrorCode::kBadJson,
                 "token header is not a valid JSON object: " + header.error().message());
  }
  // A JWS whose payload is not a JSON object is not a JWT (spec: Precise rules).
  Result<boost::json::object> payload = ParseJsonObject(payload_json, arena);
  if (!payload) {
    return Error(ErrorCode::kBadJson,
                 "token payload is not a valid JSON object: " + payload.error().message());
  }
  // Same storage on both sides, so these moves keep the arena's objects as they are.
  token.header = std::move(*header);
  token.payload = std::move(*payload);
  return {};
}

// SetParts copies |compact| into |token| and points the part views into the copy.
void SetParts(ParsedToken& token, std::string_view compact, const Parts& parts) {
  token.compact.assign(compact);
  const std::string_view copy = token.compact;
  const std::size_t header_end = parts.header.size();
  const std::size_t payload_end = header_end + 1 + parts.payload.size();
  token.header_part = copy.substr(0, header_end);
  token.payload_part = copy.substr(header_end + 1, parts.payload.size());
  token.signature_part = copy.substr(payload_end + 1);
  token.signing_input = copy.substr(0, payload_end);
}

}  // namespace

Result<std::shared_ptr<const ParsedToken>> ParseCompact(std::string_view compact,
                                                        std::size_t max_bytes) {
  // Size first: nothing else is looked at in an oversized token.
  if (compact.size() > max_bytes) {
    return Error(ErrorCode::kTooLarge, "token is " + std::to_string(compact.size()) +
                                           " bytes; the limit is " + std::to_string(max_bytes));
  }
  Result<Parts> split = SplitParts(compact);
  if (!split) return std::move(split).error();
  const Parts& parts = *split;

  // Every part's base64url is checked before any JSON is read (spec order).
  // The decoded header and payload only feed the parser, so a stack buffer
  // holds them for a typical token.
  const std::size_t header_max = Base64UrlDecodedMaxSize(parts.header.size());
  const std::size_t needed = header_max + Base64UrlDecodedMaxSize(parts.payload.size());
  char stack_buffer[4096];
  std::unique_ptr<char[]> heap_buffer;
  char* buffer = stack_buffer;
  if (needed > sizeof(stack_buffer)) {
    heap_buffer = std::make_unique_for_overwrite<char[]>(needed);
    buffer = heap_buffer.get();
  }
  const std::optional<std::size_t> header_size = Base64UrlDecodeToBuffer(parts.header, buffer);
  if (!header_size) return BadBase64("header", parts.header, compact);
  char* payload_buffer = buffer + header_max;
  const std::optional<std::size_t> payload_size =
      Base64UrlDecodeToBuffer(parts.payload, payload_buffer);
  if (!payload_size) return BadBase64("payload", parts.payload, compact);
  std::string signature;
  if (!Base64UrlDecodeInto(parts.signature, signature)) {
    return BadBase64("signature", parts.signature, compact);
  }

  // One allocation for the token and its arena; the arena's buffer is left
  // uninitialised (make_shared would zero its 2 KiB).
  auto token = std::make_shared_for_overwrite<ParsedToken>();
  Result<void> json = ParseJsonParts(*token, std::string_view(buffer, *header_size),
                                     std::string_view(payload_buffer, *payload_size));
  if (!json) return std::move(json).error();
  SetParts(*token, compact, parts);
  token->signature = std::move(signature);
  return std::shared_ptr<const ParsedToken>(std::move(token));
}

std::string SerializeCompact(std::string_view header_json, std::string_view payload_json,
                             std::string_view signature) {
  std::string out;
  out.reserve(Base64UrlEncodedSize(header_json.size()) + Base64UrlEncodedSize(payload_json.size()) +
              Base64UrlEncodedSize(signature.size()) + 2);
  Base64UrlEncodeAppend(out, header_json);
  out += '.';
  Base64UrlEncodeAppend(out, payload_json);
  out += '.';
  Base64UrlEncodeAppend(out, signature);
  return out;
}

}  // namespace tock::internal
