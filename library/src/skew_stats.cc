#include "tock/skew_stats.h"

#include <algorithm>
#include <cmath>

namespace tock {

SkewStats::SkewStats(std::size_t window, std::size_t max_issuers)
    : window_(std::max<std::size_t>(window, 1)),
      max_issuers_(std::max<std::size_t>(max_issuers, 1)) {}

void SkewStats::Record(std::string_view issuer, double iat, double now) {
  const double skew = iat - now;
  if (!std::isfinite(skew)) return;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = series_.find(issuer);
  if (it == series_.end()) {
    // Bounded memory: issuers are token content, so their number is not ours
    // to trust even for accepted tokens.
    if (series_.size() >= max_issuers_) {
      ++dropped_;
      return;
    }
    it = series_.emplace(std::string(issuer), Series{}).first;
  }
  Series& s = it->second;
  if (s.count == 0) {
    s.min_s = s.max_s = skew;
  } else {
    s.min_s = std::min(s.min_s, skew);
    s.max_s = std::max(s.max_s, skew);
  }
  ++s.count;
  s.recent.push_back(skew);
  if (s.recent.size() > window_) s.recent.pop_front();
}

void SkewStats::Record(const VerifiedToken& token) {
  std::optional<double> iat = token.issued_at();
  if (!iat) return;
  Record(token.issuer().value_or(""), *iat, static_cast<double>(token.now()));
}

SkewSummary SkewStats::Summarise(const Series& series) {
  SkewSummary out;
  out.count = series.count;
  out.min_s = series.min_s;
  out.max_s = series.max_s;
  std::vector<double> sorted(series.recent.begin(), series.recent.end());
  std::sort(sorted.begin(), sorted.end());
  const std::size_t mid = sorted.size() / 2;
  out.median_s = sorted.size() % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
  return out;
}

std::optional<SkewSummary> SkewStats::Summary(std::string_view issuer) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = series_.find(issuer);
  if (it == series_.end()) return std::nullopt;
  return Summarise(it->second);
}

std::vector<std::pair<std::string, SkewSummary>> SkewStats::All() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<std::string, SkewSummary>> out;
  out.reserve(series_.size());
  for (const auto& [issuer, series] : series_) out.emplace_back(issuer, Summarise(series));
  return out;
}

std::uint64_t SkewStats::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

}  // namespace tock
