#include "domain/errors.h"

#include <cstddef>
#include <iterator>

namespace umkm {
namespace {

struct ErrorMapping {
    ErrorKind kind;
    int http_status;
    const char* status_text;  // the envelope's "status"
};

// One row per kind, in the enum's order (checked below), so that a kind is
// its row's index.
constexpr ErrorMapping mappings[] = {
    {ErrorKind::bad_request, 400, "ERR_BAD_REQUEST"},
    {ErrorKind::unauthorized, 401, "ERR_UNAUTHORIZED"},
    {ErrorKind::not_found, 404, "ERR_NOT_FOUND"},
    {ErrorKind::method_not_allowed, 405, "ERR_METHOD_NOT_ALLOWED"},
    {ErrorKind::price_mismatch, 409, "ERR_PRICE_MISMATCH"},
    {ErrorKind::out_of_stock, 409, "ERR_OUT_OF_STOCK"},
    {ErrorKind::cart_closed, 409, "ERR_CART_CLOSED"},
    {ErrorKind::cart_empty, 409, "ERR_CART_EMPTY"},
    {ErrorKind::already_decided, 409, "ERR_ALREADY_DECIDED"},
    {ErrorKind::payload_too_large, 413, "ERR_PAYLOAD_TOO_LARGE"},
    {ErrorKind::insufficient_payment, 422, "ERR_INSUFFICIENT_PAYMENT"},
    {ErrorKind::unavailable, 503, "ERR_UNAVAILABLE"},
    {ErrorKind::internal, 500, "ERR_INTERNAL_SERVER"},
};

constexpr bool one_row_per_kind_in_order() {
    for (std::size_t i = 0; i < std::size(mappings); ++i) {
        if (static_cast<std::size_t>(mappings[i].kind) != i) return false;
    }
    return std::size(mappings) == static_cast<std::size_t>(ErrorKind::internal) + 1;
}
static_assert(one_row_per_kind_in_order(),
              "errors.cpp: one mapping per ErrorKind, in the enum's order, internal last");

const ErrorMapping& mapping_of(ErrorKind kind) {
    const auto index = static_cast<std::size_t>(kind);
    // Only a value cast from outside the enum misses; it is a bug, a 500.
    return index < std::size(mappings) ? mappings[index] : mappings[std::size(mappings) - 1];
}

}  // namespace

int http_status_of(ErrorKind kind) {
    return mapping_of(kind).http_status;
}

const char* status_text_of(ErrorKind kind) {
    return mapping_of(kind).status_text;
}

}  // namespace umkm
