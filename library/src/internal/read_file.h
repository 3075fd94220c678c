// ReadFile for the library's key files; tock_app's tock/app/files.h hands the
// same function to the CLI and the server.
#ifndef TOCK_INTERNAL_READ_FILE_H_
#define TOCK_INTERNAL_READ_FILE_H_

#include <string>

#include "tock/result.h"

namespace tock::internal {

// ReadFile returns the bytes of |path| (at most kMaxKeyDocumentBytes), or
// kIoError naming it.
Result<std::string> ReadFile(const std::string& path);

}  // namespace tock::internal

#endif  // TOCK_INTERNAL_READ_FILE_H_
