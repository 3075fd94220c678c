// The audit's forging helper: the byte-level forgeries `tock audit` sends and
// the library rightly refuses to make (alg "none", an HMAC keyed with a public
// key's bytes or with an empty key, ECDSA signatures of zeros, a payload with
// a duplicate member). WARNING: this is attack tooling. It lives in the CLI's
// audit command only and is never reachable from the library's signing API
// (tock::TokenBuilder), which keeps refusing all of the above.
#ifndef TOCK_CLI_COMMANDS_AUDIT_FORGE_H_
#define TOCK_CLI_COMMANDS_AUDIT_FORGE_H_

#include <string>
#include <string_view>
#include <vector>

#include "tock/tock.h"

namespace tock::cli::audit {

// B64Url encodes |bytes| as unpadded base64url.
std::string B64Url(std::string_view bytes);

// B64UrlDecode decodes unpadded base64url; kUsage when |text| is not.
Result<std::string> B64UrlDecode(std::string_view text);

// Compact returns B64Url(header).B64Url(payload).B64Url(signature).
std::string Compact(std::string_view header_json, std::string_view payload_json,
                    std::string_view signature);

// HmacToken returns a compact JWS whose MAC is HMAC-SHA-|bits| over the
// signing input keyed with |key_bytes|, whatever they are (empty included).
std::string HmacToken(std::string_view header_json, std::string_view payload_json, int bits,
                      std::string_view key_bytes);

// KeyForm is one byte string a confused validator may use as an HMAC secret
// when it is handed a public key: a PEM text, DER, JWK text, raw n or x.
struct KeyForm {
  std::string name;  // e.g. "spki_pem", "pkcs1_pem", "der", "jwk", "raw_n"
  std::string bytes;
};

// PublicKeyForms lists the byte forms of the public half of |key| (SPKI PEM
// with and without its final newline, PKCS#1 PEM for RSA, DER, the JWK text,
// raw n or x), and |file_pem| (the PEM file the operator gave) when it
// differs from them. kKeyError for an HMAC secret.
Result<std::vector<KeyForm>> PublicKeyForms(const Key& key, std::string_view file_pem);

// ZeroEcdsaSignature returns r = s = 0 for ES256/384/512 (|bits| 256, 384,
// 521): the raw JOSE form (2 x the coordinate size of zero bytes), or DER
// (SEQUENCE { INTEGER 0, INTEGER 0 }). CVE-2022-21449 accepted both.
std::string ZeroEcdsaSignature(int bits, bool der);

// SignInput signs |signing_input| with |key| (private, or an HMAC secret)
// and |alg|, for payloads TokenBuilder cannot express (a duplicate member,
// 1,000-deep nesting). Returns the JOSE signature bytes.
Result<std::string> SignInput(const Key& key, Algorithm alg, std::string_view signing_input);

// SelfSignedCertPem returns a self-signed X.509 certificate (PEM) for the
// private |key|, valid from |now| - 1 h to |now| + 1 d, for the x5u case.
Result<std::string> SelfSignedCertPem(const Key& key, UnixSeconds now);

}  // namespace tock::cli::audit

#endif  // TOCK_CLI_COMMANDS_AUDIT_FORGE_H_
