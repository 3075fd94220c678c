// verify_loop: runs Verifier::Verify (or TokenBuilder::Sign) on the standard
// token K times, for instruction counts and heap allocation counts, which
// unlike timings do not depend on what else the machine is doing.
//
//   verify_loop [--alg=HS256] [--count=K] [--fixtures=DIR]
//               [--mode=verify|ceiling|sign|ceiling_sign|decode]
//
// The modes are the loops of tock-bench's verify/, ceiling/, sign/,
// ceiling_sign/ and decode benchmarks.
// Prints one JSON object: allocations per call by C++ operator new and by
// OpenSSL (CRYPTO_malloc/realloc, counted through CRYPTO_set_mem_functions).
// Instructions per call: run it under valgrind --tool=callgrind with K and
// 2K and divide the difference by K (bench/compare --instructions does it).
#include <openssl/crypto.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ceiling.h"
#include "fixtures.h"

namespace {

// Counters are thread-local: the loop is single-threaded, and a shared
// atomic would be the very contention the benchmarks look for.
thread_local std::size_t t_cxx_allocs = 0;
thread_local std::size_t t_cxx_bytes = 0;
thread_local std::size_t t_ossl_allocs = 0;

void* CountedNew(std::size_t size) {
  ++t_cxx_allocs;
  t_cxx_bytes += size;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}

void* OsslMalloc(std::size_t size, const char*, int) {
  ++t_ossl_allocs;
  return std::malloc(size);
}
void* OsslRealloc(void* p, std::size_t size, const char*, int) {
  ++t_ossl_allocs;
  return std::realloc(p, size);
}
void OsslFree(void* p, const char*, int) { std::free(p); }

}  // namespace

void* operator new(std::size_t size) { return CountedNew(size); }
void* operator new[](std::size_t size) { return CountedNew(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  ++t_cxx_allocs;
  t_cxx_bytes += size;
  return std::malloc(size == 0 ? 1 : size);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace {

using tock::bench::CeilingMac;
using tock::bench::CeilingPkey;

// MakeLoopBody returns one call of |mode|, its state set up beforehand.
std::function<bool()> MakeLoopBody(tock::Algorithm alg, const std::string& mode) {
  const tock::bench::AlgFixture& f = tock::bench::Fixture(alg);
  const tock::Validator& validator = tock::bench::StandardValidator();
  const bool hmac = alg == tock::Algorithm::kHS256;
  if (mode == "verify")
    return [&f, &validator] { return f.verifier->Verify(f.token, validator).ok(); };
  if (mode == "decode") return [&f] { return tock::InspectUnverified(f.token).ok(); };
  if (mode == "sign") {
    auto builder = std::make_shared<tock::TokenBuilder>(tock::bench::StandardBuilder(f.kid));
    return [&f, alg, builder] { return builder->Sign(*f.signing_key, alg).ok(); };
  }
  if (hmac) {
    auto mac = std::make_shared<CeilingMac>(f.secret, tock::bench::MacMode::kReinit);
    if (mode == "ceiling") return [&f, mac] { return mac->Verify(f.signing_input, f.signature); };
    return [&f, mac] {
      unsigned char tag[32];
      return mac->Mac(f.signing_input, tag);
    };
  }
  const bool sign = mode == "ceiling_sign";
  auto pkey = std::make_shared<CeilingPkey>(alg, sign ? f.ossl_private.get() : f.ossl_public.get(),
                                            sign, tock::bench::PkeyMode::kCopy);
  if (sign) {
    auto out = std::make_shared<std::string>();
    return [&f, pkey, out] { return pkey->Sign(f.signing_input, *out); };
  }
  const bool ecdsa = alg == tock::Algorithm::kES256 || alg == tock::Algorithm::kES384;
  auto signature = std::make_shared<std::string>(
      ecdsa ? tock::bench::CeilingSignature(alg, f.ossl_private.get(), f.signing_input)
            : f.signature);
  return [&f, pkey, signature] { return pkey->Verify(f.signing_input, *signature); };
}

}  // namespace

int main(int argc, char** argv) {
  // Must come before OpenSSL allocates anything.
  const bool ossl_counted = CRYPTO_set_mem_functions(OsslMalloc, OsslRealloc, OsslFree) == 1;
  std::string alg_name = "HS256";
  std::string mode = "verify";
  std::string dir;
  long count = 1000;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const std::string value(arg.substr(arg.find('=') + 1));
    if (arg.starts_with("--alg=")) {
      alg_name = value;
    } else if (arg.starts_with("--count=")) {
      count = std::strtol(value.c_str(), nullptr, 10);
    } else if (arg.starts_with("--mode=")) {
      mode = value;
    } else if (arg.starts_with("--fixtures=")) {
      dir = value;
    } else {
      tock::bench::Die("unknown argument " + std::string(arg));
    }
  }
  const std::optional<tock::Algorithm> alg = tock::ParseAlgorithm(alg_name);
  const std::vector<std::string> modes = {"verify", "ceiling", "sign", "ceiling_sign", "decode"};
  if (!alg || count <= 0 || std::find(modes.begin(), modes.end(), mode) == modes.end()) {
    tock::bench::Die(
        "usage: verify_loop [--alg=HS256] [--count=K] [--fixtures=DIR] "
        "[--mode=verify|ceiling|sign|ceiling_sign|decode]");
  }
  tock::bench::InitFixtures(dir, {*alg});
  const std::function<bool()> once = MakeLoopBody(*alg, mode);
  for (int i = 0; i < 16; ++i) once();  // lazily built contexts, first-touch caches
  const std::size_t cxx0 = t_cxx_allocs, bytes0 = t_cxx_bytes, ossl0 = t_ossl_allocs;
  long failures = 0;
  for (long i = 0; i < count; ++i) failures += once() ? 0 : 1;
  const double n = static_cast<double>(count);
  char openssl_allocs[32] = "null";
  if (ossl_counted) {
    std::snprintf(openssl_allocs, sizeof(openssl_allocs), "%.2f",
                  static_cast<double>(t_ossl_allocs - ossl0) / n);
  }
  std::printf(
      "{\"alg\":\"%s\",\"mode\":\"%s\",\"count\":%ld,\"failures\":%ld,"
      "\"cxx_allocs_per_call\":%.2f,\"cxx_bytes_per_call\":%.1f,"
      "\"openssl_allocs_per_call\":%s}\n",
      alg_name.c_str(), mode.c_str(), count, failures, static_cast<double>(t_cxx_allocs - cxx0) / n,
      static_cast<double>(t_cxx_bytes - bytes0) / n, openssl_allocs);
  return failures == 0 ? 0 : 1;
}
