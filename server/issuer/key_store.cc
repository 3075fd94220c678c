#include "issuer/key_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tock::server {
namespace {

Error IoError(const std::string& what, const std::string& path) {
  return Error(ErrorCode::kIoError,
               "Cannot " + what + " " + path + ": " + std::strerror(errno) + ".");
}

}  // namespace

Result<void> EnsurePrivateDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) == 0) return {};
  if (errno != EEXIST) return IoError("create the folder", path);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Error(ErrorCode::kIoError, path + " exists and is not a folder.");
  }
  return {};
}

Result<void> WritePrivateFile(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("create", tmp);
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return IoError("write", tmp);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return IoError("write", tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return IoError("rename to", path);
  return {};
}

KeyPolicy KeyPolicyOf(const TokenConfig& token) {
  KeyPolicy p;
  p.alg = token.algorithm;
  p.prepublish_s = token.prepublish_s;
  p.rotate_every_s = token.rotate_every_s;
  p.keep_s = token.ttl_s + token.nbf_backdate_s + kDefaultSkewSeconds;
  return p;
}

std::string_view ToString(KeyState state) {
  switch (state) {
    case KeyState::kNext:
      return "next";
    case KeyState::kActive:
      return "active";
    case KeyState::kRetired:
      return "retired";
    case KeyState::kExpired:
      return "expired";
  }
  return "expired";
}

Result<std::unique_ptr<KeyStore>> KeyStore::Open(const std::string& data_dir, KeyPolicy policy,
                                                 UnixSeconds now) {
  if (auto r = EnsurePrivateDir(data_dir); !r.ok()) return r.error();
  Result<std::unique_ptr<KeyBackend>> backend = MakeDirKeyBackend(data_dir + "/keys");
  if (!backend.ok()) return backend.error();
  return OpenWith(std::move(*backend), policy, now);
}

Result<std::unique_ptr<KeyStore>> KeyStore::OpenWith(std::unique_ptr<KeyBackend> backend,
                                                     KeyPolicy policy, UnixSeconds now) {
  std::unique_ptr<KeyStore> store(new KeyStore(std::move(backend), policy));
  Result<std::vector<SigningKey>> keys = store->backend_->Load();
  if (!keys.ok()) return keys.error();
  if (keys->empty()) {
    // Another instance may store a first key at the same moment: Update
    // re-reads under the backend's lock and adds one only to an empty set.
    keys = store->backend_->Update([&](std::vector<SigningKey>& current) -> Result<void> {
      if (!current.empty()) return {};
      return store->AddKey(current, now, now);
    });
    if (!keys.ok()) return keys.error();
  }
  store->Replace(std::move(*keys));
  return store;
}

KeyStore::~KeyStore() { backend_->StopWatch(); }

Result<void> KeyStore::AddKey(std::vector<SigningKey>& keys, UnixSeconds now,
                              UnixSeconds activate_at) const {
  Result<Key> key = GenerateKey(policy_.alg);
  if (!key.ok()) return key.error();
  std::string kid = key->Thumbprint();
  keys.push_back(SigningKey{key->WithKid(kid), kid, policy_.alg, now, activate_at, std::nullopt});
  return {};
}

// RetireAndPrune retires every key at |activate_at| (when the next one
// signs) and drops keys no token can carry any more: their private key has
// no use left, and keeping it only adds risk.
void KeyStore::RetireAndPrune(std::vector<SigningKey>& keys, UnixSeconds now,
                              UnixSeconds activate_at) const {
  std::vector<SigningKey> kept;
  for (SigningKey& k : keys) {
    if (!k.retired_at || *k.retired_at > activate_at) k.retired_at = activate_at;
    if (StateOf(k, now) != KeyState::kExpired) kept.push_back(std::move(k));
  }
  keys = std::move(kept);
}

// DueActivation: with rotate_every, the next key is made prepublish before
// the newest one's turn ends, so verifiers have it cached before the first
// token it signs. nullopt while none is due.
std::optional<UnixSeconds> KeyStore::DueActivation(const std::vector<SigningKey>& keys,
                                                   UnixSeconds now) const {
  if (!policy_.rotate_every_s) return std::nullopt;
  UnixSeconds newest = 0;
  for (const SigningKey& k : keys) newest = std::max(newest, k.activate_at);
  if (now < newest + *policy_.rotate_every_s - policy_.prepublish_s) return std::nullopt;
  return std::max(now + policy_.prepublish_s, newest + *policy_.rotate_every_s);
}

void KeyStore::Replace(std::vector<SigningKey> keys) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!keys.empty()) keys_ = std::move(keys);
}

