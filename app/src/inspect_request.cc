// ParseInspectRequest and InspectResponseJson (tock/inspect_request.h).
#include "tock/app/inspect_request.h"

#include <boost/json.hpp>
#include <cmath>
#include <vector>

#include "internal/json.h"
#include "tock/app/report.h"
#include "tock/app/time_text.h"

namespace tock {
namespace {

namespace json = boost::json;

Error Usage(std::string message) { return Error(ErrorCode::kUsage, std::move(message)); }

std::string_view View(const json::string& s) { return {s.data(), s.size()}; }

Result<std::string> StringMember(const json::value& v, const std::string& name) {
  if (!v.is_string()) return Usage("\"" + name + "\" must be a string.");
  return std::string(View(v.get_string()));
}

// StringList reads an array of strings; a single string is a list of one,
// as `aud` itself may be either (RFC 7519 §4.1.3).
Result<std::vector<std::string>> StringList(const json::value& v, const std::string& name) {
  std::vector<std::string> out;
  if (v.is_string()) {
    out.emplace_back(View(v.get_string()));
    return out;
  }
  if (!v.is_array()) return Usage("\"" + name + "\" must be an array of strings.");
  for (const json::value& element : v.get_array()) {
    if (!element.is_string()) return Usage("\"" + name + "\" must be an array of strings.");
    out.emplace_back(View(element.get_string()));
  }
  return out;
}

// Duration reads "300s"-style text or integer seconds; "" means not set.
Result<std::optional<std::int64_t>> Duration(const json::value& v, const std::string& name) {
  if (v.is_int64() || v.is_uint64()) {
    if (v.is_uint64() || v.get_int64() < 0) {
      return Usage("\"" + name + "\" must be a duration of at least 0 seconds.");
    }
    return std::optional<std::int64_t>(v.get_int64());
  }
  if (!v.is_string()) return Usage("\"" + name + "\" must be a duration such as \"300s\".");
  if (v.get_string().empty()) return std::optional<std::int64_t>();
  Result<std::int64_t> d = ParseDuration(View(v.get_string()));
  if (!d.ok()) return Usage("\"" + name + "\": " + d.error().message());
  return std::optional<std::int64_t>(*d);
}

// ApplyPolicyMember adds one "policy" member to |b|, as the verify flag of
// the same name would.
Result<void> ApplyPolicyMember(ValidatorBuilder& b, std::string_view key, const json::value& v) {
  const std::string name = "policy." + std::string(key);
  if (key == "iss" || key == "aud" || key == "require" || key == "algorithms") {
    Result<std::vector<std::string>> list = StringList(v, name);
    if (!list.ok()) return list.error();
    for (std::string& item : *list) {
      if (key == "iss") b.AddIssuer(std::move(item));
      if (key == "aud") b.AddAudience(std::move(item));
      if (key == "require") b.RequireClaim(std::move(item));
      if (key == "algorithms") {
        std::optional<Algorithm> alg = ParseAlgorithm(item);
        if (!alg) return Usage("\"" + name + "\": unknown algorithm \"" + item + "\".");
        b.AllowAlgorithm(*alg);
      }
    }
  } else if (key == "sub" || key == "typ") {
    Result<std::string> s = StringMember(v, name);
    if (!s.ok()) return s.error();
    if (key == "sub") b.ExpectSubject(std::move(*s));
    if (key == "typ") b.ExpectType(std::move(*s));
  } else if (key == "skew" || key == "max_age" || key == "max_lifetime") {
    Result<std::optional<std::int64_t>> d = Duration(v, name);
    if (!d.ok()) return d.error();
    if (*d && key == "skew") b.Skew(**d);
    if (*d && key == "max_age") b.MaxAge(**d);
    if (*d && key == "max_lifetime") b.MaxLifetime(**d);
  } else if (key == "allow_missing_exp") {
    if (!v.is_bool()) return Usage("\"" + name + "\" must be true or false.");
    if (v.get_bool()) b.AllowMissingExp();
  } else {
    return Usage("unknown member \"" + name + "\".");
  }
  return {};
}

Result<Validator> ParsePolicy(const json::value* v) {
  ValidatorBuilder builder;
  if (v != nullptr && !v->is_null()) {
    if (!v->is_object()) return Usage("\"policy\" must be an object.");
    for (const json::key_value_pair& member : v->get_object()) {
      Result<void> applied = ApplyPolicyMember(builder, member.key(), member.value());
      if (!applied.ok()) return applied.error();
    }
  }
  return builder.Build();
}

Result<void> ParseKeyMembers(const json::object& o, InspectRequest& out) {
  if (const json::value* key = o.if_contains("key"); key && !key->is_null()) {
    if (key->is_string()) {
      out.key = std::string(View(key->get_string()));
    } else if (key->is_object()) {
      out.key = internal::SerializeJson(*key);  // LoadKeys reads JWK / JWKS text
    } else {
      return Usage("\"key\" must be a JWK or JWKS object, or a PEM string.");
    }
  }
  if (const json::value* uri = o.if_contains("jwks_uri"); uri && !uri->is_null()) {
    Result<std::string> s = StringMember(*uri, "jwks_uri");
    if (!s.ok()) return s.error();
    out.jwks_uri = std::move(*s);
  }
  if (out.key && out.jwks_uri) return Usage("give \"key\" or \"jwks_uri\", not both.");
  return {};
}

// WithVerification appends "verification" to the object text |document|.
std::string WithVerification(std::string document, const std::optional<std::string>& v) {
  if (!v || document.size() < 2 || document.back() != '}') return document;
  document.pop_back();
  if (document.size() > 1) document += ',';
  document += "\"verification\":";
  document += *v;
  document += '}';
  return document;
}

}  // namespace

Result<InspectRequest> ParseInspectRequest(std::string_view body) {
  Result<json::object> parsed = internal::ParseJsonObject(body);
  if (!parsed.ok()) {
    return Error(ErrorCode::kBadJson,
                 "The request body is not a JSON object: " + parsed.error().message());
  }
  const json::object& o = *parsed;
  for (const json::key_value_pair& member : o) {
    const std::string_view k = member.key();
    if (k != "token" && k != "key" && k != "jwks_uri" && k != "policy" && k != "now") {
      return Usage("unknown member \"" + std::string(k) + "\" in the request.");
    }
  }
  InspectRequest out;
  const json::value* token = o.if_contains("token");
  if (token == nullptr) return Usage("the request has no \"token\" member.");
  Result<std::string> t = StringMember(*token, "token");
  if (!t.ok()) return t.error();
  out.token = std::move(*t);
  if (Result<void> keys = ParseKeyMembers(o, out); !keys.ok()) return keys.error();
  Result<Validator> policy = ParsePolicy(o.if_contains("policy"));
  if (!policy.ok()) return Usage("\"policy\": " + policy.error().message());
  out.policy = std::move(*policy);
  if (const json::value* now = o.if_contains("now"); now && !now->is_null()) {
    if (!now->is_int64()) return Usage("\"now\" must be an integer (seconds since the epoch).");
    out.now = now->get_int64();
  }
  return out;
}

std::string InspectResponseJson(const UnverifiedView& view, UnixSeconds now,
                                const std::optional<std::string>& verification) {
  return WithVerification(DecodeReportJson(view, now), verification);
}

std::string InspectResponseJson(const Error& decode_error,
                                const std::optional<std::string>& verification) {
  return WithVerification(ErrorDocumentJson(decode_error), verification);
}

}  // namespace tock
