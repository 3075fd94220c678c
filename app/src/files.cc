#include "tock/app/files.h"

#include <utility>

#include "internal/read_file.h"

namespace tock {

// The library's own reader: one limit and one message for every file tock reads.
Result<std::string> ReadFile(const std::string& path) { return internal::ReadFile(path); }

Result<std::string> FetchUrl(const std::string& url, const FetchOptions& options) {
  Result<FetchedDocument> fetched = FetchDocument(url, options);
  if (!fetched.ok()) return std::move(fetched).error();
  return std::move(fetched->body);
}

}  // namespace tock
