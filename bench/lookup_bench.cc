// decode (InspectUnverified of the standard HS256 token) and jwks_lookup/<N>
// (a full HS256 Verify whose kid names the last of N keys: key selection must
// be a lookup by kid, not a scan, so N = 1000 costs about what N = 1 does).
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "benchmarks.h"
#include "fixtures.h"

namespace tock::bench {
namespace {

void DecodeLoop(benchmark::State& state) {
  const AlgFixture& f = Fixture(Algorithm::kHS256);
  for (auto _ : state) {
    Result<UnverifiedView> view = InspectUnverified(f.token);
    if (!view.ok()) {
      state.SkipWithError(view.error().message().c_str());
      break;
    }
    benchmark::DoNotOptimize(view);
  }
  state.SetItemsProcessed(state.iterations());
}

struct LookupFixture {
  std::unique_ptr<Verifier> verifier;
  std::string token;
};

// Lookup returns the N-key fixture, built on first use: N HMAC keys from
// GenerateKey, each with its thumbprint as kid, the token signed by the last.
const LookupFixture& Lookup(int n) {
  static std::map<int, std::unique_ptr<LookupFixture>> cache;
  auto& slot = cache[n];
  if (slot) return *slot;
  std::vector<Key> keys;
  keys.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    Result<Key> key = GenerateKey(Algorithm::kHS256);
    if (!key.ok()) Die("GenerateKey(HS256): " + key.error().message());
    keys.push_back(key->WithKid(key->Thumbprint()));
  }
  auto fixture = std::make_unique<LookupFixture>();
  const Key& last = keys.back();
  Result<std::string> token = StandardBuilder(*last.kid()).Sign(last, Algorithm::kHS256);
  if (!token.ok()) Die("signing the jwks_lookup token: " + token.error().message());
  fixture->token = *token;
  fixture->verifier = std::make_unique<Verifier>(JwkSet(std::move(keys)), BenchClock());
  slot = std::move(fixture);
  return *slot;
}

void LookupLoop(benchmark::State& state, int n) {
  const LookupFixture& f = Lookup(n);
  const Validator& validator = StandardValidator();
  VerifyEach(state, *f.verifier, f.token, validator);
}

}  // namespace

void RegisterLookupBenchmarks() {
  benchmark::RegisterBenchmark("decode", DecodeLoop);
  for (int n : {1, 10, 100, 1000}) {
    benchmark::RegisterBenchmark(("jwks_lookup/" + std::to_string(n)).c_str(),
                                 [n](benchmark::State& s) { LookupLoop(s, n); });
  }
}

}  // namespace tock::bench
