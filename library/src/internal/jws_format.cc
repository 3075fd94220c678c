#include "internal/jws_format.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>
#include <optional>
#include <utility>

#include "internal/base64url.h"
#include "internal/json.h"
#include "internal/recycling_allocator.h"

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

// Whitespace returns the kMalformed error for the first whitespace byte of
// |compact|, if any. Only failure paths look: base64url decoding already
// refuses every byte outside its alphabet, so a token that decodes has none,
// and the spec's order (whitespace before parts, before base64) still holds.
std::optional<Error> Whitespace(std::string_view compact) {
  for (std::size_t i = 0; i < compact.size(); ++i) {
    if (kWhitespace[static_cast<unsigned char>(compact[i])]) {
      return Error(ErrorCode::kMalformed,
                   "token has whitespace at offset " + std::to_string(i) +
                       "; a compact JWS has none (copy the token without line breaks)");
    }
  }
  return std::nullopt;
}

// PartCountError is the kMalformed error for a token that is not three
// parts, if it is not.
std::optional<Error> PartCountError(std::string_view compact) {
  const std::size_t parts =
      static_cast<std::size_t>(std::count(compact.begin(), compact.end(), '.')) + 1;
  if (parts == 3) return std::nullopt;
  return Error(ErrorCode::kMalformed, "token has " + std::to_string(parts) +
                                          (parts == 1 ? " part" : " parts") +
                                          " separated by dots; a JWS has 3");
}

// StructureError is the first structural problem of |compact|, in the
// spec's order: whitespace, then the number of parts.
std::optional<Error> StructureError(std::string_view compact) {
  if (std::optional<Error> error = Whitespace(compact)) return error;
  return PartCountError(compact);
}

// SplitParts makes the structure checks, in the spec's order. It finds the
// first two dots only: a third one is in the signature part, whose
// base64url then fails, and Decode reports the structure first.
Result<Parts> SplitParts(std::string_view compact) {
  if (compact.empty()) return Error(ErrorCode::kMalformed, "token is empty");
  const char* begin = compact.data();
  const char* end = begin + compact.size();
  const auto next_dot = [end](const char* from) {
    return static_cast<const char*>(std::memchr(from, '.', static_cast<std::size_t>(end - from)));
  };
  const char* first = next_dot(begin);
  const char* second = first != nullptr ? next_dot(first + 1) : nullptr;
  if (second == nullptr || first == begin) {
    if (std::optional<Error> error = StructureError(compact)) return std::move(*error);
    return Error(ErrorCode::kMalformed, "token has an empty header part");
  }
  const auto at = [begin](const char* p) { return static_cast<std::size_t>(p - begin); };
  return Parts{compact.substr(0, at(first)),
               compact.substr(at(first) + 1, at(second) - at(first) - 1),
               compact.substr(at(second) + 1)};
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

// BadJson names the part whose JSON failed.
Error BadJson(std::string_view part, const Error& error) {
  return Error(ErrorCode::kBadJson,
               "token " + std::string(part) + " is not a valid JSON object: " + error.message());
}

// Decode decodes one part into |out|, returning its bytes; on failure the
// error is the token's structure (reported first) or the part's base64url.
Result<std::string_view> Decode(std::string_view name, std::string_view text,
                                std::string_view compact, char* out) {
  const std::optional<std::size_t> size = Base64UrlDecodeToBuffer(text, out);
  if (size) return std::string_view(out, *size);
  if (std::optional<Error> error = StructureError(compact)) return std::move(*error);
  return BadBase64(name, text, compact);
}

// SetParts points |token|'s part views into |copy|, its copy of the token.
void SetParts(ParsedToken& token, std::string_view copy, const Parts& parts) {
  const std::size_t header_end = parts.header.size();
  const std::size_t payload_end = header_end + 1 + parts.payload.size();
  token.compact = copy;
  token.header_part = copy.substr(0, header_end);
  token.payload_part = copy.substr(header_end + 1, parts.payload.size());
  token.signature_part = copy.substr(payload_end + 1);
  token.signing_input = copy.substr(0, payload_end);
}

}  // namespace

char* ParsedToken::Reserve(std::size_t size) {
  if (inline_used_ + size <= kInlineBytes) {
    char* out = inline_bytes_ + inline_used_;
    inline_used_ += size;
    return out;
  }
  // Only ParseCompact reserves, once per token.
  heap_bytes_ = std::make_unique_for_overwrite<char[]>(size);
  return heap_bytes_.get();
}

