// ReadFile and FetchUrl: a whole file or a URL's body, for the CLI and the
// server (claims files, secrets, configs, the key index, tokens' caches).
#ifndef TOCK_APP_FILES_H_
#define TOCK_APP_FILES_H_

#include <string>

#include "tock/key_loader.h"
#include "tock/result.h"

namespace tock {

// ReadFile returns the bytes of |path| (at most 1 MiB, the library's key
// document limit), or kIoError naming it.
Result<std::string> ReadFile(const std::string& path);

// FetchUrl downloads |url| and returns the body (status 200 only): the
// library's FetchDocument without the max-age.
Result<std::string> FetchUrl(const std::string& url, const FetchOptions& options = {});

}  // namespace tock

#endif  // TOCK_APP_FILES_H_
