// RunServe: `tock serve` from flags to a running server and back to an exit code.
#ifndef TOCK_SERVER_APP_H_
#define TOCK_SERVER_APP_H_

#include "config.h"

namespace tock::server {

struct ServeFlags {
  std::string config_file;  // empty: embedded defaults
  Overrides overrides;
  // --clock-offset: the whole server's clock (issuing, validation, the SNTP
  // comparison) runs this many seconds ahead (negative: behind).
  double clock_offset_s = 0;
};

// RunServe loads the config, opens the keys and the replay store, listens
// and serves until SIGINT/SIGTERM. Returns 0 after a graceful shutdown, 2
// for a bad config or anything that fails before listening.
int RunServe(const ServeFlags& flags);

}  // namespace tock::server

#endif  // TOCK_SERVER_APP_H_