// ParseDom builds the DOM of header and payload (noting their fields into
// the records when given) and publishes it; the caller holds dom_once_.
Result<void> ParsedToken::ParseDom(MemberRecord* header_record, MemberRecord* claims_record) const {
  auto dom = std::make_unique<Dom>();
  const boost::json::storage_ptr arena(&dom->arena);
  auto header = ParseJsonObject(header_json, arena, header_record);
  if (!header) return BadJson("header", header.error());
  auto payload = ParseJsonObject(payload_json, arena, claims_record);
  if (!payload) return BadJson("payload", payload.error());
  // Same storage on both sides, so these moves keep the arena's objects.
  dom->header = std::move(*header);
  dom->payload = std::move(*payload);
  dom_ = std::move(dom);
  return {};
}

const ParsedToken::Dom& ParsedToken::BuildDom() const {
  // The parser already accepted these bytes (CheckJson), so this cannot
  // fail; should it anyway, the DOM is left empty rather than absent.
  std::call_once(dom_once_, [this] {
    if (!ParseDom(nullptr, nullptr).ok()) dom_ = std::make_unique<Dom>();
  });
  return *dom_;
}

// CheckJson runs the parser over the decoded header and payload, recording
// their fields; with |build_dom| the DOM is built in the same pass.
Result<void> ParsedToken::CheckJson(bool build_dom) {
  if (!build_dom) {
    // A JWS whose payload is not a JSON object is not a JWT (spec: Precise rules).
    const RecordedText texts[] = {{header_json, &header_fields}, {payload_json, &claims}};
    std::size_t failed = 0;
    if (auto checked = CheckJsonObjects(texts, failed); !checked) {
      return BadJson(failed == 0 ? "header" : "payload", checked.error());
    }
    return {};
  }
  Result<void> result;
  std::call_once(dom_once_, [this, &result] { result = ParseDom(&header_fields, &claims); });
  return result;
}

std::vector<std::string> ParsedToken::Audiences() const {
  std::vector<std::string> out;
  if (auto list = claims.Strings(claim(ClaimField::kAud))) {
    out.assign(list->begin(), list->end());
  } else if (const boost::json::value* aud = payload().if_contains("aud"); aud && aud->is_array()) {
    for (const auto& e : aud->get_array()) {
      if (e.is_string()) out.emplace_back(e.get_string());
    }
  }
  return out;
}

const boost::json::object& ParsedToken::header() const { return BuildDom().header; }
const boost::json::object& ParsedToken::payload() const { return BuildDom().payload; }

Result<std::shared_ptr<const ParsedToken>> ParseCompact(std::string_view compact,
                                                        std::size_t max_bytes, bool build_dom) {
  // Size first: nothing else is looked at in an oversized token.
  if (compact.size() > max_bytes) {
    return Error(ErrorCode::kTooLarge, "token is " + std::to_string(compact.size()) +
                                           " bytes; the limit is " + std::to_string(max_bytes));
  }
  Result<Parts> split = SplitParts(compact);
  if (!split) return std::move(split).error();
  const Parts& parts = *split;

  // One allocation holds the token, its copy and every decoded part; the
  // inline buffer is left uninitialised (make_shared would zero it), and the
  // block is recycled per thread.
  auto token = std::allocate_shared_for_overwrite<ParsedToken>(RecyclingAllocator<ParsedToken>());
  char* bytes = token->Reserve(compact.size() + Base64UrlDecodedMaxSize(parts.header.size()) +
                               Base64UrlDecodedMaxSize(parts.payload.size()) +
                               Base64UrlDecodedMaxSize(parts.signature.size()));
  std::memcpy(bytes, compact.data(), compact.size());
  SetParts(*token, std::string_view(bytes, compact.size()), parts);
  char* next = bytes + compact.size();

  // Every part's base64url is checked before any JSON is read (spec order).
  Result<std::string_view> header = Decode("header", parts.header, compact, next);
  if (!header) return std::move(header).error();
  next += header->size();
  Result<std::string_view> payload = Decode("payload", parts.payload, compact, next);
  if (!payload) return std::move(payload).error();
  next += payload->size();
  Result<std::string_view> signature = Decode("signature", parts.signature, compact, next);
  if (!signature) return std::move(signature).error();
  token->header_json = *header;
  token->payload_json = *payload;
  token->signature = *signature;

  Result<void> json = token->CheckJson(build_dom);
  if (!json) return std::move(json).error();
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
