// KeyStore: the issuer's signing keys in the data directory (keys/<kid>.pem,
// PKCS#8, mode 0600, in 0700 folders) and the index of when each is used.
// Shared by the server's worker threads and by `tock keys`: the server picks
// up an index that `tock keys rotate` rewrote (Maintain).
#ifndef TOCK_SERVER_ISSUER_KEY_STORE_H_
#define TOCK_SERVER_ISSUER_KEY_STORE_H_

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config.h"
#include "tock/algorithm.h"
#include "tock/clock.h"
#include "tock/defaults.h"
#include "tock/jwk_set.h"
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

// KeyState is where a key stands at a given time, for `tock keys list`.
enum class KeyState { kNext, kActive, kRetired, kExpired };
std::string_view ToString(KeyState state);

// KeyPolicy: how keys are made and how long a retired one stays published.
struct KeyPolicy {
  Algorithm alg = Algorithm::kES256;
  std::int64_t prepublish_s = 3600;
  std::optional<std::int64_t> rotate_every_s;
  // keep_s: a retired key stays published this long after it stopped
  // signing, so every token it signed has expired first (ttl + nbf backdate
  // + the verifiers' default skew).
  std::int64_t keep_s = kDefaultTokenTtlSeconds + kDefaultNbfBackdateSeconds + kDefaultSkewSeconds;
};

// KeyPolicyOf reads [token]: algorithm, prepublish, rotate_every, and keeps
// a retired key for ttl + nbf_backdate + the verifiers' default skew.
KeyPolicy KeyPolicyOf(const TokenConfig& token);

class KeyStore {
 public:
  // Open loads the keys of |data_dir|, creating the folder (0700) and a first
  // key (0600) when there is none. kIoError / kKeyError with the path.
  static Result<std::unique_ptr<KeyStore>> Open(const std::string& data_dir, KeyPolicy policy,
                                                UnixSeconds now);

  // Rotate adds a new key that starts signing at now + prepublish (and
  // retires the current one then), and deletes keys no longer published.
  // Returns the new kid. Used by `tock keys rotate` and by the schedule.
  Result<std::string> Rotate(UnixSeconds now);

  // Maintain (at most once per second of |now|) reloads the index when
  // another process (`tock keys rotate`) changed it, and rotates when
  // rotate_every says the next key is due for pre-publication.
  Result<void> Maintain(UnixSeconds now);

  // Active is the key that signs at |now|: the newest already activated.
  SigningKey Active(UnixSeconds now) const;
  // Published is every key a still-valid token may carry (retired less than
  // keep_s ago) and every pre-published key, as a JwkSet.
  JwkSet Published(UnixSeconds now) const;
  // PublicJwks renders Published() with kid, use "sig" and alg per key.
  Result<std::string> PublicJwks(UnixSeconds now) const;
  // State of |key| at |now|.
  KeyState StateOf(const SigningKey& key, UnixSeconds now) const;

  std::vector<SigningKey> keys() const;
  const KeyPolicy& policy() const { return policy_; }

 private:
  KeyStore(std::string dir, KeyPolicy policy) : dir_(std::move(dir)), policy_(policy) {}
  Result<std::vector<SigningKey>> LoadIndex() const;
  Result<void> AddLocked(UnixSeconds now, UnixSeconds activate_at);
  Result<void> SaveIndexLocked();
  void PruneLocked(UnixSeconds now);
  bool PublishedLocked(const SigningKey& k, UnixSeconds now) const;
  const SigningKey& ActiveLocked(UnixSeconds now) const;

  std::string dir_;  // data_dir/keys
  KeyPolicy policy_;
  mutable std::mutex mutex_;
  std::vector<SigningKey> keys_;  // oldest first
  struct IndexStamp {
    ino_t inode = 0;
    long long mtime_ns = 0;
    bool operator==(const IndexStamp&) const = default;
  } stamp_;
  UnixSeconds last_maintained_ = 0;
};

// EnsurePrivateDir creates |path| with mode 0700 when missing; kIoError.
Result<void> EnsurePrivateDir(const std::string& path);

// WritePrivateFile writes |content| to |path| created with mode 0600
// (replacing it atomically through a temporary file); kIoError.
Result<void> WritePrivateFile(const std::string& path, const std::string& content);

}  // namespace tock::server

#endif  // TOCK_SERVER_ISSUER_KEY_STORE_H_
