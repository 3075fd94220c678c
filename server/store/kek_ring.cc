#include "store/kek_ring.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>

#include "tock/app/files.h"
#include "tock/key_loader.h"

namespace tock::server {

const Kek* KekRing::Find(const std::string& id) const {
  if (current && current->id() == id) return &*current;
  if (previous && previous->id() == id) return &*previous;
  return nullptr;
}

std::string KekRing::Describe() const {
  if (!current) return "no KEK is set ([store] kek_file or TOCK_KEK)";
  std::string out = current_source + " has id " + current->id();
  if (previous) out += ", previous_kek_file has id " + previous->id();
  return out;
}

Result<Kek> ReadKekFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Error(ErrorCode::kIoError, "cannot read the KEK file " + path);
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Error(ErrorCode::kKeyError, "the KEK file " + path + " is readable by others (mode " +
                                           mode + "): chmod 600 " + path);
  }
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.error();
  Result<Kek> kek = Kek::FromText(*text);
  if (!kek.ok()) return Error(ErrorCode::kKeyError, path + ": " + kek.error().message());
  return kek;
}

Result<KekRing> LoadKekRing(const StoreConfig& store) {
  KekRing ring;
  if (store.kek_file) {
    Result<Kek> kek = ReadKekFile(*store.kek_file);
    if (!kek.ok()) return kek.error();
    ring.current = std::move(*kek);
    ring.current_source = "kek_file " + *store.kek_file;
  } else if (const char* env = std::getenv("TOCK_KEK"); env != nullptr && *env != '\0') {
    Result<Kek> kek = Kek::FromText(env);
    if (!kek.ok()) return Error(ErrorCode::kKeyError, "TOCK_KEK: " + kek.error().message());
    ring.current = std::move(*kek);
    ring.current_source = "TOCK_KEK";
  }
  if (store.previous_kek_file) {
    Result<Kek> kek = ReadKekFile(*store.previous_kek_file);
    if (!kek.ok()) return kek.error();
    ring.previous = std::move(*kek);
  }
  return ring;
}

}  // namespace tock::server
