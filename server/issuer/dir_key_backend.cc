// The data-directory key backend: keys/<kid>.pem (PKCS#8, 0600) and
// keys/index, one line per key: "kid alg created activate retired|-".
// `tock keys rotate` rewrites the index by rename; a running server sees the
// new inode (Changed) and reloads.
#include <sys/stat.h>
#include <unistd.h>

#include <set>
#include <sstream>

#include "issuer/key_backend.h"
#include "issuer/key_store.h"
#include "tock/app/files.h"
#include "tock/key_loader.h"

namespace tock::server {
namespace {

struct IndexStamp {
  ino_t inode = 0;
  long long mtime_ns = 0;
  bool operator==(const IndexStamp&) const = default;
};

// StampOf identifies the index file's version: WritePrivateFile replaces it
// by rename, so a rewrite gives a new inode.
IndexStamp StampOf(const std::string& path) {
  IndexStamp stamp;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return stamp;
  stamp.inode = st.st_ino;
  stamp.mtime_ns = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  return stamp;
}

class DirKeyBackend final : public KeyBackend {
 public:
  explicit DirKeyBackend(std::string dir) : dir_(std::move(dir)) {}

  std::string_view Name() const override { return "data directory"; }

  Result<std::vector<SigningKey>> Load() override {
    IndexStamp stamp = StampOf(IndexPath());
    Result<std::vector<SigningKey>> keys = LoadIndex();
    if (keys.ok()) stamp_ = stamp;
    return keys;
  }

  Result<bool> Changed() override { return !(StampOf(IndexPath()) == stamp_); }

  Result<std::vector<SigningKey>> Update(const KeyChange& change) override {
    Result<std::vector<SigningKey>> before = LoadIndex();
    if (!before.ok()) return before.error();
    std::vector<SigningKey> keys = *before;
    if (auto r = change(keys); !r.ok()) return r.error();
    std::set<std::string> kept;
    for (const SigningKey& k : keys) {
      kept.insert(k.kid);
      if (::access(PemPath(k.kid).c_str(), F_OK) == 0) continue;
      Result<std::string> pem = k.key.PrivatePem();
      if (!pem.ok()) return pem.error();
      if (auto r = WritePrivateFile(PemPath(k.kid), *pem); !r.ok()) return r.error();
    }
    if (auto r = SaveIndex(keys); !r.ok()) return r.error();
    // A key no token can carry any more: its private half has no use left.
    for (const SigningKey& k : *before) {
      if (!kept.count(k.kid)) ::unlink(PemPath(k.kid).c_str());
    }
    return keys;
  }

 private:
  std::string IndexPath() const { return dir_ + "/index"; }
  std::string PemPath(const std::string& kid) const { return dir_ + "/" + kid + ".pem"; }

  Result<std::vector<SigningKey>> LoadIndex() const;
  Result<void> SaveIndex(const std::vector<SigningKey>& keys) {
    std::string out = "# kid alg created activate retired (tock serve key index)\n";
    for (const SigningKey& k : keys) {
      out += k.kid + " " + std::string(ToString(k.alg)) + " " + std::to_string(k.created_at) + " " +
             std::to_string(k.activate_at) + " " +
             (k.retired_at ? std::to_string(*k.retired_at) : "-") + "\n";
    }
    Result<void> saved = WritePrivateFile(IndexPath(), out);
    if (saved.ok()) stamp_ = StampOf(IndexPath());
    return saved;
  }

  std::string dir_;
  IndexStamp stamp_;
};

Result<std::vector<SigningKey>> DirKeyBackend::LoadIndex() const {
  std::vector<SigningKey> out;
  std::string index_path = IndexPath();
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
    std::string kid, alg, retired;
    UnixSeconds created_at = 0, activate_at = 0;
    if (!(fields >> kid >> alg >> created_at >> activate_at >> retired) || !ParseAlgorithm(alg) ||
        kid.find('/') != std::string::npos ||
        (retired != "-" && retired.find_first_not_of("0123456789") != std::string::npos)) {
      return Error(ErrorCode::kKeyError,
                   index_path + ":" + std::to_string(number) +
                       ": not a key index line \"kid alg created activate retired\".");
    }
    std::optional<UnixSeconds> retired_at;
    if (retired != "-") retired_at = std::stoll(retired);
    Result<LoadedKeys> loaded = LoadKeyFile(PemPath(kid));
    if (!loaded.ok()) return loaded.error();
    if (loaded->keys.empty() || !loaded->keys[0].has_private()) {
      return Error(ErrorCode::kKeyError, PemPath(kid) + " holds no private key.");
    }
    out.push_back(SigningKey{loaded->keys[0].WithKid(kid), kid, *ParseAlgorithm(alg), created_at,
                             activate_at, retired_at});
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<KeyBackend>> MakeDirKeyBackend(const std::string& keys_dir) {
  if (auto r = EnsurePrivateDir(keys_dir); !r.ok()) return r.error();
  return std::unique_ptr<KeyBackend>(std::make_unique<DirKeyBackend>(keys_dir));
}

}  // namespace tock::server
