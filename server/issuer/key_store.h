// KeyStore: the issuer's signing keys in memory and the rules of when each
// is used, over a KeyBackend that keeps them (the data directory, or
// PostgreSQL with [store]). Shared by the server's threads and by
// `tock keys`: the server picks up keys another process stored (Maintain).
#ifndef TOCK_SERVER_ISSUER_KEY_STORE_H_
#define TOCK_SERVER_ISSUER_KEY_STORE_H_

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config.h"
#include "issuer/key_backend.h"
#include "tock/algorithm.h"
#include "tock/clock.h"
#include "tock/defaults.h"
#include "tock/jwk_set.h"
#include "tock/key.h"
#include "tock/result.h"

namespace tock::server {

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
  // OpenWith loads the keys of |backend|, storing a first key when it has
  // none. The backend's errors.
  static Result<std::unique_ptr<KeyStore>> OpenWith(std::unique_ptr<KeyBackend> backend,
                                                    KeyPolicy policy, UnixSeconds now);
  ~KeyStore();

  // Rotate adds a new key that starts signing at now + prepublish (and
  // retires the current one then), and deletes keys no longer published.
  // Returns the new kid. Used by `tock keys rotate`.
  Result<std::string> Rotate(UnixSeconds now);

  // Maintain (at most once per second of |now| unless |force|) reloads the
  // keys when another process changed them, and when this process leads
  // (KeyBackend::Leads) rotates when rotate_every says the next key is due
  // for pre-publication. It may wait on the backend (never call it from an
  // I/O thread); requests keep reading the keys in memory meanwhile.
  Result<void> Maintain(UnixSeconds now, bool force = false);

  // Health is the backend's state (PostgreSQL down: the reason).
  Result<void> Health() const { return backend_->Health(); }
  // Watch calls |changed| when another instance announces a change.
  void Watch(std::function<void()> changed) { backend_->Watch(std::move(changed)); }
  bool Leads() const { return backend_->Leads(); }

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
  KeyStore(std::unique_ptr<KeyBackend> backend, KeyPolicy policy)
      : backend_(std::move(backend)), policy_(policy) {}
  Result<void> AddKey(std::vector<SigningKey>& keys, UnixSeconds now,
                      UnixSeconds activate_at) const;
  void RetireAndPrune(std::vector<SigningKey>& keys, UnixSeconds now,
                      UnixSeconds activate_at) const;
  std::optional<UnixSeconds> DueActivation(const std::vector<SigningKey>& keys,
                                           UnixSeconds now) const;
  void Replace(std::vector<SigningKey> keys);
  bool PublishedLocked(const SigningKey& k, UnixSeconds now) const;
  const SigningKey& ActiveLocked(UnixSeconds now) const;

  std::unique_ptr<KeyBackend> backend_;
  KeyPolicy policy_;
  std::mutex maintain_mutex_;  // one Maintain/Rotate at a time; not held by readers
  mutable std::mutex mutex_;   // guards keys_ only, never held across backend calls
  std::vector<SigningKey> keys_;
  UnixSeconds last_maintained_ = 0;
};

// EnsurePrivateDir creates |path| with mode 0700 when missing; kIoError.
Result<void> EnsurePrivateDir(const std::string& path);

// WritePrivateFile writes |content| to |path| created with mode 0600
// (replacing it atomically through a temporary file); kIoError.
Result<void> WritePrivateFile(const std::string& path, const std::string& content);

}  // namespace tock::server

#endif  // TOCK_SERVER_ISSUER_KEY_STORE_H_
