// Fuzzes query strings: percent-decoding, repeated parameters, and the
// paging and sorting parameters every listing reads. A query string is
// either read or refused with a 400 naming the parameter.
#include <cstdlib>
#include <string>

#include "controller/query_params.h"
#include "domain/errors.h"
#include "http/query.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    (void)umkm::http::percent_decode(text);
    (void)umkm::http::parse_plain_integer(text, 0, INT64_MAX);
    try {
        const auto query = umkm::http::Query::parse(text);
        (void)umkm::controller::paging_from(query);
        (void)umkm::controller::stock_query_from(query);
    } catch (const umkm::ShopError& e) {
        if (e.kind() != umkm::ErrorKind::bad_request || e.errors().empty() ||
            e.errors().front().field.empty())
            std::abort();
    }
    return 0;
}
