// The PostgreSQL key backend ([store] url): signing keys in tock_keys, each
// private half sealed (AES-256-GCM, kid as associated data) under the KEK
// whose id the row records. Rotation is decided by the instance holding an
// advisory lock; a change is announced by NOTIFY and, should a notification
// be lost, found by the once-a-second poll (KeyStore::Maintain).
#ifndef TOCK_SERVER_STORE_PG_KEY_BACKEND_H_
#define TOCK_SERVER_STORE_PG_KEY_BACKEND_H_

#include <memory>
#include <string>

#include "config.h"
#include "issuer/key_backend.h"
#include "store/kek_ring.h"
#include "store/pg_status.h"

namespace tock::server {

// MakePgKeyBackend connects, migrates the schema (kUsage when the database
// is newer than this build) and returns the backend. |status| hears whether
// the database answers.
Result<std::unique_ptr<KeyBackend>> MakePgKeyBackend(const StoreConfig& store, KekRing ring,
                                                     std::shared_ptr<PgStatus> status);

// RewrapKeys re-seals every key under |new_kek| in one transaction, opening
// each with the KEK of |ring| its row names. Returns how many rows changed
// (rows already under |new_kek| are left as they are). kKeyError naming the
// kid that does not open.
Result<int> RewrapKeys(const StoreConfig& store, const KekRing& ring, const Kek& new_kek);

}  // namespace tock::server

#endif  // TOCK_SERVER_STORE_PG_KEY_BACKEND_H_
