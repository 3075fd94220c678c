// KekRing: the key-encryption keys an instance holds: the current one
// ([store] kek_file, else the environment variable TOCK_KEK) and optionally
// the previous one (previous_kek_file), so that `tock keys rewrap` needs no
// downtime: instances that hold both open keys sealed under either.
#ifndef TOCK_SERVER_STORE_KEK_RING_H_
#define TOCK_SERVER_STORE_KEK_RING_H_

#include <optional>
#include <string>

#include "config.h"
#include "tock/key_wrap.h"
#include "tock/result.h"

namespace tock::server {

struct KekRing {
  std::optional<Kek> current;
  std::optional<Kek> previous;
  std::string current_source = "no KEK";  // "kek_file PATH" or "TOCK_KEK", for messages

  // Find is the Kek whose id is |id|, else nullptr.
  const Kek* Find(const std::string& id) const;
  // Describe says which KEK ids the ring holds, for error messages.
  std::string Describe() const;
};

// ReadKekFile reads a KEK file: 32 bytes base64url, readable by its owner
// only (a group or world bit set is refused, as ssh refuses a private key).
// kKeyError / kIoError naming the file.
Result<Kek> ReadKekFile(const std::string& path);

// LoadKekRing reads kek_file (or TOCK_KEK) and previous_kek_file. A ring
// without a current KEK is not an error here: an instance that must open or
// seal a key then fails naming the kid.
Result<KekRing> LoadKekRing(const StoreConfig& store);

}  // namespace tock::server

#endif  // TOCK_SERVER_STORE_KEK_RING_H_
