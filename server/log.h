// Logger: one JSON object per line on stderr or the config's log_file.
#ifndef TOCK_SERVER_LOG_H_
#define TOCK_SERVER_LOG_H_

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

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
  // Write appends the finished line and a newline, whole, and writes it
  // (with any access lines still pending before it) before returning.
  void Write(const JsonWriter& line);
  // WriteAccess queues an access-log line: the logger's one writer thread
  // writes what is queued in batches (server.md, "Speed": no write(2) per
  // request under a lock). The destructor writes what is left.
  void WriteAccess(const JsonWriter& line);

 private:
  void RunWriter();
  // WritePending writes everything queued; |lock| holds mutex_ and is held
  // again on return. write_mutex_ keeps batches in queue order.
  void WritePending(std::unique_lock<std::mutex>& lock);
  void WriteOut(const std::string& text);

  const Clock& clock_;
  int fd_ = 2;  // stderr unless log_file
  bool ok_ = true;
  std::mutex write_mutex_;  // taken before mutex_, never after
  std::mutex mutex_;
  std::condition_variable wake_;
  std::string pending_;        // lines not yet written
  std::uint64_t dropped_ = 0;  // lines refused while pending_ was full
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace tock::server

#endif  // TOCK_SERVER_LOG_H_
