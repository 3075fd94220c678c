// Logger: one JSON object per line on stderr or the config's log_file.
#ifndef TOCK_SERVER_LOG_H_
#define TOCK_SERVER_LOG_H_

#include <cstdio>
#include <mutex>
#include <optional>
#include <string>

#include "tock/app/json_writer.h"
#include "tock/clock.h"

namespace tock::server {

class Logger {
 public:
  // Logger writes to |path| (appending; created 0600) or to stderr.
  Logger(const Clock& clock, const std::optional<std::string>& path);
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  // ok is false when log_file could not be opened (then stderr is used).
  bool ok() const { return ok_; }

  // Start returns a line with ts, level and event already set.
  JsonWriter Start(std::string_view level, std::string_view event) const;
  // Write appends the finished line and a newline, atomically per line.
  void Write(const JsonWriter& line);

 private:
  const Clock& clock_;
  std::mutex mutex_;
  std::FILE* file_ = nullptr;
  bool ok_ = true;
};

}  // namespace tock::server

#endif  // TOCK_SERVER_LOG_H_
