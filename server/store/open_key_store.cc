#include "store/open_key_store.h"

#include "store/kek_ring.h"
#include "store/pg_key_backend.h"

namespace tock::server {

Result<std::unique_ptr<KeyStore>> OpenKeyStore(const Config& config, const KeyPolicy& policy,
                                               UnixSeconds now, std::shared_ptr<PgStatus> status) {
  if (!config.store.postgres()) return KeyStore::Open(config.data_dir, policy, now);
  Result<KekRing> ring = LoadKekRing(config.store);
  if (!ring.ok()) return ring.error();
  Result<std::unique_ptr<KeyBackend>> backend =
      MakePgKeyBackend(config.store, std::move(*ring), std::move(status));
  if (!backend.ok()) return backend.error();
  return KeyStore::OpenWith(std::move(*backend), policy, now);
}

}  // namespace tock::server
