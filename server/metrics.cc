#include "metrics.h"

#include <cmath>

#include "tock/app/time_text.h"

namespace tock::server {
namespace {

// Skew bucket bounds in seconds, symmetric around zero: an issuer running
// ahead shows up on the positive side before tokens fail as issued_in_future.
const std::vector<double>& SkewBounds() {
  static const std::vector<double> bounds = {-600, -300, -120, -60, -30, -10, -5,  -2,  -1, 0,
                                             1,    2,    5,    10,  30,  60,  120, 300, 600};
  return bounds;
}

std::string RenderLabels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ",";
    out += labels[i].first + "=\"" + LabelValue(labels[i].second) + "\"";
  }
  return out + "}";
}

std::string Number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return FormatSeconds(v);
}

}  // namespace

std::string LabelValue(const std::string& value) {
  std::string out;
  for (char c : value.substr(0, 200)) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else if (static_cast<unsigned char>(c) < 0x20)
      out += '?';
    else
      out += c;
  }
  return out;
}

Metrics::Metrics() {
  families_["tock_requests_total"] = {"HTTP requests by endpoint and status.", "counter", {}};
  families_["tock_tokens_issued_total"] = {"Access tokens issued, by client.", "counter", {}};
  families_["tock_validations_total"] = {
      "Token validations by issuer, result and code.", "counter", {}};
  families_["tock_jwks_refresh_total"] = {
      "Remote JWKS fetches by issuer and result.", "counter", {}};
  families_["tock_rate_limited_total"] = {"Requests refused with 429, by endpoint.", "counter", {}};
  // Exported from the start (at 0), so a dashboard sees the series.
  families_["tock_connections_evicted_total"] = {
      "Idle connections closed to admit a new one at the connection cap.", "counter", {{"", 0}}};
  families_["tock_connections_refused_total"] = {
      "New connections closed at once: at the cap with every connection busy.",
      "counter",
      {{"", 0}}};
  families_["tock_validate_cache_total"] = {
      "/validate verified-token cache lookups, by result (hit or miss).", "counter", {}};
  families_["tock_validate_cache_entries"] = {
      "Tokens in /validate's verified-token cache.", "gauge", {{"", 0}}};
  families_["tock_clock_offset_seconds"] = {
      "Last SNTP offset: how far the servers' clock is ahead of this machine's.", "gauge", {}};
  families_["tock_clock_offset_applied_seconds"] = {
      "SNTP offset issuing applies now (0 when refused or fallen back).", "gauge", {}};
}

void Metrics::Inc(const std::string& name, const Labels& labels, double by) {
  std::lock_guard<std::mutex> lock(mutex_);
  families_[name].series[RenderLabels(labels)] += by;
}

void Metrics::Set(const std::string& name, double value) {
  std::lock_guard<std::mutex> lock(mutex_);
  families_[name].series[""] = value;
}

void Metrics::ObserveSkew(const std::string& issuer, double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  Histogram& h = skew_[issuer];
  if (h.buckets.empty()) h.buckets.assign(SkewBounds().size(), 0);
  for (std::size_t i = 0; i < SkewBounds().size(); ++i) {
    if (seconds <= SkewBounds()[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::Render() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    if (family.series.empty() && family.type == "gauge") continue;
    out += "# HELP " + name + " " + family.help + "\n# TYPE " + name + " " + family.type + "\n";
    for (const auto& [labels, value] : family.series) {
      out += name + labels + " " + Number(value) + "\n";
    }
  }
  const std::string name = "tock_observed_issuer_skew_seconds";
  out += "# HELP " + name + " iat - now of accepted tokens (each token once), by issuer.\n";
  out += "# TYPE " + name + " histogram\n";
  for (const auto& [issuer, h] : skew_) {
    std::string iss = "issuer=\"" + LabelValue(issuer) + "\"";
    for (std::size_t i = 0; i < SkewBounds().size(); ++i) {
      out += name + "_bucket{" + iss + ",le=\"" + Number(SkewBounds()[i]) + "\"} " +
             std::to_string(h.buckets[i]) + "\n";
    }
    out += name + "_bucket{" + iss + ",le=\"+Inf\"} " + std::to_string(h.count) + "\n";
    out += name + "_sum{" + iss + "} " + Number(h.sum) + "\n";
    out += name + "_count{" + iss + "} " + std::to_string(h.count) + "\n";
  }
  return out;
}

}  // namespace tock::server
