#include "store/pg_key_backend.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "store/pg.h"
#include "store/pg_key_rows.h"
#include "store/pg_schema.h"

namespace tock::server {
namespace {

// Transaction runs |body| between BEGIN and COMMIT, rolling back on failure.
template <typename F>
Result<void> Transaction(PGconn* conn, F body) {
  if (auto r = pg::Exec(conn, "BEGIN"); !r.ok()) return r.error();
  Result<void> done = body();
  if (!done.ok()) {
    (void)pg::Exec(conn, "ROLLBACK");
    return done.error();
  }
  if (auto r = pg::Exec(conn, "COMMIT"); !r.ok()) return r.error();
  return {};
}

Result<void> Announce(PGconn* conn) {
  if (auto r = pg::Exec(conn, "SELECT pg_notify($1, '')", {pg::Param::Text(pg::kKeysChannel)});
      !r.ok())
    return r.error();
  return {};
}

class PgKeyBackend final : public KeyBackend {
 public:
  PgKeyBackend(std::string conninfo, KekRing ring, std::shared_ptr<PgStatus> status, pg::Conn conn)
      : conninfo_(std::move(conninfo)),
        ring_(std::move(ring)),
        status_(std::move(status)),
        work_(std::move(conn)) {}
  ~PgKeyBackend() override { StopWatch(); }

  std::string_view Name() const override { return "PostgreSQL"; }
  bool Leads() const override { return leader_.load(); }
  Result<void> Health() const override { return status_->Get(); }

  Result<std::vector<SigningKey>> Load() override {
    std::lock_guard<std::mutex> lock(work_mutex_);
    return Track([&]() -> Result<std::vector<SigningKey>> {
      Result<PGconn*> conn = WorkConn();
      if (!conn.ok()) return conn.error();
      Result<std::vector<pg::KeyRow>> rows = pg::SelectKeyRows(*conn);
      if (!rows.ok()) return rows.error();
      Result<std::vector<SigningKey>> keys = OpenRows(*rows);
      if (keys.ok()) digest_ = pg::Digest(*rows);
      return keys;
    });
  }

  Result<bool> Changed() override {
    std::lock_guard<std::mutex> lock(work_mutex_);
    return Track([&]() -> Result<bool> {
      Result<PGconn*> conn = WorkConn();
      if (!conn.ok()) return conn.error();
      Result<std::vector<pg::KeyRow>> rows = pg::SelectKeyRows(*conn);
      if (!rows.ok()) return rows.error();
      return pg::Digest(*rows) != digest_;
    });
  }

  Result<std::vector<SigningKey>> Update(const KeyChange& change) override {
    std::lock_guard<std::mutex> lock(work_mutex_);
    return Track([&]() -> Result<std::vector<SigningKey>> {
      Result<PGconn*> conn = WorkConn();
      if (!conn.ok()) return conn.error();
      std::vector<SigningKey> stored;
      Result<void> done = Transaction(*conn, [&]() -> Result<void> {
        Result<std::vector<SigningKey>> keys = UpdateLocked(*conn, change);
        if (keys.ok()) stored = std::move(*keys);
        return keys.ok() ? Result<void>() : Result<void>(keys.error());
      });
      if (!done.ok()) return done.error();
      return stored;
    });
  }

  void Watch(std::function<void()> changed) override;
  void StopWatch() override;

 private:
  Result<PGconn*> WorkConn();
  Result<std::vector<SigningKey>> OpenRows(const std::vector<pg::KeyRow>& rows);
  Result<std::vector<SigningKey>> UpdateLocked(PGconn* conn, const KeyChange& change);
  void WatchLoop();

  // Track records whether the database answered (for /healthz and /token).
  template <typename F>
  auto Track(F f) -> decltype(f()) {
    auto result = f();
    if (result.ok()) {
      status_->Answered();
    } else if (result.error().code() == ErrorCode::kNetworkError) {
      status_->Failed("key store unreachable: " + result.error().message());
    }
    return result;
  }

