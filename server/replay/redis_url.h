// RedisUrl: the [replay] url, redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]
// (the IANA "redis" URI scheme), parsed by Boost.URL.
#ifndef TOCK_SERVER_REPLAY_REDIS_URL_H_
#define TOCK_SERVER_REPLAY_REDIS_URL_H_

#include <optional>
#include <string>
#include <string_view>

#include "tock/result.h"

namespace tock::server {

struct RedisUrl {
  std::string host;  // name or IP address, IPv6 without brackets
  int port = 6379;
  int db = 0;
  std::string user;                     // empty: AUTH PASSWORD (the "default" user)
  std::optional<std::string> password;  // set: AUTH [USER] PASSWORD on connect
  // shown is the URL for messages and logs: the password replaced by "***",
  // so it never reaches a log line, a response body or stderr.
  std::string shown;
};

// ParseRedisUrl reads |url|; kUsage with the reason (never the password).
Result<RedisUrl> ParseRedisUrl(std::string_view url);

}  // namespace tock::server

#endif  // TOCK_SERVER_REPLAY_REDIS_URL_H_
