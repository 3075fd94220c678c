#include "http/router.h"

namespace tock::server {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> UrlDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = HexValue(text[i + 1]);
      int lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> ParseForm(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!text.empty()) {
    std::size_t amp = text.find('&');
    std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    auto name = UrlDecode(pair.substr(0, eq));
    auto value = UrlDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (!name || !value) return std::nullopt;
    out.emplace_back(std::move(*name), std::move(*value));
  }
  return out;
}

std::optional<std::string> Request::QueryParam(std::string_view name) const {
  auto form = ParseForm(query);
  if (!form) return std::nullopt;
  for (auto& [k, v] : *form) {
    if (k == name) return v;
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
