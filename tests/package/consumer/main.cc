// Links against the installed tock through find_package(tock) and tock::tock,
// including the umbrella header: every public header must compile with no
// include path but the install prefix's.
#include <cstdio>
#include <string_view>

#include "tock/tock.h"

int main() {
  const std::optional<tock::Algorithm> alg = tock::ParseAlgorithm("ES256");
  if (!alg || tock::ToString(*alg) != "ES256") {
    std::fputs("ParseAlgorithm(\"ES256\") did not round-trip\n", stderr);
    return 1;
  }
  if (tock::ParseAlgorithm("none").has_value()) {
    std::fputs("ParseAlgorithm(\"none\") must be nullopt\n", stderr);
    return 1;
  }
  const tock::FixedClock clock(1781255830);
  std::printf("tock consumer ok: %s, %zu algorithms, now %lld\n",
              std::string(tock::ToString(*alg)).c_str(), tock::AllAlgorithms().size(),
              static_cast<long long>(clock.Now()));
  return 0;
}
