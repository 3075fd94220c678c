#include "log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "tock/app/json_writer.h"
#include "tock/app/time_text.h"

namespace tock::server {

Logger::Logger(const Clock& clock, const std::optional<std::string>& path) : clock_(clock) {
  if (!path) return;
  int fd = ::open(path->c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd >= 0) file_ = ::fdopen(fd, "a");
  ok_ = file_ != nullptr;
}

Logger::~Logger() {
  if (file_) std::fclose(file_);
}

JsonWriter Logger::Start(std::string_view level, std::string_view event) const {
  JsonWriter w;
  // Millisecond precision makes log lines orderable; FormatUtc keeps fractions.
  double now = std::floor(clock_.NowPrecise() * 1000.0) / 1000.0;
  w.Str("ts", FormatUtc(now)).Str("level", level).Str("event", event);
  return w;
}

void Logger::Write(const JsonWriter& line) {
  std::string text = line.Finish() + "\n";
  std::lock_guard<std::mutex> lock(mutex_);
  std::FILE* out = file_ ? file_ : stderr;
  std::fwrite(text.data(), 1, text.size(), out);
  std::fflush(out);
}

}  // namespace tock::server
