#include "tock/validator.h"

#include <string>

namespace tock {

ValidatorBuilder& ValidatorBuilder::AddIssuer(std::string iss) {
  if (iss.empty()) problems_.push_back("an accepted issuer is empty");
  draft_.issuers_.push_back(std::move(iss));
  return *this;
}

ValidatorBuilder& ValidatorBuilder::AddAudience(std::string aud) {
  if (aud.empty()) problems_.push_back("an accepted audience is empty");
  draft_.audiences_.push_back(std::move(aud));
  return *this;
}

ValidatorBuilder& ValidatorBuilder::ExpectSubject(std::string sub) {
  if (draft_.subject_ && *draft_.subject_ != sub) {
    problems_.push_back("two different subjects are required: \"" + *draft_.subject_ + "\" and \"" +
                        sub + "\"");
  }
  draft_.subject_ = std::move(sub);
  return *this;
}

ValidatorBuilder& ValidatorBuilder::ExpectType(std::string typ) {
  if (typ.empty()) problems_.push_back("the required typ is empty");
  draft_.type_ = std::move(typ);
  return *this;
}

ValidatorBuilder& ValidatorBuilder::RequireClaim(std::string name) {
  if (name.empty()) problems_.push_back("a required claim name is empty");
  draft_.required_.push_back(std::move(name));
  return *this;
}

ValidatorBuilder& ValidatorBuilder::AllowMissingExp() {
  draft_.require_exp_ = false;
  return *this;
}

ValidatorBuilder& ValidatorBuilder::MaxAge(std::int64_t seconds) {
  if (seconds < 0) problems_.push_back("the maximum age is negative");
  draft_.max_age_s_ = seconds;
  return *this;
}

ValidatorBuilder& ValidatorBuilder::MaxLifetime(std::int64_t seconds) {
  if (seconds < 0) problems_.push_back("the maximum lifetime is negative");
  draft_.max_lifetime_s_ = seconds;
  return *this;
}

ValidatorBuilder& ValidatorBuilder::Skew(std::int64_t seconds) {
  if (seconds < 0) problems_.push_back("the clock skew is negative");
  // A skew over a day hides any clock problem it was meant to tolerate.
  if (seconds > 86400) problems_.push_back("the clock skew is over 1 day");
  draft_.skew_s_ = seconds;
  return *this;
}

ValidatorBuilder& ValidatorBuilder::AllowAlgorithm(Algorithm alg) {
  for (Algorithm a : draft_.algorithms_) {
    if (a == alg) return *this;
  }
  draft_.algorithms_.push_back(alg);
  return *this;
}

ValidatorBuilder& ValidatorBuilder::MaxTokenBytes(std::size_t bytes) {
  if (bytes == 0) problems_.push_back("the maximum token size is 0");
  draft_.max_token_bytes_ = bytes;
  return *this;
}

Result<Validator> ValidatorBuilder::Build() const {
  if (!problems_.empty()) {
    std::string message = "invalid validation policy: " + problems_.front();
    for (std::size_t i = 1; i < problems_.size(); ++i) message += "; " + problems_[i];
    return Error(ErrorCode::kUsage, message);
  }
  return draft_;
}

}  // namespace tock
