// KeyBackend: where the issuer's signing keys are kept. KeyStore holds the
// keys in memory and the rules (pre-publication, retirement); a backend
// loads and stores them: the data directory (dir_key_backend.cc) or
// PostgreSQL ([store], store/pg_key_backend.h).
#ifndef TOCK_SERVER_ISSUER_KEY_BACKEND_H_
#define TOCK_SERVER_ISSUER_KEY_BACKEND_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tock/algorithm.h"
#include "tock/clock.h"
#include "tock/key.h"
#include "tock/result.h"

namespace tock::server {

struct SigningKey {
  Key key;  // carries kid
  std::string kid;
  Algorithm alg;
  UnixSeconds created_at = 0;
  UnixSeconds activate_at = 0;            // signs from then (pre-publication before)
  std::optional<UnixSeconds> retired_at;  // stopped signing then
};

// KeyChange edits a set of keys (add, retire, drop) inside KeyBackend::Update.
using KeyChange = std::function<Result<void>(std::vector<SigningKey>& keys)>;

class KeyBackend {
 public:
  virtual ~KeyBackend() = default;

  // Name is "data directory" or "PostgreSQL", for messages.
  virtual std::string_view Name() const = 0;

  // Load reads every stored key (private halves included).
  virtual Result<std::vector<SigningKey>> Load() = 0;

  // Update reads the current keys under the backend's write lock (a file
  // rename for the data directory; a transaction and an advisory lock for
  // PostgreSQL), lets |change| edit them, stores the difference (new keys,
  // changed retirements, dropped keys) and returns the keys as now stored.
  virtual Result<std::vector<SigningKey>> Update(const KeyChange& change) = 0;

  // Changed is true when the stored keys may differ from the last Load or
  // Update (another process rotated); the failure when the store is down.
  virtual Result<bool> Changed() = 0;

  // Leads is true when this process runs the rotate_every schedule: always
  // for the data directory; for PostgreSQL, the advisory-lock holder only.
  virtual bool Leads() const { return true; }

  // Health is the store's state from its last use, without waiting on it:
  // the reason when it did not answer.
  virtual Result<void> Health() const { return {}; }

  // Watch starts telling |changed| at once when another instance changed
  // the keys (PostgreSQL LISTEN/NOTIFY); StopWatch ends it. No-ops here.
  virtual void Watch(std::function<void()> changed) { (void)changed; }
  virtual void StopWatch() {}
};

// MakeDirKeyBackend keeps keys in |keys_dir| (<kid>.pem, PKCS#8, mode 0600,
// and an index), creating the folder (0700). kIoError.
Result<std::unique_ptr<KeyBackend>> MakeDirKeyBackend(const std::string& keys_dir);

}  // namespace tock::server

#endif  // TOCK_SERVER_ISSUER_KEY_BACKEND_H_
