// Reading and writing tock_keys rows: sealing and opening private halves.
#ifndef TOCK_SERVER_STORE_PG_KEY_ROWS_H_
#define TOCK_SERVER_STORE_PG_KEY_ROWS_H_

#include <map>
#include <string>
#include <vector>

#include "issuer/key_backend.h"
#include "store/kek_ring.h"
#include "store/pg.h"

namespace tock::server::pg {

// KeyRow is one tock_keys row as stored.
struct KeyRow {
  std::string kid;
  std::string alg;
  UnixSeconds created_at = 0;
  UnixSeconds activate_at = 0;
  std::optional<UnixSeconds> retired_at;
  std::string kek_id;
  std::string sealed;  // nonce || ciphertext || tag
};

// SelectKeyRows reads every row in the order every instance publishes them
// (activate_at, then kid bytewise). |for_update| locks them.
Result<std::vector<KeyRow>> SelectKeyRows(PGconn* conn, bool for_update = false);

// Digest is a text that changes whenever a row is added, retired, dropped
// or re-sealed.
std::string Digest(const std::vector<KeyRow>& rows);

// OpenRow decrypts a row's private key with the KEK its row names.
// kKeyError naming the kid when the ring lacks that KEK or it does not open.
Result<SigningKey> OpenRow(const KeyRow& row, const KekRing& ring);

// SealedRow makes the row of |key| sealed under |kek|.
Result<KeyRow> SealedRow(const SigningKey& key, const Kek& kek);

Result<void> InsertRow(PGconn* conn, const KeyRow& row);

}  // namespace tock::server::pg

#endif  // TOCK_SERVER_STORE_PG_KEY_ROWS_H_
