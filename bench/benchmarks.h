// Registration of tock-bench's benchmarks (names fixed by issue 6).
#ifndef TOCK_BENCH_BENCHMARKS_H_
#define TOCK_BENCH_BENCHMARKS_H_

#include <benchmark/benchmark.h>

#include <string_view>

#include "tock/verifier.h"

namespace tock::bench {

// VerifyEach times one full Verify of |token| per iteration and stops the
// benchmark with the error if a call fails (a figure for a failing verify
// would measure the wrong thing).
inline void VerifyEach(benchmark::State& state, const Verifier& verifier, std::string_view token,
                       const Validator& validator) {
  for (auto _ : state) {
    Result<VerifiedToken> verified = verifier.Verify(token, validator);
    if (!verified.ok()) {
      state.SkipWithError(verified.error().message().c_str());
      break;
    }
    benchmark::DoNotOptimize(verified);
  }
  state.SetItemsProcessed(state.iterations());
}

// verify/<ALG>, ceiling/<ALG>, verify_threads/{ES256,HS256} and the
// ceiling_variant/* measurements behind the ceiling's design.
void RegisterVerifyBenchmarks();
// sign/<ALG> and ceiling_sign/<ALG>.
void RegisterSignBenchmarks();
// decode and jwks_lookup/<N>.
void RegisterLookupBenchmarks();

}  // namespace tock::bench

#endif  // TOCK_BENCH_BENCHMARKS_H_
