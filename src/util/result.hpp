// Errors as values: every path that peer input can reach returns Result<T>.
// An expected-style type that builds with both libstdc++ 12 and emscripten's libc++ 14
// (neither has std::expected).
#pragma once

#include <cstdlib>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace zmesh {

enum class Errc {
  invalid_argument,    // caller passed something unusable
  truncated,           // input ended before a field did
  malformed,           // input has the right length but wrong content
  too_large,           // a length or count above its limit
  verify_failed,       // a signature, MAC or hash did not match
  crypto_failure,      // a primitive refused to work (e.g. a low-order point)
  expired,             // a record or descriptor past its expiry
  not_found,
  limit_exceeded,      // a queue, table or budget is full
  protocol_violation,  // a peer broke the protocol's rules
  timeout,
  closed,
  io_error,            // operating system error (files, sockets)
};

const char* errc_name(Errc code);

struct Error {
  Errc code;
  std::string message;

  std::string describe() const { return std::string(errc_name(code)) + ": " + message; }
};

inline Error make_error(Errc code, std::string message) { return Error{code, std::move(message)}; }

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { check_value(); return std::get<0>(state_); }
  const T& value() const& { check_value(); return std::get<0>(state_); }
  T&& value() && { check_value(); return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    if (ok()) std::abort();  // programming error: asked a success for its error
    return std::get<1>(state_);
  }

 private:
  void check_value() const {
    if (!ok()) std::abort();  // programming error: used a failed result's value
  }
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    if (!failed_) std::abort();
    return error_;
  }

 private:
  Error error_{Errc::invalid_argument, {}};
  bool failed_ = false;
};

using Status = Result<void>;

}  // namespace zmesh

// Propagate a failed Result from the current function. Works for any Result<T> return type.
#define ZM_CONCAT_INNER(a, b) a##b
#define ZM_CONCAT(a, b) ZM_CONCAT_INNER(a, b)
#define ZM_TRY_IMPL(tmp, decl, expr) \
  auto tmp = (expr);                 \
  if (!tmp.ok()) return tmp.error(); \
  decl = std::move(tmp).value()
// ZM_TRY(auto x, reader.u16());
#define ZM_TRY(decl, expr) ZM_TRY_IMPL(ZM_CONCAT(zm_try_, __LINE__), decl, expr)
// ZM_CHECK(status_returning_call());
#define ZM_CHECK(expr)                                          \
  do {                                                          \
    auto zm_check_result = (expr);                              \
    if (!zm_check_result.ok()) return zm_check_result.error();  \
  } while (0)
