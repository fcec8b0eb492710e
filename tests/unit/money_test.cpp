#include "domain/money.h"

#include <boost/test/unit_test.hpp>

using namespace umkm::money;

BOOST_AUTO_TEST_SUITE(money)

BOOST_AUTO_TEST_CASE(total_is_the_sum_of_price_times_quantity) {
    BOOST_TEST(total_of({{3000, 3}, {1500, 2}}).value() == 12000);
    BOOST_TEST(total_of({}).value() == 0);
    BOOST_TEST(total_of({{0, 999}}).value() == 0);
}

BOOST_AUTO_TEST_CASE(amounts_beyond_two_to_the_53_are_refused_not_wrapped) {
    BOOST_TEST(line_amount(max_json_integer, 1).value() == max_json_integer);
    BOOST_TEST(!line_amount(max_json_integer, 2).has_value());
    BOOST_TEST(!line_amount(INT64_MAX, 999).has_value());
    BOOST_TEST(!total_of({{max_json_integer, 1}, {1, 1}}).has_value());
    BOOST_TEST(!line_amount(-1, 1).has_value());
    BOOST_TEST(!line_amount(1, -1).has_value());
}

BOOST_AUTO_TEST_CASE(change_is_payment_minus_total) {
    BOOST_TEST(change_of(10000, 9000) == 1000);
    BOOST_TEST(change_of(4000, 4000) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
