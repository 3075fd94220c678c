// ECDSA signatures between JOSE's raw R||S (RFC 7518 §3.4) and the DER
// ECDSA-Sig-Value that OpenSSL signs and verifies (RFC 3279 §2.2.3:
// SEQUENCE { r INTEGER, s INTEGER }). Written by hand because the BIGNUM
// round trip (ECDSA_SIG_new, BN_bin2bn, i2d/d2i_ECDSA_SIG, BN_bn2binpad)
// cost ~15k instructions and ~17 allocations per call
// (docs/performance.md).
#ifndef TOCK_INTERNAL_ECDSA_DER_H_
#define TOCK_INTERNAL_ECDSA_DER_H_

#include <cstddef>
#include <span>
#include <string_view>

namespace tock::internal {

// kMaxEcdsaCoordinate is the P-521 coordinate size, the largest tock uses.
inline constexpr std::size_t kMaxEcdsaCoordinate = 66;
// kMaxEcdsaDerSize bounds the DER of any R||S EcdsaRawToDer accepts: a
// SEQUENCE header with one long-form length byte (3) and two INTEGERs of
// tag, length, a 0x00 sign byte and 66 value bytes.
inline constexpr std::size_t kMaxEcdsaDerSize = 3 + 2 * (2 + 1 + kMaxEcdsaCoordinate);

// EcdsaRawToDer writes the DER of |raw| (R||S, two big-endian unsigned
// integers of raw.size() / 2 bytes each) into |der| as minimal INTEGERs and
// returns its length; 0 when raw.size() is odd, zero or over
// 2 * kMaxEcdsaCoordinate.
std::size_t EcdsaRawToDer(std::string_view raw, std::span<unsigned char, kMaxEcdsaDerSize> der);

// EcdsaDerToRaw parses |der| and writes R||S into |raw|, each integer
// left-padded with zeros to raw.size() / 2 bytes. Strict DER: false (|raw|
// then unspecified) unless |der| is exactly one SEQUENCE of two INTEGERs and
// nothing else, every length in its shortest form (long form only for the
// SEQUENCE, as 0x81 with a length of 128 or more, which only P-521 needs),
// each INTEGER minimal, positive (an ECDSA r or s is in [1, n-1]) and no
// wider than raw.size() / 2 bytes. raw.size() must be even and at most
// 2 * kMaxEcdsaCoordinate.
bool EcdsaDerToRaw(std::span<const unsigned char> der, std::span<unsigned char> raw);

}  // namespace tock::internal

#endif  // TOCK_INTERNAL_ECDSA_DER_H_
