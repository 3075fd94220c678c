// RunServe: the server's entry point. `tock serve` (cli/commands/serve.cc)
// parses its flags into ServeOptions and calls RunServe; the server itself
// never sees the command line.
#ifndef TOCK_SERVER_SERVE_H_
#define TOCK_SERVER_SERVE_H_

#include "config.h"

namespace tock::server {

// ServeOptions is what `tock serve`'s flags set.
struct ServeOptions {
  std::string config_file;  // empty: embedded defaults
  Overrides overrides;
  // --clock-offset: the whole server's clock (issuing, validation, the SNTP
  // comparison) runs this many seconds ahead (negative: behind).
  double clock_offset_s = 0;
};

// RunServe loads the config, opens the keys and the replay store, listens
// and serves until SIGINT/SIGTERM. Returns 0 after a graceful shutdown, 2
// for a bad config or anything that fails before listening.
int RunServe(const ServeOptions& flags);

}  // namespace tock::server

#endif  // TOCK_SERVER_SERVE_H_
