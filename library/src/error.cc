#include "tock/error.h"

namespace tock {

std::string_view ToString(ErrorCode code) {
  switch (code) {
    case ErrorCode::kTooLarge:
      return "too_large";
    case ErrorCode::kMalformed:
      return "malformed";
    case ErrorCode::kBadBase64:
      return "bad_base64";
    case ErrorCode::kBadJson:
      return "bad_json";
    case ErrorCode::kUnsupportedAlg:
      return "unsupported_alg";
    case ErrorCode::kCritUnsupported:
      return "crit_unsupported";
    case ErrorCode::kAlgNotAllowed:
      return "alg_not_allowed";
    case ErrorCode::kKeyNotFound:
      return "key_not_found";
    case ErrorCode::kBadSignature:
      return "bad_signature";
    case ErrorCode::kBadClaim:
      return "bad_claim";
    case ErrorCode::kMissingClaim:
      return "missing_claim";
    case ErrorCode::kExpired:
      return "expired";
    case ErrorCode::kNotYetValid:
      return "not_yet_valid";
    case ErrorCode::kIssuedInFuture:
      return "issued_in_future";
    case ErrorCode::kTokenTooOld:
      return "token_too_old";
    case ErrorCode::kLifetimeTooLong:
      return "lifetime_too_long";
    case ErrorCode::kIssMismatch:
      return "iss_mismatch";
    case ErrorCode::kAudMismatch:
      return "aud_mismatch";
    case ErrorCode::kSubMismatch:
      return "sub_mismatch";
    case ErrorCode::kTypMismatch:
      return "typ_mismatch";
    case ErrorCode::kReplayed:
      return "replayed";
    case ErrorCode::kUsage:
      return "usage";
    case ErrorCode::kKeyError:
      return "key_error";
    case ErrorCode::kIoError:
      return "io_error";
    case ErrorCode::kNetworkError:
      return "network_error";
    case ErrorCode::kProbeError:
      return "probe_error";
    case ErrorCode::kTokenRefused:
      return "token_refused";
    case ErrorCode::kDiscoveryError:
      return "discovery_error";
    case ErrorCode::kInsufficientScope:
      return "insufficient_scope";
  }
  return "unknown";
}

Disposition DispositionOf(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUsage:
    case ErrorCode::kKeyError:
    case ErrorCode::kIoError:
    case ErrorCode::kNetworkError:
    case ErrorCode::kProbeError:
    case ErrorCode::kDiscoveryError:
      return Disposition::kCannotJudge;
    default:
      return Disposition::kRejected;
  }
}

}  // namespace tock
