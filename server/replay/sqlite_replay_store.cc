// SQLite replay store: one row per used id until it expires.
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

#include "replay/replay_stores.h"

namespace tock::server {
namespace {

class SqliteReplayStore final : public ReplayStore {
 public:
  SqliteReplayStore(sqlite3* db, const Clock& clock) : db_(db), clock_(clock) {}
  ~SqliteReplayStore() override {
    sqlite3_finalize(insert_);
    sqlite3_finalize(purge_one_);
    sqlite3_close(db_);
  }

  Result<void> Prepare() {
    const char* setup =
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "CREATE TABLE IF NOT EXISTS replay (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);"
        "CREATE INDEX IF NOT EXISTS replay_expiry ON replay (expires_at);";
    if (sqlite3_exec(db_, setup, nullptr, nullptr, nullptr) != SQLITE_OK) return Fail("set up");
    if (sqlite3_prepare_v2(db_, "INSERT OR IGNORE INTO replay (id, expires_at) VALUES (?, ?)", -1,
                           &insert_, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db_, "DELETE FROM replay WHERE id = ? AND expires_at <= ?", -1,
                           &purge_one_, nullptr) != SQLITE_OK) {
      return Fail("prepare statements for");
    }
    return {};
  }

  Result<void> Consume(std::string_view id, UnixSeconds expires_at) override {
    UnixSeconds now = clock_.Now();
    std::lock_guard<std::mutex> lock(mutex_);
    // An expired row no longer blocks its id.
    sqlite3_reset(purge_one_);
    sqlite3_bind_text(purge_one_, 1, id.data(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(purge_one_, 2, now);
    if (sqlite3_step(purge_one_) != SQLITE_DONE) return Fail("update");
    if (expires_at <= now) return {};
    sqlite3_reset(insert_);
    sqlite3_bind_text(insert_, 1, id.data(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(insert_, 2, expires_at);
    if (sqlite3_step(insert_) != SQLITE_DONE) return Fail("write to");
    if (sqlite3_changes(db_) == 0) {
      return Error(ErrorCode::kReplayed,
                   "token replayed: the token id (jti) \"" + std::string(id) +
                       "\" was already used (recorded in the SQLite replay store)");
    }
    if (++inserts_ % 1000 == 0) PurgeExpired(now);
    return {};
  }

  // Ping reads the table, but a read that succeeded less than a second ago
  // answers for it: /healthz runs on a connection's I/O thread at any rate
  // (perf showed the query at a fifth of the server's CPU under a /healthz
  // load), and the file is local. A failure is checked again every time.
  Result<void> Ping() override {
    const std::int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                    std::chrono::steady_clock::now().time_since_epoch())
                                    .count();
    if (now_ns - last_ok_ns_.load(std::memory_order_relaxed) < kPingMemoNs) return {};
    std::lock_guard<std::mutex> lock(mutex_);
    if (sqlite3_exec(db_, "SELECT 1 FROM replay LIMIT 1", nullptr, nullptr, nullptr) != SQLITE_OK) {
      last_ok_ns_.store(kNever, std::memory_order_relaxed);
      return Fail("read");
    }
    last_ok_ns_.store(now_ns, std::memory_order_relaxed);
    return {};
  }

  std::string_view Name() const override { return "sqlite"; }

 private:
  void PurgeExpired(UnixSeconds now) {
    std::string sql = "DELETE FROM replay WHERE expires_at <= " + std::to_string(now);
    sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  }
  Error Fail(const std::string& what) {
    return Error(ErrorCode::kIoError, "replay store unreachable: cannot " + what +
                                          " the SQLite database: " + sqlite3_errmsg(db_));
  }

  sqlite3* db_;
  const Clock& clock_;
  std::mutex mutex_;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* purge_one_ = nullptr;
  std::uint64_t inserts_ = 0;
  static constexpr std::int64_t kPingMemoNs = 1'000'000'000;
  static constexpr std::int64_t kNever = INT64_MIN / 2;
  std::atomic<std::int64_t> last_ok_ns_{kNever};
};

}  // namespace

Result<std::unique_ptr<ReplayStore>> OpenSqliteReplayStore(const std::string& path,
                                                           const Clock& clock) {
  // Create the file 0600 ourselves: SQLite would use the umask.
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0) ::close(fd);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string reason = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Error(ErrorCode::kIoError,
                 "Cannot open the replay database " + path + ": " + reason + ".");
  }
  sqlite3_busy_timeout(db, 5000);
  auto store = std::make_unique<SqliteReplayStore>(db, clock);
  if (auto r = store->Prepare(); !r.ok()) return r.error();
  return std::unique_ptr<ReplayStore>(std::move(store));
}

}  // namespace tock::server
