// Fuzzes the request-body readers: strict JSON (duplicate keys, nesting,
// numbers past 64 bits, invalid UTF-8) and every admin body's field
// reading, which the request fuzzer cannot reach without a token. The
// customer bodies (cart, pay) are read the same way and reached through
// fuzz_request. A body is either read or refused with a ShopError that
// names a field; anything else thrown is a bug.
#include <cstdlib>
#include <string>

#include "controller/admin_bodies.h"
#include "domain/errors.h"
#include "json_io/body.h"

namespace {

template <class Read>
void read_or_refuse(Read&& read) {
    try {
        read();
    } catch (const umkm::ShopError& e) {
        if (e.kind() != umkm::ErrorKind::bad_request) std::abort();
        // A 400 must name the field at fault ("body" for the body as a whole).
        if (e.errors().empty() || e.errors().front().field.empty()) std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string body(reinterpret_cast<const char*>(data), size);
    read_or_refuse([&] { umkm::json::parse_object(body); });
    read_or_refuse([&] { umkm::controller::goods_fields(body, true); });
    read_or_refuse([&] { umkm::controller::goods_fields(body, false); });
    read_or_refuse([&] { umkm::controller::stock_change(body); });
    read_or_refuse([&] { umkm::controller::verify_decision(body); });
    return 0;
}
