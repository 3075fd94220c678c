// PgStatus: whether PostgreSQL answered the last time tock used it. Shared by
// the key backend (which asks every second) and the postgres replay store,
// so /healthz and /token read it without waiting on the database.
#ifndef TOCK_SERVER_STORE_PG_STATUS_H_
#define TOCK_SERVER_STORE_PG_STATUS_H_

#include <mutex>
#include <optional>
#include <string>

#include "tock/result.h"

namespace tock::server {

class PgStatus {
 public:
  void Answered() {
    std::lock_guard<std::mutex> lock(mutex_);
    problem_.reset();
  }
  void Failed(std::string reason) {
    std::lock_guard<std::mutex> lock(mutex_);
    problem_ = std::move(reason);
  }
  // Get: ok, or kNetworkError with the last failure.
  Result<void> Get() const {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!problem_) return {};
    return Error(ErrorCode::kNetworkError, *problem_);
  }

 private:
  mutable std::mutex mutex_;
  std::optional<std::string> problem_;
};

}  // namespace tock::server

#endif  // TOCK_SERVER_STORE_PG_STATUS_H_
