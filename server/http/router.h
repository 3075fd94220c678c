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

namespace tock::server {

namespace http = boost::beast::http;

using Response = http::response<http::string_body>;

// Request is one parsed request (Beast did the parsing) and where it came from.
struct Request {
  http::request<http::string_body> msg;
  std::string remote_ip;
  std::string path;   // target before '?'
  std::string query;  // after '?', raw

  // QueryParam returns the decoded value of |name| in the query string.
  std::optional<std::string> QueryParam(std::string_view name) const;
  // Header returns a header field's value, or empty.
  std::string_view Header(http::field field) const;
};

// UrlDecode decodes %XX and '+' (application/x-www-form-urlencoded); nullopt
// on a bad escape.
std::optional<std::string> UrlDecode(std::string_view text);

// ParseForm splits "a=b&c=d" into decoded pairs; nullopt on a bad escape.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseForm(std::string_view text);

// MakeResponse builds a response with |status|, content type and body.
Response MakeResponse(const Request& req, http::status status, std::string_view content_type,
                      std::string body);
// JsonResponse is MakeResponse with application/json.
Response JsonResponse(const Request& req, http::status status, std::string body);

using Handler = std::function<Response(const Request&)>;

class Router {
 public:
  // Add routes |method| |path| (exact match) to |handler|.
  void Add(http::verb method, std::string path, Handler handler);

  // Route answers |req|; |endpoint| is set to the matched path, or "other"
  // (a bounded label for metrics).
  Response Route(const Request& req, std::string& endpoint) const;

 private:
  std::map<std::string, std::map<http::verb, Handler>> routes_;
};

}  // namespace tock::server

#endif  // TOCK_SERVER_HTTP_ROUTER_H_
