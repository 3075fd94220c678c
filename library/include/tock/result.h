// Result<T>: a value or an Error. The one error path of the public API.
#ifndef TOCK_RESULT_H_
#define TOCK_RESULT_H_

#include <optional>
#include <utility>
#include <variant>

#include "tock/error.h"

namespace tock {

// Result holds either a T or an Error. Accessing value() on an error (or
// error() on a value) is a programming error and aborts in debug builds.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}      // NOLINT
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  const T& value() const& { return std::get<0>(state_); }
  T& value() & { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  const Error& error() const& { return std::get<1>(state_); }
  Error&& error() && { return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, Error> state_;
};

// Result<void> is success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  // Not "= default": that would make `return {};` zero the whole Error
  // storage (value-initialisation), a 288-byte memset on every success.
  Result() noexcept {}                               // NOLINT(modernize-use-equals-default)
  Result(Error error) : error_(std::move(error)) {}  // NOLINT

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& { return *error_; }
  Error&& error() && { return std::move(*error_); }

 private:
  std::optional<Error> error_;
};

}  // namespace tock

#endif  // TOCK_RESULT_H_