  const std::string conninfo_;
  const KekRing ring_;
  std::shared_ptr<PgStatus> status_;
  std::mutex work_mutex_;  // guards work_, opened_, digest_
  pg::Conn work_;
  std::map<std::string, SigningKey> opened_;  // by kid: each row is decrypted once
  std::string digest_;
  std::atomic<bool> leader_{false};
  std::atomic<bool> stop_{false};
  std::function<void()> changed_;
  int wake_[2] = {-1, -1};
  std::thread watcher_;
};

Result<PGconn*> PgKeyBackend::WorkConn() {
  if (!pg::Ok(work_)) {
    Result<pg::Conn> conn = pg::Connect(conninfo_);
    if (!conn.ok()) return conn.error();
    work_ = std::move(*conn);
  }
  return work_.get();
}

Result<std::vector<SigningKey>> PgKeyBackend::OpenRows(const std::vector<pg::KeyRow>& rows) {
  std::vector<SigningKey> keys;
  for (const pg::KeyRow& row : rows) {
    auto it = opened_.find(row.kid);
    if (it == opened_.end()) {
      Result<SigningKey> key = pg::OpenRow(row, ring_);
      if (!key.ok()) return key.error();
      it = opened_.emplace(row.kid, std::move(*key)).first;
    }
    SigningKey k = it->second;
    k.retired_at = row.retired_at;
    k.activate_at = row.activate_at;
    keys.push_back(std::move(k));
  }
  return keys;
}

Result<std::vector<SigningKey>> PgKeyBackend::UpdateLocked(PGconn* conn, const KeyChange& change) {
  if (auto r =
          pg::Exec(conn, "SELECT pg_advisory_xact_lock($1)", {pg::Param::Int(pg::kKeyWriteLock)});
      !r.ok())
    return r.error();
  Result<std::vector<pg::KeyRow>> rows = pg::SelectKeyRows(conn, true);
  if (!rows.ok()) return rows.error();
  Result<std::vector<SigningKey>> before = OpenRows(*rows);
  if (!before.ok()) return before.error();
  std::vector<SigningKey> keys = *before;
  if (auto r = change(keys); !r.ok()) return r.error();
  std::sort(keys.begin(), keys.end(), [](const SigningKey& a, const SigningKey& b) {
    return a.activate_at != b.activate_at ? a.activate_at < b.activate_at : a.kid < b.kid;
  });
  std::map<std::string, const SigningKey*> old_by_kid;
  for (const SigningKey& k : *before) old_by_kid[k.kid] = &k;
  bool changed = false;
  std::set<std::string> kept;
  for (const SigningKey& k : keys) {
    kept.insert(k.kid);
    auto old = old_by_kid.find(k.kid);
    if (old == old_by_kid.end()) {
      if (!ring_.current) {
        return Error(ErrorCode::kKeyError,
                     "cannot store new signing key " + k.kid + ": " + ring_.Describe());
      }
      Result<pg::KeyRow> row = pg::SealedRow(k, *ring_.current);
      if (!row.ok()) return row.error();
      if (auto r = pg::InsertRow(conn, *row); !r.ok()) return r.error();
      opened_.emplace(k.kid, k);
      changed = true;
    } else if (old->second->retired_at != k.retired_at) {
      auto r = pg::Exec(conn, "UPDATE tock_keys SET retired_at = $2 WHERE kid = $1",
                        {pg::Param::Text(k.kid),
                         k.retired_at ? pg::Param::Int(*k.retired_at) : pg::Param::Null()});
      if (!r.ok()) return r.error();
      changed = true;
    }
  }
  for (const SigningKey& k : *before) {
    if (kept.count(k.kid)) continue;
    if (auto r = pg::Exec(conn, "DELETE FROM tock_keys WHERE kid = $1", {pg::Param::Text(k.kid)});
        !r.ok())
      return r.error();
    opened_.erase(k.kid);
    changed = true;
  }
  if (changed) {
    if (auto r = Announce(conn); !r.ok()) return r.error();
  }
  Result<std::vector<pg::KeyRow>> after = pg::SelectKeyRows(conn);
  if (!after.ok()) return after.error();
  digest_ = pg::Digest(*after);
  return keys;
}

void PgKeyBackend::Watch(std::function<void()> changed) {
  if (watcher_.joinable() || ::pipe(wake_) != 0) return;
  changed_ = std::move(changed);
  watcher_ = std::thread([this] { WatchLoop(); });
}

void PgKeyBackend::StopWatch() {
  if (!watcher_.joinable()) return;
  stop_ = true;
  (void)!::write(wake_[1], "x", 1);
  watcher_.join();
  ::close(wake_[0]);
  ::close(wake_[1]);
}

// WatchLoop holds its own connection: it LISTENs for key changes and tries
// to take the rotation leader's advisory lock, which PostgreSQL releases
// when the connection ends (a killed leader frees it at once).
void PgKeyBackend::WatchLoop() {
  pg::Conn conn;
  while (!stop_) {
    if (!pg::Ok(conn)) {
      leader_ = false;
      Result<pg::Conn> fresh = pg::Connect(conninfo_);
      if (fresh.ok() && pg::Exec(fresh->get(), std::string("LISTEN ") + pg::kKeysChannel).ok()) {
        conn = std::move(*fresh);
        if (changed_) changed_();  // notifications may have been missed meanwhile
      } else {
        conn.reset();
      }
    }
    if (pg::Ok(conn) && !leader_) {
      Result<pg::Rows> got = pg::Exec(conn.get(), "SELECT pg_try_advisory_lock($1)",
                                      {pg::Param::Int(pg::kRotationLeaderLock)});
      leader_ = got.ok() && got->Text(0, 0) == "t";
    }
    pollfd fds[2] = {{wake_[0], POLLIN, 0}, {pg::Ok(conn) ? PQsocket(conn.get()) : -1, POLLIN, 0}};
    (void)::poll(fds, 2, 1000);
    if (stop_ || !pg::Ok(conn)) continue;
    bool heard = false;
    if (PQconsumeInput(conn.get()) == 0) {
      conn.reset();
      continue;
    }
    while (PGnotify* n = PQnotifies(conn.get())) {
      heard = true;
      PQfreemem(n);
    }
    if (heard && changed_) changed_();
  }
  leader_ = false;
}

}  // namespace

Result<std::unique_ptr<KeyBackend>> MakePgKeyBackend(const StoreConfig& store, KekRing ring,
                                                     std::shared_ptr<PgStatus> status) {
  Result<pg::Conn> conn = pg::Connect(store.url);
  if (!conn.ok()) return conn.error();
  if (auto r = pg::Migrate(conn->get()); !r.ok()) return r.error();
  return std::unique_ptr<KeyBackend>(std::make_unique<PgKeyBackend>(
      store.url, std::move(ring), std::move(status), std::move(*conn)));
}

Result<int> RewrapKeys(const StoreConfig& store, const KekRing& ring, const Kek& new_kek) {
  Result<pg::Conn> conn = pg::Connect(store.url);
  if (!conn.ok()) return conn.error();
  if (auto r = pg::Migrate(conn->get()); !r.ok()) return r.error();
  int count = 0;
  PGconn* c = conn->get();
  Result<void> done = Transaction(c, [&]() -> Result<void> {
    if (auto r =
            pg::Exec(c, "SELECT pg_advisory_xact_lock($1)", {pg::Param::Int(pg::kKeyWriteLock)});
        !r.ok())
      return r.error();
    Result<std::vector<pg::KeyRow>> rows = pg::SelectKeyRows(c, true);
    if (!rows.ok()) return rows.error();
    for (const pg::KeyRow& row : *rows) {
      if (row.kek_id == new_kek.id()) continue;
      Result<SigningKey> key = pg::OpenRow(row, ring);
      if (!key.ok()) return key.error();
      Result<pg::KeyRow> sealed = pg::SealedRow(*key, new_kek);
      if (!sealed.ok()) return sealed.error();
      auto r = pg::Exec(c, "UPDATE tock_keys SET kek_id = $2, sealed_key = $3 WHERE kid = $1",
                        {pg::Param::Text(row.kid), pg::Param::Text(new_kek.id()),
                         pg::Param::Bytes(sealed->sealed)});
      if (!r.ok()) return r.error();
      ++count;
    }
    return count > 0 ? Announce(c) : Result<void>();
  });
  if (!done.ok()) return done.error();
  return count;
}

}  // namespace tock::server
