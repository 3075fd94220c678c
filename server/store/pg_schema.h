// The PostgreSQL schema of `tock serve` and its migrations.
#ifndef TOCK_SERVER_STORE_PG_SCHEMA_H_
#define TOCK_SERVER_STORE_PG_SCHEMA_H_

#include "store/pg.h"

namespace tock::server::pg {

// kSchemaVersion is the newest schema this build knows.
inline constexpr int kSchemaVersion = 1;

// Advisory lock ids (pg_advisory_lock's bigint space, chosen once):
// migrations, writes to tock_keys, and the rotation leader.
inline constexpr long long kMigrationLock = 0x746f636b0001;
inline constexpr long long kKeyWriteLock = 0x746f636b0002;
inline constexpr long long kRotationLeaderLock = 0x746f636b0003;

// NOTIFY channel a key change is announced on.
inline constexpr const char* kKeysChannel = "tock_keys";

// Migrate creates or upgrades the schema to kSchemaVersion inside one
// transaction (serialized across instances by an advisory lock), recording
// the version in tock_schema_version. kUsage when the database is at a newer
// version than this build knows: an older tock must not write to it.
Result<void> Migrate(PGconn* conn);

}  // namespace tock::server::pg

#endif  // TOCK_SERVER_STORE_PG_SCHEMA_H_
