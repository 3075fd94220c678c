// Decoding HTTP Basic credentials (RFC 7617) for OAuth client authentication.
#ifndef TOCK_APP_BASIC_AUTH_H_
#define TOCK_APP_BASIC_AUTH_H_

#include <string>
#include <string_view>

#include "tock/result.h"

namespace tock {

// BasicCredentials are the two halves of "id:secret" as sent: RFC 6749
// §2.3.1 has clients form-urlencode both before base64, so callers
// percent-decode them.
struct BasicCredentials {
  std::string id;
  std::string secret;
};

// DecodeBasicCredentials decodes the base64 |token68| of an
// "Authorization: Basic" header and splits it at the first ':'. kMalformed
// when it is not canonical padded base64 or has no ':'.
Result<BasicCredentials> DecodeBasicCredentials(std::string_view token68);

}  // namespace tock

#endif  // TOCK_APP_BASIC_AUTH_H_