Result<std::string> KeyStore::Rotate(UnixSeconds now) {
  std::lock_guard<std::mutex> serial(maintain_mutex_);
  std::string kid;
  Result<std::vector<SigningKey>> stored =
      backend_->Update([&](std::vector<SigningKey>& keys) -> Result<void> {
        UnixSeconds activate = now + policy_.prepublish_s;
        RetireAndPrune(keys, now, activate);
        if (auto r = AddKey(keys, now, activate); !r.ok()) return r.error();
        kid = keys.back().kid;
        return {};
      });
  if (!stored.ok()) return stored.error();
  Replace(std::move(*stored));
  return kid;
}

Result<void> KeyStore::Maintain(UnixSeconds now, bool force) {
  std::lock_guard<std::mutex> serial(maintain_mutex_);
  if (!force && now == last_maintained_) return {};
  last_maintained_ = now;
  Result<bool> changed = backend_->Changed();
  if (!changed.ok()) return changed.error();
  if (*changed) {
    Result<std::vector<SigningKey>> keys = backend_->Load();
    if (!keys.ok()) return keys.error();  // keep serving the keys we have
    Replace(std::move(*keys));
  }
  if (!backend_->Leads() || !DueActivation(keys(), now)) return {};
  // Decided again on the stored keys under the backend's lock: a rotation
  // another process made meanwhile is not made twice.
  Result<std::vector<SigningKey>> stored =
      backend_->Update([&](std::vector<SigningKey>& keys) -> Result<void> {
        std::optional<UnixSeconds> activate = DueActivation(keys, now);
        if (!activate) return {};
        RetireAndPrune(keys, now, *activate);
        return AddKey(keys, now, *activate);
      });
  if (!stored.ok()) return stored.error();
  Replace(std::move(*stored));
  return {};
}

KeyState KeyStore::StateOf(const SigningKey& k, UnixSeconds now) const {
  if (k.activate_at > now) return KeyState::kNext;
  if (!k.retired_at || *k.retired_at > now) return KeyState::kActive;
  return *k.retired_at + policy_.keep_s < now ? KeyState::kExpired : KeyState::kRetired;
}

const SigningKey& KeyStore::ActiveLocked(UnixSeconds now) const {
  const SigningKey* best = &keys_.front();
  for (const SigningKey& k : keys_) {
    if (k.activate_at <= now && k.activate_at >= best->activate_at) best = &k;
  }
  return *best;
}

SigningKey KeyStore::Active(UnixSeconds now) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return ActiveLocked(now);
}

bool KeyStore::PublishedLocked(const SigningKey& k, UnixSeconds now) const {
  return StateOf(k, now) != KeyState::kExpired;
}

JwkSet KeyStore::Published(UnixSeconds now) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<Key> keys;
  for (const SigningKey& k : keys_) {
    if (PublishedLocked(k, now)) keys.push_back(k.key);
  }
  return JwkSet(std::move(keys));
}

Result<std::string> KeyStore::PublicJwks(UnixSeconds now) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out = "{\"keys\":[";
  bool first = true;
  for (const SigningKey& k : keys_) {
    if (!PublishedLocked(k, now)) continue;
    Result<std::string> jwk = k.key.PublicJwk(k.kid, k.alg);
    if (!jwk.ok()) return jwk.error();
    if (!first) out += ",";
    out += *jwk;
    first = false;
  }
  return out + "]}";
}

std::vector<SigningKey> KeyStore::keys() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return keys_;
}

}  // namespace tock::server
