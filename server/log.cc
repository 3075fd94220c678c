#include "log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "tock/app/json_writer.h"
#include "tock/app/time_text.h"

namespace tock::server {
namespace {

// kMaxPending bounds the lines waiting for the writer: a log file on a
// stalled disk must not grow the server's memory or block a request; beyond
// it lines are dropped and counted, and the count is logged once writing
// resumes.
constexpr std::size_t kMaxPending = 8u << 20;
constexpr auto kBatchWindow = std::chrono::milliseconds(1);

}  // namespace

Logger::Logger(const Clock& clock, const std::optional<std::string>& path) : clock_(clock) {
  if (path) {
    int fd = ::open(path->c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    ok_ = fd >= 0;
    if (ok_) fd_ = fd;
  }
  writer_ = std::thread([this] { RunWriter(); });
}

Logger::~Logger() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  writer_.join();
  if (fd_ != 2) ::close(fd_);
}

JsonWriter Logger::Start(std::string_view level, std::string_view event) const {
  JsonWriter w;
  // Millisecond precision makes log lines orderable; FormatUtc keeps fractions.
  double now = std::floor(clock_.NowPrecise() * 1000.0) / 1000.0;
  w.Str("ts", FormatUtc(now)).Str("level", level).Str("event", event);
  return w;
}

void Logger::Write(const JsonWriter& line) {
  std::string text = line.Finish();
  std::lock_guard<std::mutex> write_lock(write_mutex_);
  std::unique_lock<std::mutex> lock(mutex_);
  pending_ += text;
  pending_ += '\n';
  WritePending(lock);
}

void Logger::WriteAccess(const JsonWriter& line) {
  std::string text = line.Finish();
  std::lock_guard<std::mutex> lock(mutex_);
  if (pending_.size() + text.size() >= kMaxPending) {
    ++dropped_;
    return;
  }
  const bool was_empty = pending_.empty();
  pending_ += text;
  pending_ += '\n';
  // The writer sleeps only when nothing is pending: one wake per batch.
  if (was_empty) wake_.notify_one();
}

void Logger::WritePending(std::unique_lock<std::mutex>& lock) {
  std::string batch;
  batch.swap(pending_);
  std::uint64_t dropped = dropped_;
  dropped_ = 0;
  lock.unlock();
  if (dropped > 0) {
    JsonWriter note = Start("warn", "log_lines_dropped");
    note.Int("dropped", static_cast<std::int64_t>(dropped))
        .Str("message", "access-log lines were dropped: the log could not be written fast enough");
    batch += note.Finish() + "\n";
  }
  WriteOut(batch);
  lock.lock();
}

// RunWriter takes everything pending at once and writes it outside the
// lock: under load one write(2) carries many lines.
void Logger::RunWriter() {
  for (;;) {
    bool stopping = false;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (pending_.empty() && stopping_) return;
      stopping = stopping_;
    }
    // Let a batch gather: under load one wake and one write(2) then carry
    // a millisecond of lines instead of one line each (perf showed the
    // futex wakes of a wake per line at 8% of the server's CPU).
    if (!stopping) std::this_thread::sleep_for(kBatchWindow);
    std::lock_guard<std::mutex> write_lock(write_mutex_);
    std::unique_lock<std::mutex> lock(mutex_);
    if (!pending_.empty()) WritePending(lock);
  }
}

void Logger::WriteOut(const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to log that the log failed
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace tock::server
