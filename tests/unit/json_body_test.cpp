#include <boost/test/unit_test.hpp>
#include <string>

#include "domain/errors.h"
#include "json_io/body.h"

using umkm::ErrorKind;
using umkm::ShopError;
using umkm::json::FieldReader;
using umkm::json::parse_object;

namespace {

// The field named by the first error of a 400, or "" when none was thrown.
template <class F>
std::string field_of_bad_request(F&& f) {
    try {
        f();
    } catch (const ShopError& e) {
        BOOST_TEST(static_cast<int>(e.kind()) == static_cast<int>(ErrorKind::bad_request));
        return e.errors().at(0).field;
    }
    return "";
}

constexpr std::int64_t max = 9007199254740991LL;

}  // namespace

BOOST_AUTO_TEST_SUITE(json_body)

BOOST_AUTO_TEST_CASE(parses_an_object_and_reads_integers) {
    auto v = parse_object(R"({"user_id": 100, "goods_id": 1, "extra": "ignored"})");
    FieldReader r(v);
    BOOST_TEST(r.integer("user_id", 1, max) == 100);
    BOOST_TEST(r.integer("goods_id", 1, max) == 1);
    BOOST_CHECK_NO_THROW(r.throw_if_any());
}

BOOST_AUTO_TEST_CASE(rejects_bodies_that_are_not_one_json_object) {
    for (const char* body :
         {"", "   ", "[]", "1", "\"x\"", "null", "{", "{} {}", "{'a':1}", "{\"a\":1,}",
          "{\"a\":NaN}", "// c\n{}", "{\"a\":042}", "{\"a\":1.}", "{\"a\":+1}",
          "{\"a\":\"tab\there\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\xff\"}"}) {
        BOOST_TEST_CONTEXT("body " << body) {
            BOOST_TEST(field_of_bad_request([&] { parse_object(body); }) == "body");
        }
    }
}

BOOST_AUTO_TEST_CASE(a_nul_byte_does_not_end_the_body) {
    std::string body("{\"a\":1}\0garbage", 16);
    BOOST_TEST(field_of_bad_request([&] { parse_object(body); }) == "body");
    std::string inside("{\"a\":\"x\0y\"}", 12);
    BOOST_TEST(field_of_bad_request([&] { parse_object(inside); }) == "body");
}

BOOST_AUTO_TEST_CASE(duplicate_keys_are_an_error_naming_the_key) {
    BOOST_TEST(field_of_bad_request([] { parse_object(R"({"total": 1, "total": 2})"); }) ==
               "total");
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_refused_without_recursing_away) {
    std::string deep(100000, '[');
    BOOST_TEST(field_of_bad_request([&] { parse_object("{\"a\":" + deep); }) == "body");
}

BOOST_AUTO_TEST_CASE(only_json_integers_in_range_count) {
    for (const char* value : {"1.5", "1.0", "1e3", "\"1\"", "true", "[]", "{}", "-1", "0",
                              "9007199254740992", "18446744073709551616", "1e400"}) {
        BOOST_TEST_CONTEXT("value " << value) {
            std::string body = std::string("{\"user_id\": ") + value + "}";
            std::string field = field_of_bad_request([&] {
                auto v = parse_object(body);
                FieldReader r(v);
                r.integer("user_id", 1, max);
                r.throw_if_any();
            });
            BOOST_TEST((field == "user_id" || field == "body"));
        }
    }
}

BOOST_AUTO_TEST_CASE(missing_and_null_required_fields_are_named) {
    auto v = parse_object(R"({"goods_id": null})");
    FieldReader r(v);
    r.integer("user_id", 1, max);
    r.integer("goods_id", 1, max);
    try {
        r.throw_if_any();
        BOOST_FAIL("expected a 400");
    } catch (const ShopError& e) {
        BOOST_TEST(e.errors().size() == 2u);
        BOOST_TEST(e.errors()[0].field == "user_id");
        BOOST_TEST(e.errors()[1].field == "goods_id");
    }
}

BOOST_AUTO_TEST_CASE(optional_integers_accept_absence_and_null) {
    auto v = parse_object(R"({"cart_id": null})");
    FieldReader r(v);
    BOOST_TEST(!r.optional_integer("cart_id", 0, max).has_value());
    BOOST_TEST(!r.optional_integer("nothing", 0, max).has_value());
    BOOST_CHECK_NO_THROW(r.throw_if_any());
}

BOOST_AUTO_TEST_CASE(largest_safe_integer_is_accepted) {
    auto v = parse_object(R"({"payment_amount": 9007199254740991})");
    FieldReader r(v);
    BOOST_TEST(r.integer("payment_amount", 0, max) == max);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(json_body_strings)

BOOST_AUTO_TEST_CASE(names_count_characters_not_bytes_and_may_not_be_blank) {
    // 255 two-byte characters fit; 256 do not.
    std::string ok_name, long_name;
    for (int i = 0; i < 255; ++i) ok_name += "\xc3\xa9";
    long_name = ok_name + "\xc3\xa9";
    auto v = parse_object("{\"a\":\"" + ok_name + "\",\"b\":\"" + long_name +
                          "\",\"c\":\"  \\t \",\"d\":\"\",\"e\":5}");
    FieldReader r(v);
    BOOST_TEST(r.optional_string("a", 255).value() == ok_name);
    BOOST_TEST(!r.optional_string("b", 255).has_value());
    BOOST_TEST(!r.optional_string("c", 255).has_value());
    BOOST_TEST(!r.optional_string("d", 255).has_value());
    BOOST_TEST(!r.optional_string("e", 255).has_value());
    BOOST_TEST(!r.optional_string("absent", 255).has_value());
    try {
        r.throw_if_any();
        BOOST_FAIL("expected a 400");
    } catch (const ShopError& e) {
        BOOST_TEST(e.errors().size() == 4u);  // b, c, d, e; "absent" is not an error
        BOOST_TEST(e.errors()[0].field == "b");
        BOOST_TEST(e.errors()[3].field == "e");
    }
}

BOOST_AUTO_TEST_CASE(blank_is_allowed_where_asked_and_choices_are_exact) {
    auto v = parse_object(R"({"note":"","decision":"Approve","action":"INCR","flag":"yes"})");
    FieldReader r(v);
    BOOST_TEST(r.optional_string("note", 1000, true).value() == "");
    BOOST_TEST(r.choice("action", {"INCR", "DECR"}) == "INCR");
    BOOST_TEST(r.choice("decision", {"approve", "reject"}) == "");
    BOOST_TEST(!r.optional_bool("flag").has_value());
    BOOST_CHECK_THROW(r.throw_if_any(), ShopError);
}

BOOST_AUTO_TEST_SUITE_END()
