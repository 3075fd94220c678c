// OpenKeyStore: the issuer's keys from where the config says: PostgreSQL
// when [store] url is set, else the data directory. Shared by `tock serve`
// and `tock keys`.
#ifndef TOCK_SERVER_STORE_OPEN_KEY_STORE_H_
#define TOCK_SERVER_STORE_OPEN_KEY_STORE_H_

#include <memory>

#include "config.h"
#include "issuer/key_store.h"
#include "store/pg_status.h"

namespace tock::server {

// OpenKeyStore opens the key store of |config| with |policy|, making a first
// key when there is none. |status| hears whether PostgreSQL answers (unused
// for the data directory). Errors name the file, the database (never its
// password) or the kid that would not decrypt.
Result<std::unique_ptr<KeyStore>> OpenKeyStore(const Config& config, const KeyPolicy& policy,
                                               UnixSeconds now, std::shared_ptr<PgStatus> status);

}  // namespace tock::server

#endif  // TOCK_SERVER_STORE_OPEN_KEY_STORE_H_
