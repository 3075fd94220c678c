#include "replay/redis_url.h"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <charconv>

namespace tock::server {
namespace {

namespace urls = boost::urls;

constexpr std::string_view kForm = "redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]";

// Redacted is |text| for an error message: everything before the last '@'
// may hold a password (a raw '@' in one even makes the parser see a host in
// it), and so may a query (some clients take ?password=), so both are cut.
std::string Redacted(std::string_view text) {
  std::string out(text);
  if (std::size_t at = out.rfind('@'); at != std::string::npos)
    out = "redis://***" + out.substr(at);
  if (std::size_t q = out.find_first_of("?#"); q != std::string::npos)
    out = out.substr(0, q) + "?***";
  return out;
}

// Shown is |url| with its password, if any, replaced by "***".
std::string Shown(urls::url_view url) {
  if (!url.has_password()) return std::string(url.buffer());
  urls::url copy(url);
  copy.set_encoded_password("***");
  return std::string(copy.buffer());
}

Error Bad(std::string_view shown, const std::string& reason) {
  return Error(ErrorCode::kUsage, "[replay] url \"" + std::string(shown) + "\" is not " +
                                      std::string(kForm) + ": " + reason + ".");
}

// ParseDb reads the path: "", "/" or "/N".
std::optional<int> ParseDb(std::string_view path) {
  if (path.empty() || path == "/") return 0;
  if (path.front() != '/') return std::nullopt;
  path.remove_prefix(1);
  int db = 0;
  auto [end, ec] = std::from_chars(path.data(), path.data() + path.size(), db);
  if (ec != std::errc() || end != path.data() + path.size() || db < 0) return std::nullopt;
  return db;
}

}  // namespace

Result<RedisUrl> ParseRedisUrl(std::string_view text) {
  urls::result<urls::url_view> parsed = urls::parse_uri(text);
  const std::string shown = Redacted(text);
  if (text.find('@') != text.rfind('@'))
    return Bad(shown, "an '@' in the user or password must be written %40");
  if (!parsed) {
    return Bad(shown, "it is not a URL (" + parsed.error().message() +
                          "); a space, '/', '?' or '#' in the password must be %-encoded");
  }
  const urls::url_view& url = *parsed;
  std::string scheme(url.scheme());
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme == "rediss") return Bad(shown, "TLS to Redis (rediss://) is not supported");
  if (scheme != "redis") return Bad(shown, "the scheme must be redis://");
  if (url.has_query() || url.has_fragment())
    return Bad(shown, "it must have no query (?...) and no fragment (#...)");
  RedisUrl out;
  switch (url.host_type()) {
    case urls::host_type::ipv4:
    case urls::host_type::ipv6:
      out.host = url.host_address();  // IPv6 without brackets, as hiredis wants it
      break;
    case urls::host_type::name:
      out.host = url.host_name();
      break;
    default:
      break;
  }
  if (out.host.empty()) return Bad(shown, "it has no host");
  if (url.has_port()) {
    // Not port_number(): Boost.URL 1.81 wraps 99999 around to 34463.
    std::string_view port = url.port();
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), out.port);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || out.port < 1 ||
        out.port > 65535)
      return Bad(shown, "the port must be 1 to 65535");
  }
  std::optional<int> db = ParseDb(url.encoded_path());
  if (!db) return Bad(shown, "the database after '/' must be a number");
  out.db = *db;
  if (url.has_userinfo()) {
    if (!url.has_password())
      return Bad(shown, "a user needs a password (USER:PASSWORD@), as AUTH does");
    if (url.encoded_password().empty()) return Bad(shown, "the password is empty");
    out.user = url.user();
    out.password = url.password();
  }
  out.shown = Shown(url);
  return out;
}

}  // namespace tock::server
