#include "issuer/key_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "tock/app/files.h"
#include "tock/key_loader.h"

namespace tock::server {
namespace {

// Stamp identifies the index file's version: WritePrivateFile replaces it
// by rename, so a rewrite gives a new inode.
bool StampOf(const std::string& path, ino_t& inode, long long& mtime_ns) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  inode = st.st_ino;
  mtime_ns = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  return true;
}

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
  std::string dir = data_dir + "/keys";
  if (auto r = EnsurePrivateDir(dir); !r.ok()) return r.error();
  std::unique_ptr<KeyStore> store(new KeyStore(dir, policy));
  std::lock_guard<std::mutex> lock(store->mutex_);
  Result<std::vector<SigningKey>> keys = store->LoadIndex();
  if (!keys.ok()) return keys.error();
  store->keys_ = std::move(*keys);
  if (store->keys_.empty()) {
    if (auto r = store->AddLocked(now, now); !r.ok()) return r.error();
  }
  StampOf(dir + "/index", store->stamp_.inode, store->stamp_.mtime_ns);
  return store;
}

// The index holds one line per key: "kid alg created activate retired|-".
Result<std::vector<SigningKey>> KeyStore::LoadIndex() const {
  std::vector<SigningKey> out;
  std::string index_path = dir_ + "/index";
  if (::access(index_path.c_str(), F_OK) != 0) return out;
  Result<std::string> index = ReadFile(index_path);
  if (!index.ok()) return index.error();
  std::istringstream lines(*index);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    // The fields first: a Key exists only once its file has loaded.
    std::string kid;
    UnixSeconds created_at = 0, activate_at = 0;
    std::string alg, retired;
    if (!(fields >> kid >> alg >> created_at >> activate_at >> retired) || !ParseAlgorithm(alg) ||
        kid.find('/') != std::string::npos ||
        (retired != "-" && retired.find_first_not_of("0123456789") != std::string::npos)) {
      return Error(ErrorCode::kKeyError,
                   index_path + ":" + std::to_string(number) +
                       ": not a key index line \"kid alg created activate retired\".");
    }
    std::optional<UnixSeconds> retired_at;
    if (retired != "-") retired_at = std::stoll(retired);
    Result<LoadedKeys> loaded = LoadKeyFile(dir_ + "/" + kid + ".pem");
    if (!loaded.ok()) return loaded.error();
    if (loaded->keys.empty() || !loaded->keys[0].has_private()) {
      return Error(ErrorCode::kKeyError, dir_ + "/" + kid + ".pem holds no private key.");
    }
    out.push_back(SigningKey{loaded->keys[0].WithKid(kid), kid, *ParseAlgorithm(alg), created_at,
                             activate_at, retired_at});
  }
  return out;
}

Result<void> KeyStore::AddLocked(UnixSeconds now, UnixSeconds activate_at) {
  Result<Key> key = GenerateKey(policy_.alg);
  if (!key.ok()) return key.error();
  std::string kid = key->Thumbprint();
  Result<std::string> pem = key->PrivatePem();
  if (!pem.ok()) return pem.error();
  if (auto r = WritePrivateFile(dir_ + "/" + kid + ".pem", *pem); !r.ok()) return r.error();
  keys_.push_back(SigningKey{key->WithKid(kid), kid, policy_.alg, now, activate_at, std::nullopt});
  return SaveIndexLocked();
}

Result<void> KeyStore::SaveIndexLocked() {
  std::string out = "# kid alg created activate retired (tock serve key index)\n";
  for (const SigningKey& k : keys_) {
    out += k.kid + " " + std::string(ToString(k.alg)) + " " + std::to_string(k.created_at) + " " +
           std::to_string(k.activate_at) + " " +
           (k.retired_at ? std::to_string(*k.retired_at) : "-") + "\n";
  }
  Result<void> saved = WritePrivateFile(dir_ + "/index", out);
  if (saved.ok()) StampOf(dir_ + "/index", stamp_.inode, stamp_.mtime_ns);
  return saved;
}

// PruneLocked deletes keys no token can carry any more: their private key
// has no use left, and keeping it only adds risk.
void KeyStore::PruneLocked(UnixSeconds now) {
  std::vector<SigningKey> kept;
  for (SigningKey& k : keys_) {
    if (StateOf(k, now) == KeyState::kExpired) {
      ::unlink((dir_ + "/" + k.kid + ".pem").c_str());
    } else {
      kept.push_back(std::move(k));
    }
  }
  keys_ = std::move(kept);
}

Result<std::string> KeyStore::Rotate(UnixSeconds now) {
  std::lock_guard<std::mutex> lock(mutex_);
  UnixSeconds activate = now + policy_.prepublish_s;
  for (SigningKey& k : keys_) {
    if (!k.retired_at || *k.retired_at > activate) k.retired_at = activate;
  }
  PruneLocked(now);
  if (auto r = AddLocked(now, activate); !r.ok()) return r.error();
  return keys_.back().kid;
}

Result<void> KeyStore::Maintain(UnixSeconds now) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (now == last_maintained_) return {};
  last_maintained_ = now;
  IndexStamp seen;
  if (StampOf(dir_ + "/index", seen.inode, seen.mtime_ns) && !(seen == stamp_)) {
    Result<std::vector<SigningKey>> keys = LoadIndex();
    if (!keys.ok()) return keys.error();  // keep serving the keys we have
    if (!keys->empty()) keys_ = std::move(*keys);
    stamp_ = seen;
  }
  if (!policy_.rotate_every_s) return {};
  UnixSeconds newest = 0;
  for (const SigningKey& k : keys_) newest = std::max(newest, k.activate_at);
  // The next key is made prepublish before the newest one's turn ends, so
  // verifiers have it cached before the first token it signs.
  if (now < newest + *policy_.rotate_every_s - policy_.prepublish_s) return {};
  UnixSeconds activate = std::max(now + policy_.prepublish_s, newest + *policy_.rotate_every_s);
  for (SigningKey& k : keys_) {
    if (!k.retired_at || *k.retired_at > activate) k.retired_at = activate;
  }
  PruneLocked(now);
  return AddLocked(now, activate);
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
