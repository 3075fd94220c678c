// fuzz_config: the `tock serve` config loader (server/config.cc: toml++ and
// the precise rules) on the input as a TOML file.
//
// Nothing crashes, throws out of LoadConfig or hangs. The result is a
// config or an error, never both; an error names this file (or no file,
// for a rule of the flags/defaults) and a reason; a config has an http(s)
// issuer and the documented bounds (positive timeouts, cache_min <=
// cache_max).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "config.h"
#include "fuzz_support.h"

namespace {

// ConfigPath is a file in a private temporary folder, made once: relative
// paths in the config resolve there, where nothing else lives.
const std::string& ConfigPath() {
  static const std::string path = [] {
    char dir[] = "/tmp/tock-fuzz-config-XXXXXX";
    if (!mkdtemp(dir)) std::abort();
    return std::string(dir) + "/tock.toml";
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tock;
  const std::string& path = ConfigPath();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  FUZZ_CHECK(f != nullptr);
  FUZZ_CHECK(std::fwrite(data, 1, size, f) == size);
  std::fclose(f);

  server::ConfigResult loaded = server::LoadConfig(path, {});
  FUZZ_CHECK(loaded.config.has_value() != loaded.error.has_value());
  if (loaded.error) {
    FUZZ_CHECK(loaded.error->file == path || loaded.error->file.empty());
    FUZZ_CHECK(!loaded.error->reason.empty());
    FUZZ_CHECK(loaded.error->line >= 0);
    return 0;
  }
  const server::Config& c = *loaded.config;
  FUZZ_CHECK(c.issuer.rfind("http://", 0) == 0 || c.issuer.rfind("https://", 0) == 0);
  FUZZ_CHECK(c.limits.header_timeout_s > 0 && c.limits.body_timeout_s > 0);
  FUZZ_CHECK(c.limits.token_rate > 0);
  for (const server::TrustConfig& t : c.trust) {
    FUZZ_CHECK(t.cache_min_s <= t.cache_max_s);
    FUZZ_CHECK(t.fetch_timeout_s > 0);
  }
  for (const server::ClientConfig& client : c.clients) FUZZ_CHECK(!client.id.empty());
  return 0;
}
