#include "tock/app/basic_auth.h"

#include "internal/crypto.h"

namespace tock {

Result<BasicCredentials> DecodeBasicCredentials(std::string_view token68) {
  std::optional<std::string> decoded = internal::Base64Decode(token68);
  const std::size_t colon = decoded ? decoded->find(':') : std::string::npos;
  if (colon == std::string::npos) {
    return Error(ErrorCode::kMalformed,
                 "the Authorization header is not valid HTTP Basic (base64 of id:secret)");
  }
  return BasicCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

}  // namespace tock
