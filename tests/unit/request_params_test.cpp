// The FastCGI parameters a worker reads: which ones make the request, how
// much body to read, and how long the request waited (admission control).
#include "pool/request_params.h"

#include <boost/test/unit_test.hpp>
#include <map>

using namespace umkm::pool;

BOOST_AUTO_TEST_SUITE(request_params)

BOOST_AUTO_TEST_CASE(the_request_comes_from_nginx_parameters) {
    const std::map<std::string, std::string> params = {{"REQUEST_METHOD", "POST"},
                                                       {"DOCUMENT_URI", "/api/small/cart"},
                                                       {"SCRIPT_NAME", "/ignored"},
                                                       {"QUERY_STRING", "a=1"},
                                                       {"REQUEST_ID", "abc"},
                                                       {"HTTP_AUTHORIZATION", "Bearer x"},
                                                       {"HTTP_X_FORWARDED_FOR", "1.2.3.4"}};
    const auto request = request_from([&](const char* name) {
        const auto it = params.find(name);
        return it == params.end() ? std::string() : it->second;
    });
    BOOST_TEST(request.method == "POST");
    BOOST_TEST(request.path == "/api/small/cart");
    BOOST_TEST(request.query_string == "a=1");
    BOOST_TEST(request.request_id == "abc");
    BOOST_TEST(request.authorization == "Bearer x");
    BOOST_TEST(request.body.empty());
}

BOOST_AUTO_TEST_CASE(script_name_stands_in_for_a_missing_document_uri) {
    const auto request = request_from([](const char* name) {
        return std::string(name) == "SCRIPT_NAME" ? std::string("/api/small/stocks") : "";
    });
    BOOST_TEST(request.path == "/api/small/stocks");
}

BOOST_AUTO_TEST_CASE(the_body_length_is_bounded_by_the_limit_plus_one) {
    BOOST_TEST(body_length("", 100).has_value() == false);
    BOOST_TEST(body_length("0", 100).has_value() == false);
    BOOST_TEST(*body_length("42", 100) == 42);
    BOOST_TEST(*body_length("100", 100) == 100);
    BOOST_TEST(*body_length("1000000", 100) == 101);
    BOOST_TEST(*body_length("9223372036854775807", 100) == 101);
    for (const char* odd : {"-1", "+5", " 5", "5 ", "0x10", "1e3", "99999999999999999999"})
        BOOST_TEST(body_length(odd, 100).has_value() == false, odd);
}

BOOST_AUTO_TEST_CASE(the_queue_wait_is_read_from_a_plain_decimal_only) {
    BOOST_TEST(*queue_wait_ms("1000.250", 1000.5) == 250.0, boost::test_tools::tolerance(1e-6));
    BOOST_TEST(*queue_wait_ms("1000", 1001.0) == 1000.0, boost::test_tools::tolerance(1e-6));
    // A clock that runs ahead gives a negative wait; the caller decides.
    BOOST_TEST(*queue_wait_ms("1001.000", 1000.0) < 0);
    for (const char* odd : {"", "inf", "nan", "-1", "0x1p4", " 1.5", "1.5 ", "1e9", "1.2.3", ".5",
                            "5.", "1,5", "123456789012345678901234567890123"})
        BOOST_TEST(queue_wait_ms(odd, 1000.0).has_value() == false, odd);
}

BOOST_AUTO_TEST_SUITE_END()
