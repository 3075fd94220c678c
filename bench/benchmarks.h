// Registration of tock-bench's benchmarks (names fixed by issue 6).
#ifndef TOCK_BENCH_BENCHMARKS_H_
#define TOCK_BENCH_BENCHMARKS_H_

namespace tock::bench {

// verify/<ALG>, ceiling/<ALG>, verify_threads/{ES256,HS256} and the
// ceiling_variant/* measurements behind the ceiling's design.
void RegisterVerifyBenchmarks();
// sign/<ALG> and ceiling_sign/<ALG>.
void RegisterSignBenchmarks();
// decode and jwks_lookup/<N>.
void RegisterLookupBenchmarks();

}  // namespace tock::bench

#endif  // TOCK_BENCH_BENCHMARKS_H_
