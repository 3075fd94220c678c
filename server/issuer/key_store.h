// KeyStore: the issuer's signing keys in the data directory (keys/<kid>.pem,
// PKCS#8, mode 0600, in 0700 folders) and the index of when each is used.
#ifndef TOCK_SERVER_ISSUER_KEY_STORE_H_
#define TOCK_SERVER_ISSUER_KEY_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tock/algorithm.h"
#include "tock/clock.h"
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

class KeyStore {
 public:
  // Open loads the keys of |data_dir|, creating the folder (0700) and a first
  // |alg| key (0600) when there is none. kIoError / kKeyError with the path.
  static Result<std::unique_ptr<KeyStore>> Open(const std::string& data_dir, Algorithm alg,
                                                UnixSeconds now);

  // Rotate adds a new |alg| key that starts signing at now + prepublish (and
  // retires the current one then). Used by `tock keys rotate`.
  Result<std::string> Rotate(Algorithm alg, UnixSeconds now, std::int64_t prepublish_s);

  // Active is the key that signs at |now|: the newest already activated.
  const SigningKey& Active(UnixSeconds now) const;
  // Published is every key a still-valid token may carry (retired less than
  // |token_lifetime_s| ago) and every pre-published key, as a JwkSet.
  JwkSet Published(UnixSeconds now, std::int64_t token_lifetime_s) const;
  // PublicJwks renders Published() with kid, use "sig" and alg per key.
  Result<std::string> PublicJwks(UnixSeconds now, std::int64_t token_lifetime_s) const;

  const std::vector<SigningKey>& keys() const { return keys_; }

 private:
  explicit KeyStore(std::string dir) : dir_(std::move(dir)) {}
  Result<void> Load();
  Result<void> Add(Algorithm alg, UnixSeconds now, UnixSeconds activate_at);
  Result<void> SaveIndex() const;

  std::string dir_;               // data_dir/keys
  std::vector<SigningKey> keys_;  // oldest first
};

// EnsurePrivateDir creates |path| with mode 0700 when missing; kIoError.
Result<void> EnsurePrivateDir(const std::string& path);

// WritePrivateFile writes |content| to |path| created with mode 0600
// (replacing it atomically through a temporary file); kIoError.
Result<void> WritePrivateFile(const std::string& path, const std::string& content);

}  // namespace tock::server

#endif  // TOCK_SERVER_ISSUER_KEY_STORE_H_
