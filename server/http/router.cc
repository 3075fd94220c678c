#include "http/router.h"

#include <boost/url/encoding_opts.hpp>
#include <boost/url/error.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/pct_string_view.hpp>

namespace tock::server {
namespace {

namespace urls = boost::urls;

// '+' is a space in application/x-www-form-urlencoded (and in the query of
// http URLs by the same convention); Boost.URL decodes it so on request.
const urls::encoding_opts kFormEncoding(/*space_as_plus=*/true);

bool IsEscapeError(const boost::system::error_code& ec) {
  return ec == urls::error::bad_pct_hexdig || ec == urls::error::missing_pct_hexdig ||
         ec == urls::error::incomplete_encoding;
}

}  // namespace

std::optional<std::string> UrlDecode(std::string_view text) {
  urls::result<urls::pct_string_view> escaped = urls::make_pct_string_view(text);
  if (!escaped) return std::nullopt;
  return escaped->decode(kFormEncoding);
}

Result<FormPairs> ParseForm(std::string_view text, std::string_view what) {
  urls::result<urls::params_encoded_view> params = urls::parse_query(text);
  if (!params) {
    return Error(ErrorCode::kMalformed,
                 std::string(what) +
                     (IsEscapeError(params.error())
                          ? " has a bad %-escape (\"%\" must be followed by two hex digits)"
                          : " has a character that must be %-encoded (RFC 3986 section 3.4)"));
  }
  FormPairs out;
  for (urls::param_pct_view param : *params) {
    if (param.key.empty() && !param.has_value) continue;  // "a=b&&c=d"
    out.emplace_back(param.key.decode(kFormEncoding), param.value.decode(kFormEncoding));
  }
  return out;
}

std::optional<std::string> FormValue(const FormPairs& pairs, std::string_view name) {
  for (const auto& [key, value] : pairs) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::string_view Request::Header(http::field field) const {
  auto it = msg.find(field);
  if (it == msg.end()) return {};
  return {it->value().data(), it->value().size()};
}

Response MakeResponse(const Request& req, http::status status, std::string_view content_type,
                      std::string body) {
  Response res{status, req.msg.version()};
  res.set(http::field::server, "tock");
  if (!content_type.empty()) res.set(http::field::content_type, content_type);
  res.body() = std::move(body);
  return res;
}

Response JsonResponse(const Request& req, http::status status, std::string body) {
  return MakeResponse(req, status, "application/json", std::move(body) + "\n");
}

void Router::Add(http::verb method, std::string path, Handler handler) {
  routes_[std::move(path)][method] = std::move(handler);
}

void Router::Add(http::verb method, std::string path, Handler handler, BlockingTest blocks) {
  blocking_[path][method] = std::move(blocks);
  Add(method, std::move(path), std::move(handler));
}

bool Router::Blocks(const Request& req) const {
  auto it = blocking_.find(req.path);
  if (it == blocking_.end()) return false;
  auto test = it->second.find(req.msg.method());
  return test != it->second.end() && test->second && test->second(req);
}

Response Router::Route(const Request& req, std::string& endpoint) const {
  auto it = routes_.find(req.path);
  if (it == routes_.end()) {
    endpoint = "other";
    return JsonResponse(req, http::status::not_found,
                        R"({"error":"not_found","error_description":"no such endpoint"})");
  }
  endpoint = it->first;
  http::verb method = req.msg.method();
  auto handler = it->second.find(method);
  if (handler == it->second.end()) {
    Response res = JsonResponse(
        req, http::status::method_not_allowed,
        R"({"error":"method_not_allowed","error_description":"method not allowed on this endpoint"})");
    std::string allow;
    for (auto& [verb, h] : it->second) {
      if (!allow.empty()) allow += ", ";
      allow += std::string(http::to_string(verb));
    }
    res.set(http::field::allow, allow);
    return res;
  }
  return handler->second(req);
}

}  // namespace tock::server
