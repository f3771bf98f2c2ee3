// The one error vocabulary of Emkhana (in the spirit of absl::Status): every module returns
// `Result<T>` whose failure is an `Error` with one `ErrorCode` from the set below. Expected
// failures are values; exceptions are kept for start-up failures and bugs. A refusal of an
// application is *not* an error: it is a Decision with reason codes (rules/).
//
// Mapping to transports happens in exactly one place each (HTTP status: http/, FHIR: fhir/).
#pragma once

#include <boost/system/result.hpp>
#include <source_location>
#include <stdexcept>
#include <string>
#include <string_view>

namespace emkhana {

enum class ErrorCode {
  kInvalidArgument,     // malformed input: bad JSON, bad date, bad enum value, missing field
  kNotFound,            // the thing asked for does not exist
  kAlreadyExists,       // a unique identifier was used twice
  kFailedPrecondition,  // the request is well-formed but the state forbids it
  kUnavailable,         // a resource (database, disk) cannot be used now
  kInternal,            // a bug or an invariant caught at run time
};

std::string_view ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  static Error InvalidArgument(std::string m) {
    return {ErrorCode::kInvalidArgument, std::move(m)};
  }
  static Error NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
  static Error AlreadyExists(std::string m) { return {ErrorCode::kAlreadyExists, std::move(m)}; }
  static Error FailedPrecondition(std::string m) {
    return {ErrorCode::kFailedPrecondition, std::move(m)};
  }
  static Error Unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
  static Error Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }
};

// Thrown only by Result::value() on a failed result, i.e. by a bug in the caller.
class ErrorException : public std::runtime_error {
 public:
  explicit ErrorException(const Error& e)
      : std::runtime_error(std::string(ErrorCodeName(e.code)) + ": " + e.message), error_(e) {}
  const Error& error() const { return error_; }

 private:
  Error error_;
};

// Found by ADL from boost::system::result<T, Error>::value().
[[noreturn]] inline void throw_exception_from_error(const Error& e, const boost::source_location&) {
  throw ErrorException(e);
}

template <class T>
using Result = boost::system::result<T, Error>;

}  // namespace emkhana
