// Metrics: counters, gauges and the observed-skew histogram, rendered in the
// Prometheus text exposition format (version 0.0.4).
#ifndef TOCK_SERVER_METRICS_H_
#define TOCK_SERVER_METRICS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tock::server {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
 public:
  Metrics();

  // Inc adds |by| to the counter |name| with |labels| (a declared name).
  void Inc(const std::string& name, const Labels& labels, double by = 1);
  // Set sets the gauge |name| (no labels).
  void Set(const std::string& name, double value);
  // ObserveSkew records iat - now of an accepted token from |issuer|.
  void ObserveSkew(const std::string& issuer, double seconds);

  // Render returns every metric in Prometheus text format.
  std::string Render() const;

 private:
  struct Family {
    std::string help;
    std::string type;
    std::map<std::string, double> series;  // rendered labels -> value
  };
  struct Histogram {
    std::vector<std::uint64_t> buckets;  // cumulative at render time
    std::uint64_t count = 0;
    double sum = 0;
  };

  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
  std::map<std::string, Histogram> skew_;  // by issuer
};

// LabelValue escapes a label value (backslash, quote, newline) and bounds it.
std::string LabelValue(const std::string& value);

}  // namespace tock::server

#endif  // TOCK_SERVER_METRICS_H_
