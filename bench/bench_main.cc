// tock-bench: Google Benchmark's command line plus two flags of ours.
//   --fixtures=DIR   reuse the keys and tokens in DIR, writing any missing
//                    ones (bench/compare hands DIR to the peers)
//   --fixtures_only  write the fixtures and exit without measuring
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>
#include <vector>

#include "benchmarks.h"
#include "fixtures.h"

int main(int argc, char** argv) {
  std::string dir;
  bool fixtures_only = false;
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("--fixtures=")) {
      dir = std::string(arg.substr(arg.find('=') + 1));
    } else if (arg == "--fixtures_only") {
      fixtures_only = true;
    } else {
      rest.push_back(argv[i]);
    }
  }
  tock::bench::InitFixtures(dir, tock::bench::BenchAlgorithms());
  if (fixtures_only) return 0;

  tock::bench::RegisterVerifyBenchmarks();
  tock::bench::RegisterSignBenchmarks();
  tock::bench::RegisterLookupBenchmarks();
  int rest_argc = static_cast<int>(rest.size());
  rest.push_back(nullptr);
  benchmark::Initialize(&rest_argc, rest.data());
  if (benchmark::ReportUnrecognizedArguments(rest_argc, rest.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
