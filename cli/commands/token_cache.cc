#include "commands/token_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "tock/app/files.h"

namespace tock::cli {
namespace {

Error IoError(const std::string& what, const std::string& path) {
  return Error(ErrorCode::kIoError, what + " " + path + ": " + std::strerror(errno));
}

// MakeDirs is mkdir -p with mode 0700 for every folder it creates.
Result<void> MakeDirs(const std::string& dir) {
  for (std::size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/') continue;
    const std::string prefix = dir.substr(0, pos);
    if (mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      return IoError("cannot create the cache folder", prefix);
    }
  }
  return {};
}

}  // namespace

Result<std::string> DefaultCacheDir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/tock";
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] != '\0') return std::string(home) + "/.cache/tock";
  return Error(ErrorCode::kIoError,
               "no cache folder: neither XDG_CACHE_HOME nor HOME is set (give --cache DIR or "
               "--no-cache)");
}

Result<void> PrepareCacheDir(const Output& out, const std::string& dir) {
  if (Result<void> made = MakeDirs(dir); !made.ok()) return made;
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0) return IoError("cannot use the cache folder", dir);
  if (!S_ISDIR(st.st_mode)) {
    return Error(ErrorCode::kIoError, "the cache folder " + dir + " is not a folder");
  }
  if ((st.st_mode & 077) == 0) return {};
  if (st.st_uid != geteuid()) {
    return Error(ErrorCode::kIoError, "the cache folder " + dir +
                                          " belongs to another user and others can read it: "
                                          "give a private folder (--cache DIR)");
  }
  if (chmod(dir.c_str(), 0700) != 0) return IoError("cannot make private the cache folder", dir);
  PrintNote(out, "made the cache folder " + dir + " private (mode 0700)");
  return {};
}

std::optional<AccessToken> ReadCachedToken(const std::string& path) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return std::nullopt;
  Result<AccessToken> token = ParseAccessToken(*text);
  if (!token.ok()) return std::nullopt;
  return *token;
}

Result<void> WriteCachedToken(const std::string& path, const AccessToken& token) {
  const std::string temp = path + ".tmp." + std::to_string(getpid());
  const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot write the cache file", temp);
  const std::string text = SerializeAccessToken(token) + "\n";
  const bool written = fchmod(fd, 0600) == 0 &&
                       write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const bool closed = close(fd) == 0;
  if (!written || !closed || std::rename(temp.c_str(), path.c_str()) != 0) {
    Error e = IoError("cannot write the cache file", path);
    std::remove(temp.c_str());
    return e;
  }
  return {};
}

}  // namespace tock::cli
