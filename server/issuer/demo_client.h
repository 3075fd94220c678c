// The first-run `demo` client (docs/server.md, "First run"): a `tock serve`
// started with neither --config nor --issuer on a loopback address gets one
// client, so that a newcomer can get a token and validate it with the two
// shell lines the start-up banner prints, before writing any config.
#ifndef TOCK_SERVER_ISSUER_DEMO_CLIENT_H_
#define TOCK_SERVER_ISSUER_DEMO_CLIENT_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "context.h"
#include "tock/result.h"

namespace tock::server {

// DemoClient is what the banner needs to print its lines.
struct DemoClient {
  std::string secret_file;  // absolute: DATA/demo-client.secret
  std::string audience;     // issuer + "/api"
};

// AdoptBoundPort: with `listen = "...:0"` the port is the one the system
// chose; an issuer derived from the listen address takes that port too, so
// that tokens, discovery and the banner name a URL that answers.
void AdoptBoundPort(Config& config, std::uint16_t bound_port);

// AddDemoClient registers the `demo` client when this start is a first run
// (no config file, no --issuer, loopback listen address), creating its secret
// file once (0600) and reading it on later starts. nullopt when this is not
// a first run; an error when the secret file cannot be made or read.
Result<std::optional<DemoClient>> AddDemoClient(ServerContext& ctx, bool issuer_flag);

// PrintDemoLines writes the banner's block: two lines that work verbatim
// when pasted into one POSIX shell (curl and sed only).
void PrintDemoLines(std::ostream& out, const Config& config, const DemoClient& demo);

}  // namespace tock::server

#endif  // TOCK_SERVER_ISSUER_DEMO_CLIENT_H_
