// What nginx promises for the storefront, the admin page and the OpenAPI
// document (docs/openapi.yaml at /api/small/openapi.yaml): the security
// headers on every page, revalidated caching, compression, and JSON errors
// for methods that static files do not have. What the pages do in a browser
// is the browser tests' business (tests/browser).
#define BOOST_TEST_MODULE pages
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "expectations.h"
#include "stack_fixture.h"

using namespace umkm::test;

namespace {

struct PagesStack : StackFixture {
    PagesStack() : StackFixture(config()) {}
    static StackConfig config() {
        StackConfig c;
        c.name = UMKM_TEST_STACK_NAME;
        c.http_port = UMKM_TEST_HTTP_PORT;
        return c;
    }
};

std::string source_file(const std::string& relative) {
    std::ifstream in(std::string(UMKM_SOURCE_DIR) + "/" + relative, std::ios::binary);
    BOOST_REQUIRE_MESSAGE(in, "cannot read " << relative);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

Response get_with(const std::string& target, const std::vector<std::string>& headers) {
    HttpClient client(stack().base_url());
    Request request;
    request.target = target;
    request.headers = headers;
    return client.perform(request);
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

void expect_page_headers(const Response& r) {
    const std::string csp = r.header("Content-Security-Policy");
    BOOST_TEST(contains(csp, "default-src 'self'"), r);
    BOOST_TEST(contains(csp, "script-src 'self'"), r);
    BOOST_TEST(!contains(csp, "unsafe-inline"), r);
    BOOST_TEST(!contains(csp, "unsafe-eval"), r);
    BOOST_TEST(contains(csp, "frame-ancestors 'none'"), r);
    BOOST_TEST(contains(csp, "object-src 'none'"), r);
    BOOST_TEST(r.header("X-Content-Type-Options") == "nosniff", r);
    BOOST_TEST(r.header("Referrer-Policy") == "no-referrer", r);
    BOOST_TEST(r.header("Server") == "nginx", "no version in Server" << r);
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(PagesStack);

BOOST_AUTO_TEST_SUITE(pages)

BOOST_AUTO_TEST_CASE(storefront_and_admin_pages_are_html_with_security_headers) {
    HttpClient client(stack().base_url());
    for (const std::string target : {"/", "/admin/"}) {
        const Response r = client.get(target);
        BOOST_TEST_REQUIRE(r.status == 200, r);
        BOOST_TEST(r.header("Content-Type") == "text/html; charset=utf-8", r);
        expect_page_headers(r);
        // No inline script or style: the policy above would block it.
        BOOST_TEST(!contains(r.body, "<script>"), "inline script in " << target);
        BOOST_TEST(!contains(r.body, " style=\""), "inline style in " << target);
    }
}

BOOST_AUTO_TEST_CASE(pages_are_revalidated_and_answer_304_when_unchanged) {
    const Response first = get_with("/", {});
    BOOST_TEST_REQUIRE(first.status == 200, first);
    BOOST_TEST(first.header("Cache-Control") == "no-cache", first);
    const std::string etag = first.header("ETag");
    BOOST_TEST_REQUIRE(!etag.empty(), first);
    const Response again = get_with("/", {"If-None-Match: " + etag});
    BOOST_TEST(again.status == 304, again);
    BOOST_TEST(again.body.empty(), again);
}

BOOST_AUTO_TEST_CASE(scripts_and_styles_are_served_with_their_types) {
    // The storefront's own files, as its page references them: the first
    // script (src="...") and the first stylesheet (href="....css").
    const Response page = get_with("/", {});
    BOOST_TEST_REQUIRE(page.status == 200, page);
    auto referenced = [&](const std::string& attribute, const std::string& ending) {
        for (auto at = page.body.find(attribute); at != std::string::npos;
             at = page.body.find(attribute, at + 1)) {
            const auto begin = at + attribute.size();
            std::string target = page.body.substr(begin, page.body.find('"', begin) - begin);
            if (target.size() < ending.size() ||
                target.compare(target.size() - ending.size(), ending.size(), ending) != 0)
                continue;
            return target.front() == '/' ? target : "/" + target;
        }
        return std::string();
    };
    const std::string script = referenced("src=\"", ".js");
    const std::string style = referenced("href=\"", ".css");
    BOOST_TEST_REQUIRE(!script.empty(), "the storefront loads no script" << page);
    BOOST_TEST_REQUIRE(!style.empty(), "the storefront loads no stylesheet" << page);
    const Response js = get_with(script, {});
    BOOST_TEST(js.status == 200, js);
    BOOST_TEST(js.header("Content-Type") == "application/javascript; charset=utf-8", js);
    BOOST_TEST(js.header("Cache-Control") == "no-cache", js);
    const Response css = get_with(style, {});
    BOOST_TEST(css.status == 200, css);
    BOOST_TEST(css.header("Content-Type") == "text/css; charset=utf-8", css);
    BOOST_TEST(css.header("Cache-Control") == "no-cache", css);
}

BOOST_AUTO_TEST_CASE(large_text_is_compressed_for_clients_that_accept_gzip) {
    const Response plain = get_with("/api/small/openapi.yaml", {});
    const Response gzipped = get_with("/api/small/openapi.yaml", {"Accept-Encoding: gzip"});
    BOOST_TEST_REQUIRE(gzipped.status == 200, gzipped);
    BOOST_TEST(gzipped.header("Content-Encoding") == "gzip", gzipped);
    BOOST_TEST(contains(gzipped.header("Vary"), "Accept-Encoding"), gzipped);
    BOOST_TEST(gzipped.body.size() * 2 < plain.body.size(),
               "gzip " << gzipped.body.size() << " bytes, plain " << plain.body.size());
    BOOST_TEST(plain.header("Content-Encoding").empty(), plain);
}

BOOST_AUTO_TEST_CASE(a_missing_page_is_404) {
    const Response r = get_with("/no-such-page.html", {});
    BOOST_TEST(r.status == 404, r);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(openapi_document)

BOOST_AUTO_TEST_CASE(nginx_serves_the_document_the_tests_validate_against) {
    const Response r = get_with("/api/small/openapi.yaml", {});
    BOOST_TEST_REQUIRE(r.status == 200, r);
    BOOST_TEST(r.header("Content-Type") == "application/yaml; charset=utf-8", r);
    BOOST_TEST(r.header("Cache-Control") == "no-cache", r);
    BOOST_TEST(r.body == source_file("docs/openapi.yaml"),
               "served bytes differ from docs/openapi.yaml");
    BOOST_TEST(r.body.rfind("openapi: 3.1", 0) == 0, r);
}

BOOST_AUTO_TEST_CASE(other_methods_on_static_files_are_json_405_with_allow) {
    HttpClient client(stack().base_url());
    for (const std::string target : {"/api/small/openapi.yaml", "/", "/admin/"}) {
        for (const std::string method : {"POST", "PUT", "DELETE"}) {
            const Response r = client.send(method, target, "{}");
            BOOST_TEST(is_error(r, 405, "ERR_METHOD_NOT_ALLOWED"));
            BOOST_TEST(r.header("Allow") == "GET, HEAD", r);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
