// Links against the installed tock through find_package(tock) and tock::tock,
// including the umbrella header: every public header must compile with no
// include path but the install prefix's, and the JWT core alone (no tock_app)
// must sign and verify a token.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

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
  tock::Result<tock::Key> key = tock::GenerateKey(tock::Algorithm::kES256);
  if (!key.ok()) {
    std::fprintf(stderr, "GenerateKey: %s\n", key.error().message().c_str());
    return 1;
  }
  tock::TokenBuilder builder;
  builder.SetString("iss", "https://issuer.example");
  builder.SetAudiences({"api"});
  builder.StampTimes(clock.Now(), tock::Lifetime{});
  tock::Result<std::string> token = builder.Sign(*key, tock::Algorithm::kES256);
  tock::Result<tock::Validator> validator =
      tock::ValidatorBuilder().AddIssuer("https://issuer.example").AddAudience("api").Build();
  if (!token.ok() || !validator.ok()) {
    std::fputs("Sign or ValidatorBuilder::Build failed\n", stderr);
    return 1;
  }
  const tock::Verifier verifier(tock::JwkSet(std::vector<tock::Key>{*key}), clock);
  tock::Result<tock::VerifiedToken> verified = verifier.Verify(*token, *validator);
  if (!verified.ok() || verified->issuer() != "https://issuer.example" ||
      verified->expires_at() != clock.Now() + tock::kDefaultTokenTtlSeconds) {
    std::fprintf(stderr, "Verify: %s\n",
                 verified.ok() ? "wrong claims" : verified.error().message().c_str());
    return 1;
  }
  std::printf("tock consumer ok: %s, %zu algorithms, now %lld\n",
              std::string(tock::ToString(*alg)).c_str(), tock::AllAlgorithms().size(),
              static_cast<long long>(clock.Now()));
  return 0;
}
