#include "issuer/key_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "tock/key_loader.h"

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

Result<std::unique_ptr<KeyStore>> KeyStore::Open(const std::string& data_dir, Algorithm alg,
                                                 UnixSeconds now) {
  if (auto r = EnsurePrivateDir(data_dir); !r.ok()) return r.error();
  std::string dir = data_dir + "/keys";
  if (auto r = EnsurePrivateDir(dir); !r.ok()) return r.error();
  std::unique_ptr<KeyStore> store(new KeyStore(dir));
  if (auto r = store->Load(); !r.ok()) return r.error();
  if (store->keys_.empty()) {
    if (auto r = store->Add(alg, now, now); !r.ok()) return r.error();
  }
  return store;
}

// The index holds one line per key: "kid alg created activate retired|-".
Result<void> KeyStore::Load() {
  std::string index_path = dir_ + "/index";
  if (::access(index_path.c_str(), F_OK) != 0) return {};
  Result<std::string> index = ReadFile(index_path);
  if (!index.ok()) return index.error();
  std::istringstream lines(*index);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    SigningKey k{Key(nullptr), "", Algorithm::kES256, 0, 0, std::nullopt};
    std::string alg, retired;
    if (!(fields >> k.kid >> alg >> k.created_at >> k.activate_at >> retired) ||
        !ParseAlgorithm(alg) || k.kid.find('/') != std::string::npos) {
      return Error(ErrorCode::kKeyError,
                   index_path + ":" + std::to_string(number) +
                       ": not a key index line \"kid alg created activate retired\".");
    }
    k.alg = *ParseAlgorithm(alg);
    if (retired != "-") k.retired_at = std::stoll(retired);
    Result<LoadedKeys> loaded = LoadKeyFile(dir_ + "/" + k.kid + ".pem");
    if (!loaded.ok()) return loaded.error();
    if (loaded->keys.empty() || !loaded->keys[0].has_private()) {
      return Error(ErrorCode::kKeyError, dir_ + "/" + k.kid + ".pem holds no private key.");
    }
    k.key = loaded->keys[0].WithKid(k.kid);
    keys_.push_back(std::move(k));
  }
  return {};
}

Result<void> KeyStore::Add(Algorithm alg, UnixSeconds now, UnixSeconds activate_at) {
  Result<Key> key = GenerateKey(alg);
  if (!key.ok()) return key.error();
  std::string kid = key->Thumbprint();
  Result<std::string> pem = key->PrivatePem();
  if (!pem.ok()) return pem.error();
  if (auto r = WritePrivateFile(dir_ + "/" + kid + ".pem", *pem); !r.ok()) return r.error();
  keys_.push_back(SigningKey{key->WithKid(kid), kid, alg, now, activate_at, std::nullopt});
  return SaveIndex();
}

Result<void> KeyStore::SaveIndex() const {
  std::string out = "# kid alg created activate retired (tock serve key index)\n";
  for (const SigningKey& k : keys_) {
    out += k.kid + " " + std::string(ToString(k.alg)) + " " + std::to_string(k.created_at) + " " +
           std::to_string(k.activate_at) + " " +
           (k.retired_at ? std::to_string(*k.retired_at) : "-") + "\n";
  }
  return WritePrivateFile(dir_ + "/index", out);
}

Result<std::string> KeyStore::Rotate(Algorithm alg, UnixSeconds now, std::int64_t prepublish_s) {
  UnixSeconds activate = now + prepublish_s;
  for (SigningKey& k : keys_) {
    if (!k.retired_at) k.retired_at = activate;
  }
  if (auto r = Add(alg, now, activate); !r.ok()) return r.error();
  return keys_.back().kid;
}

const SigningKey& KeyStore::Active(UnixSeconds now) const {
  const SigningKey* best = &keys_.front();
  for (const SigningKey& k : keys_) {
    if (k.activate_at <= now && k.activate_at >= best->activate_at) best = &k;
  }
  return *best;
}

JwkSet KeyStore::Published(UnixSeconds now, std::int64_t token_lifetime_s) const {
  std::vector<Key> keys;
  for (const SigningKey& k : keys_) {
    if (k.retired_at && *k.retired_at + token_lifetime_s < now) continue;
    keys.push_back(k.key);
  }
  return JwkSet(std::move(keys));
}

Result<std::string> KeyStore::PublicJwks(UnixSeconds now, std::int64_t token_lifetime_s) const {
  std::string out = "{\"keys\":[";
  bool first = true;
  for (const SigningKey& k : keys_) {
    if (k.retired_at && *k.retired_at + token_lifetime_s < now) continue;
    Result<std::string> jwk = k.key.PublicJwk(k.kid, k.alg);
    if (!jwk.ok()) return jwk.error();
    if (!first) out += ",";
    out += *jwk;
    first = false;
  }
  return out + "]}";
}

}  // namespace tock::server
