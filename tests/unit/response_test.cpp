#include "http/response.h"

#include <json/reader.h>

#include <boost/test/unit_test.hpp>
#include <sstream>

#include "domain/errors.h"
#include "json_io/writer.h"

using namespace umkm;

namespace {

Json::Value parse(const std::string& text) {
    Json::Value v;
    std::istringstream in(text);
    in >> v;
    return v;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(response)

BOOST_AUTO_TEST_CASE(success_envelope_keeps_the_papers_key_order) {
    auto r = http::ok(
        json::Object().add("cart_id", 1).add("total_goods", 3).add("total_amount", 6000).str());
    BOOST_TEST(r.status == 200);
    BOOST_TEST(
        r.body ==
        R"({"code":200,"status":"OK","data":{"cart_id":1,"total_goods":3,"total_amount":6000}})");
}

BOOST_AUTO_TEST_CASE(every_error_kind_maps_to_the_contract_status) {
    struct Case {
        ErrorKind kind;
        int code;
        const char* status;
    } cases[] = {
        {ErrorKind::bad_request, 400, "ERR_BAD_REQUEST"},
        {ErrorKind::not_found, 404, "ERR_NOT_FOUND"},
        {ErrorKind::method_not_allowed, 405, "ERR_METHOD_NOT_ALLOWED"},
        {ErrorKind::price_mismatch, 409, "ERR_PRICE_MISMATCH"},
        {ErrorKind::out_of_stock, 409, "ERR_OUT_OF_STOCK"},
        {ErrorKind::cart_closed, 409, "ERR_CART_CLOSED"},
        {ErrorKind::cart_empty, 409, "ERR_CART_EMPTY"},
        {ErrorKind::payload_too_large, 413, "ERR_PAYLOAD_TOO_LARGE"},
        {ErrorKind::insufficient_payment, 422, "ERR_INSUFFICIENT_PAYMENT"},
        {ErrorKind::unavailable, 503, "ERR_UNAVAILABLE"},
        {ErrorKind::internal, 500, "ERR_INTERNAL_SERVER"},
    };
    for (const Case& c : cases) {
        BOOST_TEST_CONTEXT("status " << c.status) {
            auto r = http::error(ShopError(c.kind, "total", "only 4 left"));
            BOOST_TEST(r.status == c.code);
            Json::Value v = parse(r.body);
            BOOST_TEST(v["code"].asInt() == c.code);
            BOOST_TEST(v["status"].asString() == c.status);
            BOOST_TEST(v["errors"][0]["field"].asString() == "total");
            BOOST_TEST(v["errors"][0]["message"].asString() == "only 4 left");
            BOOST_TEST(!v.isMember("data"));
        }
    }
}

BOOST_AUTO_TEST_CASE(errors_without_a_field_omit_it_and_503_carries_retry_after) {
    auto r = http::error(ShopError(ErrorKind::unavailable, "", "down"), 2);
    Json::Value v = parse(r.body);
    BOOST_TEST(!v["errors"][0].isMember("field"));
    BOOST_TEST(r.headers.size() == 1u);
    BOOST_TEST(r.headers[0].first == "Retry-After");
    BOOST_TEST(r.headers[0].second == "2");
}

BOOST_AUTO_TEST_CASE(strings_are_escaped_into_valid_json_even_when_not_utf8) {
    std::string hostile = std::string("a\"b\\c\n\x01") + "\xff\xfe" + "</script>";
    std::string text = json::Object().add("name", hostile).str();
    // Every byte is printable ASCII: control characters and bytes >= 0x80
    // are \u escapes, so the text is valid UTF-8 JSON whatever came in.
    for (unsigned char c : text) BOOST_TEST((c >= 0x20 && c < 0x7f), "byte " << int(c));
    Json::Value v = parse(text);
    BOOST_TEST(v.isObject());
    std::string name = v["name"].asString();
    BOOST_TEST(name.substr(0, 7) == std::string("a\"b\\c\n\x01"));
    BOOST_TEST(name.substr(name.size() - 9) == "</script>");
}

BOOST_AUTO_TEST_SUITE_END()
