// Domain errors: what went wrong in the shop's own words. Handlers and
// services throw ShopError; the HTTP status and the contract's status string
// of each kind are decided in exactly one place, the table in errors.cpp
// (read through http_status_of() and status_text_of()).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace umkm {

enum class ErrorKind {
    bad_request,           // 400 ERR_BAD_REQUEST
    unauthorized,          // 401 ERR_UNAUTHORIZED
    not_found,             // 404 ERR_NOT_FOUND
    method_not_allowed,    // 405 ERR_METHOD_NOT_ALLOWED
    price_mismatch,        // 409 ERR_PRICE_MISMATCH
    out_of_stock,          // 409 ERR_OUT_OF_STOCK
    cart_closed,           // 409 ERR_CART_CLOSED
    cart_empty,            // 409 ERR_CART_EMPTY
    already_decided,       // 409 ERR_ALREADY_DECIDED
    payload_too_large,     // 413 ERR_PAYLOAD_TOO_LARGE
    insufficient_payment,  // 422 ERR_INSUFFICIENT_PAYMENT
    unavailable,           // 503 ERR_UNAVAILABLE
    internal,              // 500 ERR_INTERNAL_SERVER (stays last: errors.cpp's table checks it)
};

int http_status_of(ErrorKind kind);
const char* status_text_of(ErrorKind kind);

struct FieldError {
    std::string field;  // empty: no single field is at fault
    std::string message;
};

class ShopError : public std::runtime_error {
  public:
    ShopError(ErrorKind kind, std::string field, const std::string& message)
        : std::runtime_error(message), kind_(kind), errors_{{std::move(field), message}} {}
    ShopError(ErrorKind kind, std::vector<FieldError> errors)
        : std::runtime_error(errors.empty() ? "" : errors.front().message),
          kind_(kind),
          errors_(std::move(errors)) {}

    ErrorKind kind() const { return kind_; }
    const std::vector<FieldError>& errors() const { return errors_; }

  private:
    ErrorKind kind_;
    std::vector<FieldError> errors_;
};

}  // namespace umkm
