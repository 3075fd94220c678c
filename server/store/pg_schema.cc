#include "store/pg_schema.h"

namespace tock::server::pg {
namespace {

// kMigrations[i] takes the schema from version i to i + 1. Append only.
const char* const kMigrations[] = {
    // 1: signing keys (private halves sealed with AES-256-GCM under a KEK,
    // kid as associated data) and the replay store's one-time ids.
    "CREATE TABLE tock_keys ("
    "  kid text PRIMARY KEY,"
    "  alg text NOT NULL,"
    "  created_at bigint NOT NULL,"
    "  activate_at bigint NOT NULL,"
    "  retired_at bigint,"
    "  kek_id text NOT NULL,"
    "  sealed_key bytea NOT NULL);"
    "CREATE TABLE tock_replay ("
    "  id text PRIMARY KEY,"
    "  expires_at bigint NOT NULL);"
    "CREATE INDEX tock_replay_expiry ON tock_replay (expires_at);",
};

Result<void> MigrateLocked(PGconn* conn) {
  if (auto r =
          Exec(conn, "CREATE TABLE IF NOT EXISTS tock_schema_version (version integer NOT NULL)");
      !r.ok())
    return r.error();
  Result<Rows> rows = Exec(conn, "SELECT coalesce(max(version), 0) FROM tock_schema_version");
  if (!rows.ok()) return rows.error();
  int version = static_cast<int>(rows->Int(0, 0));
  if (version > kSchemaVersion) {
    return Error(ErrorCode::kUsage,
                 "the database schema is at version " + std::to_string(version) +
                     ", newer than this tock knows (" + std::to_string(kSchemaVersion) +
                     "): run a tock at least as new as the one that migrated it");
  }
  for (int v = version; v < kSchemaVersion; ++v) {
    if (auto r = ExecScript(conn, kMigrations[v]); !r.ok()) return r.error();
  }
  if (version < kSchemaVersion) {
    if (auto r = Exec(conn, "DELETE FROM tock_schema_version"); !r.ok()) return r.error();
    if (auto r = Exec(conn, "INSERT INTO tock_schema_version (version) VALUES ($1)",
                      {Param::Int(kSchemaVersion)});
        !r.ok())
      return r.error();
  }
  return {};
}

}  // namespace

Result<void> Migrate(PGconn* conn) {
  if (auto r = Exec(conn, "BEGIN"); !r.ok()) return r.error();
  // Two instances starting at once: the second waits, then sees version 1.
  Result<void> done = [&]() -> Result<void> {
    if (auto r = Exec(conn, "SELECT pg_advisory_xact_lock($1)", {Param::Int(kMigrationLock)});
        !r.ok())
      return r.error();
    return MigrateLocked(conn);
  }();
  if (!done.ok()) {
    (void)Exec(conn, "ROLLBACK");
    return done.error();
  }
  if (auto r = Exec(conn, "COMMIT"); !r.ok()) return r.error();
  return {};
}

}  // namespace tock::server::pg
