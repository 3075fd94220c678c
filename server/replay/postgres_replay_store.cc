// PostgreSQL replay store ([replay] backend = "postgres", [store] url): one
// row per used id in tock_replay until it expires. INSERT … ON CONFLICT DO
// NOTHING decides atomically across instances; expired rows are deleted in
// batches. An INSERT whose reply was lost is never re-sent (the request gets
// 503, never a false "replayed").
#include <atomic>
#include <mutex>
#include <vector>

#include "replay/replay_stores.h"
#include "store/pg.h"

namespace tock::server {
namespace {

constexpr std::size_t kIdleConnections = 4;
constexpr int kPurgeEvery = 1000;  // inserts between two batched deletes
constexpr int kPurgeBatch = 1000;  // rows per DELETE, so no delete holds locks for long

class PostgresReplayStore final : public ReplayStore {
 public:
  PostgresReplayStore(std::string conninfo, const Clock& clock, std::shared_ptr<PgStatus> status)
      : conninfo_(std::move(conninfo)), clock_(clock), status_(std::move(status)) {}

  Result<void> Consume(std::string_view id, UnixSeconds expires_at) override {
    UnixSeconds now = clock_.Now();
    if (expires_at <= now) return {};
    Result<pg::Conn> conn = Take();
    if (!conn.ok()) return Unreachable(conn.error());
    Result<pg::Rows> r = pg::Exec(
        conn->get(),
        "INSERT INTO tock_replay (id, expires_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
        {pg::Param::Text(std::string(id)), pg::Param::Int(expires_at)});
    if (!r.ok()) return Unreachable(r.error());
    bool inserted = r->Affected() == 1;
    if (inserted && ++inserts_ % kPurgeEvery == 0) PurgeExpired(conn->get(), now);
    Give(std::move(*conn));
    status_->Answered();
    if (!inserted) {
      return Error(ErrorCode::kReplayed,
                   "token replayed: the token id (jti) \"" + std::string(id) +
                       "\" was already used (recorded in the postgres replay store)");
    }
    return {};
  }

  // Ping reports the database as last seen (the key store asks every
  // second): /healthz never waits on PostgreSQL.
  Result<void> Ping() override {
    Result<void> seen = status_->Get();
    if (seen.ok()) return seen;
    return Error(ErrorCode::kNetworkError, "replay store unreachable: " + seen.error().message());
  }

  std::string_view Name() const override { return "postgres"; }

 private:
  Result<pg::Conn> Take() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      while (!idle_.empty()) {
        pg::Conn conn = std::move(idle_.back());
        idle_.pop_back();
        if (pg::Ok(conn)) return conn;
      }
    }
    return pg::Connect(conninfo_);
  }
  void Give(pg::Conn conn) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (pg::Ok(conn) && idle_.size() < kIdleConnections) idle_.push_back(std::move(conn));
  }
  void PurgeExpired(PGconn* conn, UnixSeconds now) {
    (void)pg::Exec(conn,
                   "DELETE FROM tock_replay WHERE id IN (SELECT id FROM tock_replay WHERE "
                   "expires_at <= $1 LIMIT " +
                       std::to_string(kPurgeBatch) + ")",
                   {pg::Param::Int(now)});
  }
  Error Unreachable(const Error& e) {
    if (e.code() == ErrorCode::kNetworkError) status_->Failed(e.message());
    return Error(
        e.code() == ErrorCode::kNetworkError ? ErrorCode::kNetworkError : ErrorCode::kIoError,
        "replay store unreachable: " + e.message());
  }

  const std::string conninfo_;
  const Clock& clock_;
  std::shared_ptr<PgStatus> status_;
  std::mutex mutex_;
  std::vector<pg::Conn> idle_;
  std::atomic<std::uint64_t> inserts_{0};
};

}  // namespace

std::unique_ptr<ReplayStore> MakePostgresReplayStore(const std::string& conninfo,
                                                     const Clock& clock,
                                                     std::shared_ptr<PgStatus> status) {
  return std::make_unique<PostgresReplayStore>(conninfo, clock, std::move(status));
}

}  // namespace tock::server
