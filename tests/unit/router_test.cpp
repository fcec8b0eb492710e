#include "http/router.h"

#include <boost/test/unit_test.hpp>

#include "domain/errors.h"

using namespace umkm;
using umkm::http::Request;
using umkm::http::Response;
using umkm::http::Router;

namespace {

Router make_router() {
    Router r;
    r.add("GET", "/api/small/stocks", [](Request&) { return Response{200, "stocks", {}}; });
    r.add("POST", "/api/small/pay", [](Request&) { return Response{200, "pay", {}}; });
    r.add("GET", "/api/small/transactions/{id}", [](Request& q) {
        return Response{200, "tx " + q.path_params.at(0), {}};
    });
    r.add("DELETE", "/api/small/transactions/{id}", [](Request&) { return Response{}; });
    return r;
}

ErrorKind kind_of(const Router& router, const std::string& method, const std::string& path) {
    Request q;
    q.method = method;
    q.path = path;
    try {
        router.dispatch(q);
    } catch (const ShopError& e) {
        return e.kind();
    }
    BOOST_FAIL("expected an error for " << method << " " << path);
    return ErrorKind::internal;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(router)

BOOST_AUTO_TEST_CASE(dispatches_by_method_and_path_with_parameters) {
    Router r = make_router();
    Request q;
    q.method = "GET";
    q.path = "/api/small/transactions/abc";
    BOOST_TEST(r.dispatch(q).body == "tx abc");
    q.path = "/api/small/stocks";
    BOOST_TEST(r.dispatch(q).body == "stocks");
}

BOOST_AUTO_TEST_CASE(unknown_paths_are_not_found) {
    Router r = make_router();
    for (const char* path : {"/", "/api/small", "/api/small/stocks/", "/api/small/stock",
                             "/api/small/transactions/", "/api/small/transactions/a/b"}) {
        BOOST_TEST_CONTEXT("path " << path) {
            BOOST_TEST(static_cast<int>(kind_of(r, "GET", path)) ==
                       static_cast<int>(ErrorKind::not_found));
        }
    }
}

BOOST_AUTO_TEST_CASE(known_paths_with_another_method_are_405_with_allow) {
    Router r = make_router();
    BOOST_TEST(static_cast<int>(kind_of(r, "GET", "/api/small/pay")) ==
               static_cast<int>(ErrorKind::method_not_allowed));
    BOOST_TEST(r.allowed_methods("/api/small/pay") == "POST");
    BOOST_TEST(r.allowed_methods("/api/small/transactions/x") == "GET, DELETE");
    BOOST_TEST(r.allowed_methods("/nowhere") == "");
}

// What the pool's admission control may turn away (the health check never).
BOOST_AUTO_TEST_CASE(a_route_never_shed_is_so_for_its_path_whatever_the_method) {
    Router r = make_router();
    r.add(
        "GET", "/api/small/health", [](Request&) { return Response{}; },
        http::Admission::never_shed);
    const auto never = [&](const char* path) {
        return r.admission_of(path) == http::Admission::never_shed;
    };
    BOOST_TEST(never("/api/small/health"));
    BOOST_TEST(!never("/api/small/health/"));
    BOOST_TEST(!never("/api/small/stocks"));
    BOOST_TEST(!never("/api/small/transactions/x"));
    BOOST_TEST(!never("/nowhere"));
}

BOOST_AUTO_TEST_SUITE_END()
