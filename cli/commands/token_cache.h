// The `tock token` cache: one file per (endpoint, client, scopes, audience),
// mode 0600 in a 0700 folder, holding only access tokens and what was learnt
// with them (tock::SerializeAccessToken), never a secret or key.
#ifndef TOCK_CLI_COMMANDS_TOKEN_CACHE_H_
#define TOCK_CLI_COMMANDS_TOKEN_CACHE_H_

#include <optional>
#include <string>

#include "common/options.h"
#include "tock/token_source.h"

namespace tock::cli {

// DefaultCacheDir is $XDG_CACHE_HOME/tock, else ~/.cache/tock; kIoError
// when neither variable is set.
Result<std::string> DefaultCacheDir();

// PrepareCacheDir creates |dir| (and parents) with mode 0700; an existing
// folder of ours with wider permissions is narrowed to 0700 (with a note),
// one of another user is kIoError.
Result<void> PrepareCacheDir(const Output& out, const std::string& dir);

// ReadCachedToken returns the token saved at |path|, nullopt when there is
// none or it cannot be read (a damaged entry is fetched anew).
std::optional<AccessToken> ReadCachedToken(const std::string& path);

// WriteCachedToken replaces |path| atomically by a 0600 file holding |token|.
Result<void> WriteCachedToken(const std::string& path, const AccessToken& token);

}  // namespace tock::cli

#endif  // TOCK_CLI_COMMANDS_TOKEN_CACHE_H_
