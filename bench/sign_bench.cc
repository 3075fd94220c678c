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

// SignLoop signs the standard claims with a builder prepared once. With
// |fresh|, each iteration first sets new times, as an issuer minting tokens
// does: the setters drop the builder's cached encoding, so the claims are
// serialised and encoded again every call (sign_fresh/); without, the
// builder reuses its encoding, as a service re-signing the same claims would.
void SignLoop(benchmark::State& state, Algorithm alg, bool fresh) {
  const AlgFixture& f = Fixture(alg);
  TokenBuilder builder = StandardBuilder(f.kid);
  std::int64_t now = 1781255800;  // any instant: only the bytes matter here
  for (auto _ : state) {
    if (fresh) {
      ++now;
      builder.SetNumber("iat", now);
      builder.SetNumber("nbf", now - 60);
      builder.SetNumber("exp", now + 3600);
    }
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
                                 [alg](benchmark::State& s) { SignLoop(s, alg, /*fresh=*/false); });
    benchmark::RegisterBenchmark(("ceiling_sign/" + name).c_str(),
                                 [alg](benchmark::State& s) { CeilingSignLoop(s, alg); });
  }
  benchmark::RegisterBenchmark("sign_fresh/HS256", [](benchmark::State& s) {
    SignLoop(s, Algorithm::kHS256, /*fresh=*/true);
  });
}

}  // namespace tock::bench
