#include "http/query.h"

#include <boost/test/unit_test.hpp>

#include "domain/errors.h"

using umkm::ShopError;
using umkm::http::parse_plain_integer;
using umkm::http::percent_decode;
using umkm::http::Query;

BOOST_AUTO_TEST_SUITE(query)

BOOST_AUTO_TEST_CASE(parses_and_decodes_parameters) {
    auto q = Query::parse("sort_by=name&sort=asc&q=a%20b+c&empty=&flag");
    BOOST_TEST(q.get("sort_by").value() == "name");
    BOOST_TEST(q.get("sort").value() == "asc");
    BOOST_TEST(q.get("q").value() == "a b c");
    BOOST_TEST(q.get("empty").value() == "");
    BOOST_TEST(q.get("flag").value() == "");
    BOOST_TEST(!q.get("missing").has_value());
}

BOOST_AUTO_TEST_CASE(a_repeated_parameter_is_an_error_naming_it) {
    try {
        Query::parse("page=1&page=2");
        BOOST_FAIL("expected a 400");
    } catch (const ShopError& e) {
        BOOST_TEST(e.errors().at(0).field == "page");
    }
}

BOOST_AUTO_TEST_CASE(bad_percent_encoding_is_an_error) {
    BOOST_CHECK_THROW(Query::parse("page=%zz"), ShopError);
    BOOST_CHECK_THROW(Query::parse("page=%2"), ShopError);
    BOOST_TEST(!percent_decode("%").has_value());
    BOOST_TEST(percent_decode("%41%62").value() == "Ab");
}

BOOST_AUTO_TEST_CASE(integers_are_plain_digits_within_range) {
    BOOST_TEST(parse_plain_integer("1", 1, 100).value() == 1);
    BOOST_TEST(parse_plain_integer("007", 1, 100).value() == 7);
    for (const char* bad : {"", "+1", "-1", "1.0", " 1", "1 ", "0x10", "1e2", "abc", "0", "101",
                            "99999999999999999999999"}) {
        BOOST_TEST_CONTEXT("text " << bad) {
            BOOST_TEST(!parse_plain_integer(bad, 1, 100).has_value());
        }
    }
}

BOOST_AUTO_TEST_CASE(integer_parameter_falls_back_when_absent_and_names_itself_when_bad) {
    auto q = Query::parse("page=abc");
    BOOST_TEST(q.integer("total_goods", 1, 100, 20) == 20);
    try {
        q.integer("page", 1, 100, 1);
        BOOST_FAIL("expected a 400");
    } catch (const ShopError& e) {
        BOOST_TEST(e.errors().at(0).field == "page");
    }
}

// Found by fuzz_query: "&&=&&&=&" was a 400 naming the parameter "".
BOOST_AUTO_TEST_CASE(a_value_without_a_name_is_ignored_and_errors_never_name_an_empty_field) {
    auto q = Query::parse("=a&page=2&=b");
    BOOST_TEST(q.integer("page", 1, 100, 1) == 2);
    BOOST_TEST(!q.get("").has_value());
    for (const char* bad : {"=%zz", "%zz=1", "%=1"}) {
        BOOST_TEST_CONTEXT("query " << bad) {
            try {
                Query::parse(bad);
                BOOST_FAIL("expected a 400");
            } catch (const ShopError& e) {
                BOOST_TEST(e.errors().at(0).field == "query");
            }
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
