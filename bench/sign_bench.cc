// sign/<ALG> against ceiling_sign/<ALG>: TokenBuilder::Sign of the standard
// claims (JSON writing, base64url, signature, ECDSA DER -> raw R||S) next to
// the bare OpenSSL signature or MAC of the same signing input.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "benchmarks.h"
#include "ceiling.h"
#include "fixtures.h"

namespace tock::bench {
namespace {

void SignLoop(benchmark::State& state, Algorithm alg) {
  const AlgFixture& f = Fixture(alg);
  // The claims are set once, as a service that signs with a prepared builder
  // would; each iteration serialises and signs them.
  const TokenBuilder builder = StandardBuilder(f.kid);
  for (auto _ : state) {
    Result<std::string> token = builder.Sign(*f.signing_key, alg);
    if (!token.ok()) {
      state.SkipWithError(token.error().message().c_str());
      break;
    }
    benchmark::DoNotOptimize(token);
  }
  state.SetItemsProcessed(state.iterations());
}

// SignFreshLoop is SignLoop with new times on every token, as an issuer
// minting tokens does: each setter drops the builder's cached encoding, so
// every iteration serialises and encodes the claims again.
void SignFreshLoop(benchmark::State& state, Algorithm alg) {
  const AlgFixture& f = Fixture(alg);
  TokenBuilder builder = StandardBuilder(f.kid);
  std::int64_t now = 1781255800;  // any instant: only the bytes matter here
  for (auto _ : state) {
    ++now;
    builder.SetNumber("iat", now);
    builder.SetNumber("nbf", now - 60);
    builder.SetNumber("exp", now + 3600);
    Result<std::string> token = builder.Sign(*f.signing_key, alg);
    if (!token.ok()) {
      state.SkipWithError(token.error().message().c_str());
      break;
    }
    benchmark::DoNotOptimize(token);
  }
  state.SetItemsProcessed(state.iterations());
}

void CeilingSignLoop(benchmark::State& state, Algorithm alg) {
  const AlgFixture& f = Fixture(alg);
  if (alg == Algorithm::kHS256) {
    CeilingMac mac(f.secret, MacMode::kReinit);
    unsigned char tag[32];
    for (auto _ : state) {
      if (!mac.Mac(f.signing_input, tag)) {
        state.SkipWithError("the HMAC ceiling failed");
        break;
      }
      benchmark::DoNotOptimize(tag);
    }
  } else {
    CeilingPkey signer(alg, f.ossl_private.get(), /*sign=*/true, PkeyMode::kCopy);
    std::string signature;
    for (auto _ : state) {
      if (!signer.Sign(f.signing_input, signature)) {
        state.SkipWithError("the OpenSSL ceiling cannot sign");
        break;
      }
      benchmark::DoNotOptimize(signature);
    }
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

void RegisterSignBenchmarks() {
  for (Algorithm alg : BenchAlgorithms()) {
    const std::string name(ToString(alg));
    benchmark::RegisterBenchmark(("sign/" + name).c_str(),
                                 [alg](benchmark::State& s) { SignLoop(s, alg); });
    benchmark::RegisterBenchmark(("ceiling_sign/" + name).c_str(),
                                 [alg](benchmark::State& s) { CeilingSignLoop(s, alg); });
  }
  benchmark::RegisterBenchmark("sign_fresh/HS256",
                               [](benchmark::State& s) { SignFreshLoop(s, Algorithm::kHS256); });
}

}  // namespace tock::bench
