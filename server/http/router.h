// Request, Response and the Router that maps method + path to a handler.
#ifndef TOCK_SERVER_HTTP_ROUTER_H_
#define TOCK_SERVER_HTTP_ROUTER_H_

#include <boost/beast/http.hpp>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tock/result.h"

namespace tock::server {

namespace http = boost::beast::http;

using Response = http::response<http::string_body>;

// Request is one parsed request (Beast did the parsing) and where it came from.
struct Request {
  http::request<http::string_body> msg;
  std::string remote_ip;
  std::string path;   // target before '?'
  std::string query;  // after '?', raw

  // Header returns a header field's value, or empty.
  std::string_view Header(http::field field) const;
};

// UrlDecode decodes %XX and '+' as space (application/x-www-form-urlencoded,
// by Boost.URL); other characters pass as they are. nullopt on a bad escape.
std::optional<std::string> UrlDecode(std::string_view text);

using FormPairs = std::vector<std::pair<std::string, std::string>>;

// ParseForm splits "a=b&c=d" (a query string or an
// application/x-www-form-urlencoded body) into decoded pairs, '+' as space,
// empty pairs skipped. The text must follow RFC 3986 §3.4 (Boost.URL's
// parse_query): a bad %-escape or a character that must be %-encoded is a
// kMalformed error, "|what| has a bad %-escape ..." or "... a character
// that must be %-encoded ...".
Result<FormPairs> ParseForm(std::string_view text, std::string_view what);

// FormValue is the value of the first pair named |name|, or nullopt.
std::optional<std::string> FormValue(const FormPairs& pairs, std::string_view name);

// MakeResponse builds a response with |status|, content type and body.
Response MakeResponse(const Request& req, http::status status, std::string_view content_type,
                      std::string body);
// JsonResponse is MakeResponse with application/json.
Response JsonResponse(const Request& req, http::status status, std::string body);

using Handler = std::function<Response(const Request&)>;
// BlockingTest says whether a request's handler may block (scrypt, key
// generation, a network fetch, Redis or a database): such requests run on
// the worker pool, all others on the connection's own I/O thread.
using BlockingTest = std::function<bool(const Request&)>;

class Router {
 public:
  // Add routes |method| |path| (exact match) to |handler|.
  void Add(http::verb method, std::string path, Handler handler);
  // Add with |blocks|: the route's requests for which it is true run on the
  // worker pool (a route added without it never blocks).
  void Add(http::verb method, std::string path, Handler handler, BlockingTest blocks);

  // Blocks is true when |req|'s handler must run on the worker pool.
  bool Blocks(const Request& req) const;

  // Route answers |req|; |endpoint| is set to the matched path, or "other"
  // (a bounded label for metrics).
  Response Route(const Request& req, std::string& endpoint) const;

 private:
  std::map<std::string, std::map<http::verb, Handler>> routes_;
  std::map<std::string, std::map<http::verb, BlockingTest>> blocking_;
};

}  // namespace tock::server

#endif  // TOCK_SERVER_HTTP_ROUTER_H_
