#include "domain/errors.h"

namespace umkm {

int http_status_of(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::bad_request:
            return 400;
        case ErrorKind::unauthorized:
            return 401;
        case ErrorKind::not_found:
            return 404;
        case ErrorKind::method_not_allowed:
            return 405;
        case ErrorKind::price_mismatch:
        case ErrorKind::out_of_stock:
        case ErrorKind::cart_closed:
        case ErrorKind::cart_empty:
        case ErrorKind::already_decided:
            return 409;
        case ErrorKind::payload_too_large:
            return 413;
        case ErrorKind::insufficient_payment:
            return 422;
        case ErrorKind::unavailable:
            return 503;
        case ErrorKind::internal:
            return 500;
    }
    return 500;
}

const char* status_text_of(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::bad_request:
            return "ERR_BAD_REQUEST";
        case ErrorKind::unauthorized:
            return "ERR_UNAUTHORIZED";
        case ErrorKind::not_found:
            return "ERR_NOT_FOUND";
        case ErrorKind::method_not_allowed:
            return "ERR_METHOD_NOT_ALLOWED";
        case ErrorKind::price_mismatch:
            return "ERR_PRICE_MISMATCH";
        case ErrorKind::out_of_stock:
            return "ERR_OUT_OF_STOCK";
        case ErrorKind::cart_closed:
            return "ERR_CART_CLOSED";
        case ErrorKind::cart_empty:
            return "ERR_CART_EMPTY";
        case ErrorKind::already_decided:
            return "ERR_ALREADY_DECIDED";
        case ErrorKind::payload_too_large:
            return "ERR_PAYLOAD_TOO_LARGE";
        case ErrorKind::insufficient_payment:
            return "ERR_INSUFFICIENT_PAYMENT";
        case ErrorKind::unavailable:
            return "ERR_UNAVAILABLE";
        case ErrorKind::internal:
            return "ERR_INTERNAL_SERVER";
    }
    return "ERR_INTERNAL_SERVER";
}

}  // namespace umkm
