#include "replay/redis_connection.h"

#include <poll.h>

#include <cerrno>
#include <cstring>
#include <string_view>

namespace tock::server {
namespace {

constexpr timeval ToTimeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000),
                 static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

// Refusal judges the reply of a set-up command: nullopt when OK, else why.
std::optional<RedisFailure> Refusal(const redisContext& c, RedisReply reply,
                                    const std::string& command) {
  if (!reply) return RedisFailure{BrokenReason(c, command), true};
  if (reply->type == REDIS_REPLY_ERROR) {
    return RedisFailure{command + " was refused: " + std::string(reply->str, reply->len), false};
  }
  if (reply->type != REDIS_REPLY_STATUS) {
    return RedisFailure{command + " gave an unexpected reply", false};
  }
  return std::nullopt;
}

RedisReply Run(redisContext& c, const char* command) {
  return RedisReply(static_cast<redisReply*>(redisCommand(&c, command)));
}

// ConfigValue is the value of a CONFIG GET NAME reply ([name, value]).
std::optional<std::string> ConfigValue(const redisReply& reply) {
  if (reply.type != REDIS_REPLY_ARRAY || reply.elements != 2) return std::nullopt;
  const redisReply* value = reply.element[1];
  if (value->type != REDIS_REPLY_STRING) return std::nullopt;
  return std::string(value->str, value->len);
}

}  // namespace

RedisConnectResult ConnectRedis(const RedisUrl& url) {
  RedisConnectResult out;
  RedisConnection c(redisConnectWithTimeout(url.host.c_str(), url.port, ToTimeval(kRedisTimeout)));
  if (!c) {
    out.failure = RedisFailure{"cannot allocate a connection", true};
    return out;
  }
  if (c->err) {
    out.failure = RedisFailure{std::string(c->errstr), true};
    return out;
  }
  redisSetTimeout(c.get(), ToTimeval(kRedisTimeout));
  if (url.password) {
    // AUTH [USER] PASSWORD as binary-safe arguments; the password never
    // goes into a message (Redis does not echo it either).
    const std::string& pass = *url.password;
    RedisReply reply(static_cast<redisReply*>(
        url.user.empty() ? redisCommand(c.get(), "AUTH %b", pass.data(), pass.size())
                         : redisCommand(c.get(), "AUTH %b %b", url.user.data(), url.user.size(),
                                        pass.data(), pass.size())));
    if (auto refused = Refusal(*c, std::move(reply), "AUTH")) {
      out.failure = std::move(refused);
      return out;
    }
  }
  if (url.db != 0) {
    RedisReply reply(static_cast<redisReply*>(redisCommand(c.get(), "SELECT %d", url.db)));
    if (auto refused = Refusal(*c, std::move(reply), "SELECT " + std::to_string(url.db))) {
      out.failure = std::move(refused);
      return out;
    }
  }
  out.connection = std::move(c);
  return out;
}

std::string BrokenReason(const redisContext& c, const std::string& command) {
  // hiredis reports a socket timeout (SO_RCVTIMEO) as EAGAIN's text.
  if (c.err == REDIS_ERR_IO && std::string_view(c.errstr) == std::strerror(EAGAIN)) {
    return "no reply to " + command + " within " + std::to_string(kRedisTimeout.count()) + " ms";
  }
  return c.err ? std::string(c.errstr) : command + " got no reply";
}

bool StillOpen(const redisContext& c) {
  if (c.err || c.fd < 0) return false;
  pollfd p{c.fd, POLLIN | POLLRDHUP, 0};
  int ready = poll(&p, 1, 0);
  // Nothing to read and no hang-up: open. Data on an idle connection (EOF,
  // an error, a late reply) means it must not be reused.
  return ready == 0;
}

PersistenceCheck CheckPersistence(redisContext& c, const std::string& shown_url) {
  PersistenceCheck out;
  const std::string lost =
      ": a restart of Redis would forget every recorded jti, so a one-time token or client "
      "assertion could be used again; enable appendonly or RDB snapshots (save)";
  RedisReply aof = Run(c, "CONFIG GET appendonly");
  if (!aof) {
    out.connection_broken = true;
    return out;
  }
  if (aof->type != REDIS_REPLY_ERROR) {
    RedisReply save = Run(c, "CONFIG GET save");
    if (!save) {
      out.connection_broken = true;
      return out;
    }
    std::optional<std::string> appendonly = ConfigValue(*aof);
    std::optional<std::string> snapshots = ConfigValue(*save);
    if (appendonly && snapshots) {
      if (*appendonly != "yes" && snapshots->empty())
        out.warning = "Redis " + shown_url + " has neither appendonly nor RDB persistence" + lost;
      return out;
    }
  }
  // CONFIG is often disabled on managed Redis; INFO still tells about AOF.
  RedisReply info = Run(c, "INFO persistence");
  if (!info) {
    out.connection_broken = true;
    return out;
  }
  std::string_view text = info->type == REDIS_REPLY_STRING ? std::string_view(info->str, info->len)
                                                           : std::string_view();
  if (text.find("aof_enabled:1") != std::string_view::npos) return out;
  out.warning = "Redis " + shown_url +
                " does not say whether it persists data (CONFIG GET refused; INFO shows no "
                "appendonly)" +
                lost;
  return out;
}

}  // namespace tock::server
