// SkewStats: a passive estimate of each issuer's clock skew, from the tokens
// a validator accepts. `iat − now` creeping up for one issuer shows its clock
// running ahead before its tokens start to fail `nbf`/`iat` checks.
#ifndef TOCK_SKEW_STATS_H_
#define TOCK_SKEW_STATS_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tock/verified_token.h"

namespace tock {

// SkewSummary summarises `iat − now` (seconds; positive: the issuer's clock
// appears ahead of ours) for one issuer. count, min and max cover every
// sample recorded; median covers the last |window| samples.
struct SkewSummary {
  std::uint64_t count = 0;
  double min_s = 0;
  double median_s = 0;
  double max_s = 0;
};

// SkewStats keeps a SkewSummary per issuer in bounded memory: at most
// |max_issuers| issuers (samples for further issuers are counted in
// dropped()) and the last |window| samples of each. Thread-safe.
class SkewStats {
 public:
  static constexpr std::size_t kDefaultWindow = 256;
  static constexpr std::size_t kDefaultMaxIssuers = 1024;

  // A |window| or |max_issuers| of 0 is taken as 1.
  explicit SkewStats(std::size_t window = kDefaultWindow,
                     std::size_t max_issuers = kDefaultMaxIssuers);

  // Record adds one sample `iat − now` for |issuer|. Non-finite values
  // (a NaN from a hostile claim cannot reach here, but be safe) are ignored.
  void Record(std::string_view issuer, double iat, double now);

  // Record adds the sample of an accepted token: its `iss` ("" when absent)
  // and `iat` against the validator's now. Tokens without `iat` are skipped.
  void Record(const VerifiedToken& token);

  // Summary returns the summary of |issuer|, or nullopt when it has no sample.
  std::optional<SkewSummary> Summary(std::string_view issuer) const;

  // All returns every issuer's summary, sorted by issuer.
  std::vector<std::pair<std::string, SkewSummary>> All() const;

  // dropped counts samples not kept because max_issuers was reached.
  std::uint64_t dropped() const;

 private:
  struct Series {
    std::uint64_t count = 0;
    double min_s = 0;
    double max_s = 0;
    std::deque<double> recent;  // the last window_ samples, oldest first
  };
  static SkewSummary Summarise(const Series& series);

  const std::size_t window_;
  const std::size_t max_issuers_;
  mutable std::mutex mu_;
  std::map<std::string, Series, std::less<>> series_;
  std::uint64_t dropped_ = 0;
};

}  // namespace tock

#endif  // TOCK_SKEW_STATS_H_
