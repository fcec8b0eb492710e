// Hostile and malformed input, through nginx, against a private stack: every
// request gets a JSON envelope with the status the contract gives it (never
// a 500, an empty body, an HTML page or a hang), nothing changes in the
// database that should not, and the service still answers normally
// afterwards. Also the nginx limits: body size (413) and the per-address rate
// limit (429), proven from 127.0.0.2 while 127.0.0.1 stays exempt.
#define BOOST_TEST_MODULE hostile_input
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "expectations.h"
#include "shop_requests.h"
#include "sse_client.h"
#include "stack_fixture.h"

using namespace umkm::test;
using namespace std::string_literals;

namespace {

std::vector<pid_t> workers_at_start;

struct HostileInputStack : StackFixture {
    HostileInputStack() : StackFixture(config()) { workers_at_start = stack().wait_for_workers(); }
    static StackConfig config() {
        StackConfig c;
        c.name = UMKM_TEST_STACK_NAME;
        c.http_port = UMKM_TEST_HTTP_PORT;
        c.rate_exempt = "127.0.0.1/32";
        return c;
    }
};

// Goods with plenty of stock at a known price, made once, so that a body
// that a lenient parser would accept really would succeed.
struct Target {
    long long goods = 0;
    long long price = 1000;
};

const Target& target() {
    static Target t = [] {
        Target made;
        made.goods =
            stack().create_goods(stack().unique_name("hostile target"), 100000, made.price);
        return made;
    }();
    return t;
}

// A valid cart body with one field's raw JSON replaced (or added).
std::string cart_with(const std::string& field, const std::string& raw) {
    std::vector<std::pair<std::string, std::string>> fields = {
        {"user_id", "42"},
        {"goods_id", std::to_string(target().goods)},
        {"goods_price", std::to_string(target().price)},
        {"total", "1"}};
    bool replaced = false;
    for (auto& [name, value] : fields)
        if (name == field) {
            value = raw;
            replaced = true;
        }
    if (!replaced) fields.insert(fields.begin(), {field, raw});
    std::string out = "{";
    for (const auto& [name, value] : fields)
        out += (out.size() > 1 ? "," : "") + ("\"" + name + "\":") + value;
    return out + "}";
}

// A paid-for cart is not needed: validation comes before any lookup.
std::string pay_with(const std::string& field, const std::string& raw) {
    std::string cart_id = "1", payment = "1000";
    (field == "cart_id" ? cart_id : payment) = raw;
    return "{\"cart_id\":" + cart_id + ",\"payment_amount\":" + payment + "}";
}

const std::vector<std::string> kEndpoints = {kCart, kPay};

long long count_rows(const std::string& table) {
    return stack().sql_int("SELECT COUNT(*) FROM " + table);
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(HostileInputStack);

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(bodies)

BOOST_AUTO_TEST_CASE(malformed_json_is_400) {
    const std::vector<std::string> bodies = {
        "",
        " ",
        "\n",
        "{",
        "}",
        "{\"user_id\":",
        "{\"user_id\":1",
        "{\"user_id\" 1}",
        "{\"user_id\":1 \"goods_id\":2}",
        "{user_id:1}",
        "nul",
        "tru",
        "{\"user_id\":-}",
        "{\"user_id\":1e}",
        "{\"user_id\":\"unterminated}",
        "{\"user_id\":\"\\x41\"}",  // not a JSON escape
        "\x01\x02\x03",
        "<xml/>",
        "user_id=1&goods_id=1",  // a form, not JSON
    };
    HttpClient http(stack().base_url());
    for (const auto& endpoint : kEndpoints)
        for (const auto& body : bodies)
            BOOST_TEST(is_error(http.post(endpoint, body), 400, "ERR_BAD_REQUEST"));
}

// Extensions some JSON parsers accept by default. Each body here would be a
// valid request if the extension were accepted, so a lenient parser shows up
// as a 200 instead of the 400 that "malformed JSON" gets.
BOOST_AUTO_TEST_CASE(json_extensions_are_malformed_json) {
    const std::string g = std::to_string(target().goods), p = std::to_string(target().price);
    const std::string fields =
        "\"user_id\":42,\"goods_id\":" + g + ",\"goods_price\":" + p + ",\"total\":1";
    const std::vector<std::string> bodies = {
        "{" + fields + ",}",               // trailing comma
        "{" + fields + "} x",              // trailing garbage
        "{" + fields + "}{}",              // two values
        "{" + fields + "} []",             // two values
        "/* comment */ {" + fields + "}",  // comments
        "{" + fields + "} // comment",     // comments
        "{'user_id':42,\"goods_id\":" + g + ",\"goods_price\":" + p +
            ",\"total\":1}",  // single quotes
        "{\"user_id\":042,\"goods_id\":" + g + ",\"goods_price\":" + p +
            ",\"total\":1}",                         // leading zero
        "{" + fields + ",\"note\":\"tab\there\"}",   // raw control character in a string
        "{" + fields + ",\"note\":\"nul\0here\"}"s,  // raw NUL in a string
        "{" + fields + ",\"note\":NaN}",             // not numbers
        "{" + fields + ",\"note\":Infinity}",        // in JSON
        "{" + fields + ",\"note\":.5}",              // no digit before
        "{" + fields + ",\"note\":1.}",              // no digit after
        "{" + fields + ",\"note\":+1}",              // a plus sign
    };
    HttpClient http(stack().base_url());
    for (const auto& body : bodies)
        BOOST_TEST(is_error(http.post(kCart, body), 400, "ERR_BAD_REQUEST"));
}

BOOST_AUTO_TEST_CASE(bodies_that_are_not_objects_are_400_naming_body) {
    const std::vector<std::string> bodies = {"[]", "[1,2]", "[{}]", "\"text\"", "\"\"", "123",
                                             "-1", "1.5",   "null", "true",     "false"};
    HttpClient http(stack().base_url());
    for (const auto& endpoint : kEndpoints)
        for (const auto& body : bodies)
            BOOST_TEST(is_error(http.post(endpoint, body), 400, "ERR_BAD_REQUEST", "body"));
}

BOOST_AUTO_TEST_CASE(an_empty_object_is_400_naming_a_required_field) {
    HttpClient http(stack().base_url());
    BOOST_TEST(is_error(http.post(kCart, "{}"), 400, "ERR_BAD_REQUEST", "user_id"));
    BOOST_TEST(is_error(http.post(kPay, "{}"), 400, "ERR_BAD_REQUEST", "cart_id"));
    BOOST_TEST(is_error(http.post(kPay, " { } "), 400, "ERR_BAD_REQUEST", "payment_amount"));
}

// Integers must be JSON integers within 0..2^53-1 (and the field's own range).
BOOST_AUTO_TEST_CASE(wrong_types_and_numbers_are_400_naming_the_field) {
    const std::vector<std::string> bad_values = {
        "\"1\"",
        "\"\"",
        "\"abc\"",
        "1.0",
        "1.5",
        "1e3",
        "1E2",
        "1e-3",
        "-0.0",
        "true",
        "false",
        "[]",
        "[1]",
        "{}",
        "{\"v\":1}",
        "-1",
        "9007199254740992",
        "9223372036854775807",
        "18446744073709551616",
        "-9223372036854775809",
        "123456789012345678901234567890",
        "\"1; DROP TABLE goods\"",
        "\"1 OR 1=1\"",
    };
    const std::vector<std::string> cart_fields = {"user_id", "goods_id", "goods_price", "total",
                                                  "cart_id"};
    HttpClient http(stack().base_url());
    const long long carts_before = count_rows("carts");
    for (const auto& field : cart_fields)
        for (const auto& value : bad_values)
            BOOST_TEST(
                is_error(http.post(kCart, cart_with(field, value)), 400, "ERR_BAD_REQUEST", field));
    for (const std::string field : {"cart_id", "payment_amount"})
        for (const auto& value : bad_values)
            BOOST_TEST(
                is_error(http.post(kPay, pay_with(field, value)), 400, "ERR_BAD_REQUEST", field));
    BOOST_TEST(count_rows("carts") == carts_before, "a rejected request opened a cart");
}

// A number beyond any double (1E400) is valid JSON grammar that no JSON
// library turns into a value: the body as a whole is refused (documented in
// docs/openapi.yaml), still as a 400 and still without opening a cart.
BOOST_AUTO_TEST_CASE(numbers_beyond_any_double_are_400_on_the_body) {
    HttpClient http(stack().base_url());
    const long long carts_before = count_rows("carts");
    for (const std::string field : {"user_id", "goods_id", "goods_price", "total", "cart_id"})
        BOOST_TEST(
            is_error(http.post(kCart, cart_with(field, "1E400")), 400, "ERR_BAD_REQUEST", "body"));
    for (const std::string field : {"cart_id", "payment_amount"})
        BOOST_TEST(
            is_error(http.post(kPay, pay_with(field, "1E400")), 400, "ERR_BAD_REQUEST", "body"));
    BOOST_TEST(count_rows("carts") == carts_before, "a rejected request opened a cart");
}

// The alias total_goods is validated like total; its error may name either.
BOOST_AUTO_TEST_CASE(wrong_values_of_the_total_goods_alias_are_400) {
    HttpClient http(stack().base_url());
    const std::string g = std::to_string(target().goods), p = std::to_string(target().price);
    for (const std::string value :
         {"\"2\"", "2.0", "0", "1000", "-1", "true", "null", "9007199254740992"}) {
        const Response r =
            http.post(kCart, "{\"user_id\":42,\"goods_id\":" + g + ",\"goods_price\":" + p +
                                 ",\"total_goods\":" + value + "}");
        BOOST_TEST(is_error(r, 400, "ERR_BAD_REQUEST"));
        bool named = false;
        for (const auto& e : r.at("errors"))
            named =
                named || e["field"].asString() == "total_goods" || e["field"].asString() == "total";
        BOOST_TEST(named, "expected an error naming total_goods or total" << r);
    }
}

// 2^53-1 is the largest integer the contract accepts; it must be handled
// exactly, not rounded or wrapped.
BOOST_AUTO_TEST_CASE(the_largest_integers_are_handled_exactly) {
    const std::string max = "9007199254740991";
    HttpClient http(stack().base_url());
    const std::string g = std::to_string(target().goods), p = std::to_string(target().price);

    BOOST_TEST(is_error(http.post(kCart, cart_with("cart_id", max)), 404, "ERR_NOT_FOUND"));
    BOOST_TEST(is_error(http.post(kCart, cart_with("goods_id", max)), 404, "ERR_NOT_FOUND"));
    BOOST_TEST(
        is_error(http.post(kCart, cart_with("total", max)), 400, "ERR_BAD_REQUEST", "total"));
    const Response mismatch = http.post(kCart, cart_with("goods_price", max));
    BOOST_TEST(is_error(mismatch, 409, "ERR_PRICE_MISMATCH"));
    BOOST_TEST(error_message_contains(mismatch, p));
    BOOST_TEST(is_error(http.post(kPay, pay_with("cart_id", max)), 404, "ERR_NOT_FOUND"));

    const Response cart = http.post(kCart, cart_with("user_id", max));
    BOOST_REQUIRE(is_ok(cart));
    const long long cart_id = cart.at("data.cart_id").asInt64();
    BOOST_TEST(stack().sql_int("SELECT user_id FROM carts WHERE id = " + std::to_string(cart_id)) ==
               9007199254740991LL);
    const Response paid = http.post(
        kPay, "{\"cart_id\":" + std::to_string(cart_id) + ",\"payment_amount\":" + max + "}");
    BOOST_REQUIRE(is_ok(paid));
    BOOST_TEST_CONTEXT(paid) {
        BOOST_TEST(paid.at("data.payment_amount") == J(9007199254740991LL));
        BOOST_TEST(paid.at("data.total_amount") == J(target().price));
        BOOST_TEST(paid.at("data.return_amount") == J(9007199254740991LL - target().price));
    }
}

BOOST_AUTO_TEST_CASE(duplicate_keys_are_400) {
    const std::string g = std::to_string(target().goods), p = std::to_string(target().price);
    const std::string rest = "\"goods_id\":" + g + ",\"goods_price\":" + p + ",\"total\":1";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {kCart, "{\"user_id\":42,\"user_id\":42," + rest + "}"},
        {kCart, "{\"user_id\":42,\"user_id\":43," + rest + "}"},
        {kCart, "{\"user_id\":42," + rest + ",\"total\":2}"},
        {kCart, "{\"user_id\":42," + rest + ",\"note\":1,\"note\":2}"},
        {kCart, "{\"user_id\":42," + rest + ",\"meta\":{\"a\":1,\"a\":1}}"},
        {kCart, "{\"user_id\":42,\"user_\\u0069d\":42," + rest + "}"},  // the same key, escaped
        {kPay, "{\"cart_id\":1,\"cart_id\":1,\"payment_amount\":1000}"},
        {kPay, "{\"cart_id\":1,\"payment_amount\":1000,\"payment_amount\":5}"},
    };
    HttpClient http(stack().base_url());
    const long long carts_before = count_rows("carts");
    for (const auto& [endpoint, body] : cases)
        BOOST_TEST(is_error(http.post(endpoint, body), 400, "ERR_BAD_REQUEST"));
    BOOST_TEST(count_rows("carts") == carts_before, "a rejected request opened a cart");
}

BOOST_AUTO_TEST_CASE(deeply_nested_json_is_answered_without_crashing) {
    HttpClient http(stack().base_url());
    const std::string open10k(10000, '[');
    const std::string nested = std::string(5000, '[') + std::string(5000, ']');
    const std::string objects = [] {
        std::string s;
        for (int i = 0; i < 2000; ++i) s += "{\"a\":";
        return s;
    }();
    for (const auto& endpoint : kEndpoints) {
        BOOST_TEST(is_error(http.post(endpoint, open10k), 400, "ERR_BAD_REQUEST"));
        BOOST_TEST(is_error(http.post(endpoint, nested), 400, "ERR_BAD_REQUEST"));
        BOOST_TEST(is_error(http.post(endpoint, objects), 400, "ERR_BAD_REQUEST"));
    }
    // Deep but well-formed, in a field the API ignores: still refused for
    // its depth (over 32 levels), before anything is read.
    const std::string deep_value = std::string(3000, '[') + std::string(3000, ']');
    BOOST_TEST(
        is_error(http.post(kCart, cart_with("note", deep_value)), 400, "ERR_BAD_REQUEST", "body"));
}

BOOST_AUTO_TEST_CASE(nul_bytes_outside_strings_are_400) {
    // Each body would be answered otherwise (200 for the cart, 404 for the
    // unknown cart) if the parser stopped at the NUL.
    const std::vector<std::pair<std::string, std::string>> valid = {
        {kCart, cart_with("user_id", "42")},
        {kPay, "{\"cart_id\":987654321,\"payment_amount\":1}"}};
    HttpClient http(stack().base_url());
    for (const auto& [endpoint, body] : valid) {
        for (const std::string& hostile :
             {"\0"s, "\0"s + body, body + "\0"s, body + "\0garbage"s,
              body.substr(0, 12) + "\0"s + body.substr(12), std::string(100, '\0')})
            BOOST_TEST(is_error(http.post(endpoint, hostile), 400, "ERR_BAD_REQUEST"));
    }
}

// Bodies are UTF-8 (RFC 8259): text with invalid UTF-8 anywhere, even in a
// field the API ignores, is not JSON and is refused as a malformed body. The
// answer itself is valid UTF-8 JSON (is_envelope checks).
BOOST_AUTO_TEST_CASE(invalid_utf8_gets_a_valid_json_answer) {
    HttpClient http(stack().base_url());
    for (const std::string bad :
         {"\xff\xfe", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "abc\x80"}) {
        BOOST_TEST(is_error(http.post(kCart, cart_with("note", "\"" + bad + "\"")), 400,
                            "ERR_BAD_REQUEST", "body"));
        BOOST_TEST(is_error(http.post(kCart, cart_with("n\xff"
                                                       "te",
                                                       "\"" + bad + "\"")),
                            400, "ERR_BAD_REQUEST", "body"));
        BOOST_TEST(is_error(http.post(kCart, cart_with("user_id", "\"" + bad + "\"")), 400,
                            "ERR_BAD_REQUEST", "body"));
        BOOST_TEST(is_error(http.post(kPay, pay_with("payment_amount", "\"" + bad + "\"")), 400,
                            "ERR_BAD_REQUEST", "body"));
    }
    // Escaped lone surrogates decode to no Unicode text at all: a parser may
    // call the body malformed rather than blame the field.
    for (const std::string bad : {"\\ud800", "\\udc00\\ud800", "\\ud800x"}) {
        BOOST_TEST(
            is_envelope_with(http.post(kCart, cart_with("note", "\"" + bad + "\"")), {200, 400}));
        BOOST_TEST(is_error(http.post(kCart, cart_with("user_id", "\"" + bad + "\"")), 400,
                            "ERR_BAD_REQUEST"));
        BOOST_TEST(is_error(http.post(kPay, pay_with("payment_amount", "\"" + bad + "\"")), 400,
                            "ERR_BAD_REQUEST"));
    }
    BOOST_TEST(is_error(http.post(kCart, "{\xff}"), 400, "ERR_BAD_REQUEST"));
    BOOST_TEST(is_error(http.post(kPay, "\xef\xbb\xbf\xff"), 400, "ERR_BAD_REQUEST"));
}

BOOST_AUTO_TEST_CASE(sql_in_bodies_is_only_data) {
    HttpClient http(stack().base_url());
    const long long goods_before = count_rows("goods");
    const Response r = http.post(kCart, cart_with("note", "\"'; DROP TABLE carts; --\""));
    BOOST_TEST(is_ok(r));
    BOOST_TEST(is_error(http.post(kCart, cart_with("goods_id", "\"1 OR 1=1\"")), 400,
                        "ERR_BAD_REQUEST", "goods_id"));
    BOOST_TEST(count_rows("goods") == goods_before);
    BOOST_TEST(count_rows("carts") >= 1);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(limits)

// 16 KiB is allowed, one byte more is not; nginx answers before the pool.
BOOST_AUTO_TEST_CASE(bodies_over_16_kib_are_413_json) {
    HttpClient http(stack().base_url());
    const std::string valid = cart_with("user_id", "42");
    std::string exactly = valid;
    exactly.insert(1, 16384 - valid.size(), ' ');  // whitespace inside the object
    BOOST_REQUIRE_EQUAL(exactly.size(), 16384u);
    BOOST_TEST(is_ok(http.post(kCart, exactly)));

    std::string one_more = exactly;
    one_more.insert(1, " ");
    BOOST_TEST(is_error(http.post(kCart, one_more), 413, "ERR_PAYLOAD_TOO_LARGE"));
    BOOST_TEST(
        is_error(http.post(kPay, std::string(64 * 1024, 'x')), 413, "ERR_PAYLOAD_TOO_LARGE"));
    BOOST_TEST(is_error(http.post("/api/small/no-such-route", std::string(20000, ' ')), 413,
                        "ERR_PAYLOAD_TOO_LARGE"));

    Request chunked_big;
    chunked_big.method = "POST";
    chunked_big.target = kCart;
    chunked_big.body = std::string(20 * 1024, ' ') + valid;
    chunked_big.has_body = true;
    chunked_big.chunked = true;
    BOOST_TEST(is_error(http.perform(chunked_big), 413, "ERR_PAYLOAD_TOO_LARGE"));
}

// HTTP/1.1 allows a body of unknown length (chunked); nginx reassembles it and
// the pool must see all of it.
BOOST_AUTO_TEST_CASE(a_small_chunked_body_is_read_whole) {
    HttpClient http(stack().base_url());
    Request chunked;
    chunked.method = "POST";
    chunked.target = kCart;
    chunked.body = std::string(3000, ' ') + cart_with("user_id", "42");
    chunked.has_body = true;
    chunked.chunked = true;
    BOOST_TEST(is_ok(http.perform(chunked)));
}

BOOST_AUTO_TEST_CASE(very_long_query_strings_are_answered) {
    HttpClient http(stack().base_url());
    // Unknown parameters are ignored, however many.
    BOOST_TEST(is_ok(http.get(std::string(kStocks) + "?junk=" + std::string(4000, 'a'))));
    std::string many = std::string(kStocks) + "?total_goods=5";
    for (int i = 0; i < 500; ++i) many += "&p" + std::to_string(i) + "=" + std::to_string(i);
    BOOST_TEST(is_ok(http.get(many)));
    // A huge number is out of range, not a crash.
    BOOST_TEST(is_error(http.get(std::string(kStocks) + "?page=1" + std::string(3000, '9')), 400,
                        "ERR_BAD_REQUEST", "page"));
    // The largest page is past the end (its offset must not overflow).
    const Response far = http.get(std::string(kStocks) + "?total_goods=100&page=9007199254740991");
    // The offset would overflow if computed naively: an empty page instead.
    BOOST_TEST(is_ok(far));
    BOOST_TEST(far.at("data") == Json::Value(Json::arrayValue), far);
    BOOST_TEST(far.at("meta.page") == J(9007199254740991LL), far);
}

// "No request ever gets an HTML error page": also when nginx itself refuses
// a request line or headers that are too long.
BOOST_AUTO_TEST_CASE(oversized_request_lines_and_headers_get_json_errors) {
    HttpClient http(stack().base_url());
    const Response long_line = http.get(std::string(kStocks) + "?junk=" + std::string(20000, 'a'));
    BOOST_TEST(is_error(long_line, 400, "ERR_BAD_REQUEST"));
    Request big_header;
    big_header.target = kStocks;
    big_header.headers = {"Cookie: c=" + std::string(20000, 'c')};
    BOOST_TEST(is_error(http.perform(big_header), 400, "ERR_BAD_REQUEST"));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(queries)

BOOST_AUTO_TEST_CASE(sql_in_query_values_is_400) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"sort_by=id%3BDROP%20TABLE%20goods", "sort_by"},
        {"sort_by=id;DROP", "sort_by"},
        {"sort_by=name%20DESC", "sort_by"},
        {"sort_by=(SELECT%201)", "sort_by"},
        {"sort=ASC%27%20OR%20%271%27%3D%271", "sort"},
        {"sort=ASC'--", "sort"},
        {"sort=ASC,id", "sort"},
        {"page=1%20OR%201%3D1", "page"},
        {"page=1;SELECT", "page"},
        {"total_goods=1%3BSELECT%20SLEEP(5)", "total_goods"},
        {"total_goods=1)%20UNION%20SELECT%201", "total_goods"},
    };
    HttpClient http(stack().base_url());
    const long long goods_before = count_rows("goods");
    for (const auto& [query, field] : cases) {
        const Response r = http.get(std::string(kStocks) + "?" + query);
        BOOST_TEST(is_error(r, 400, "ERR_BAD_REQUEST", field));
        BOOST_TEST(r.seconds < 4.0, "slow answer" << r);
    }
    BOOST_TEST(count_rows("goods") == goods_before);
}

BOOST_AUTO_TEST_CASE(control_and_non_ascii_bytes_in_query_values_are_400) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"page=%00", "page"},          {"page=1%00", "page"},
        {"page=%EF%BC%91", "page"},  // fullwidth 1
        {"page=%D9%A1", "page"},     // Arabic-Indic 1
        {"page=1%0A", "page"},         {"total_goods=%FF", "total_goods"},
        {"sort=%C3%A9", "sort"},       {"sort=%FF", "sort"},
        {"sort=ASC%00", "sort"},       {"sort_by=%E2%80%8Bid", "sort_by"},  // zero-width space
        {"sort_by=%FF%FE", "sort_by"}, {"sort_by=n%C3%A4me", "sort_by"},
    };
    HttpClient http(stack().base_url());
    for (const auto& [query, field] : cases)
        BOOST_TEST(
            is_error(http.get(std::string(kStocks) + "?" + query), 400, "ERR_BAD_REQUEST", field));
    // Odd bytes in the name of a parameter nobody asked for are ignored.
    BOOST_TEST(is_envelope_with(http.get(std::string(kStocks) + "?%FF%FE=1&%00=2"), {200, 400}));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(urls)

BOOST_AUTO_TEST_CASE(traversal_urls_never_reach_files) {
    HttpClient http(stack().base_url());
    for (const std::string target :
         {"/api/small/../../etc/passwd", "/api/small/%2e%2e/%2e%2e/etc/passwd",
          "/api/small/..%2f..%2fetc%2fpasswd", "/api/small/stocks/../../../../etc/passwd",
          "/api/small/%252e%252e/etc/passwd", "/api/small/....//....//etc/passwd"}) {
        const Response r = http.get(target);
        BOOST_TEST(r.curl_code == CURLE_OK, r);
        BOOST_TEST((r.status == 400 || r.status == 403 || r.status == 404), r);
        BOOST_TEST(r.body.find("root:") == std::string::npos, "file contents served" << r);
    }
}

BOOST_AUTO_TEST_CASE(odd_urls_under_the_api_get_json_answers) {
    HttpClient http(stack().base_url());
    BOOST_TEST(is_error(http.get("/api/small/stocks/..;/cart"), 404, "ERR_NOT_FOUND"));
    BOOST_TEST(is_error(http.get("/api/small/stocks;jsessionid=1"), 404, "ERR_NOT_FOUND"));
    BOOST_TEST(is_error(http.get("/api/small/" + std::string(3000, 'a')), 404, "ERR_NOT_FOUND"));
    BOOST_TEST(is_error(http.get("/api/small/%C3%A9"), 404, "ERR_NOT_FOUND"));
    BOOST_TEST(is_error(http.get("/api/small/%FF"), 404, "ERR_NOT_FOUND"));
    // nginx normalises these to /api/small/stocks (or the pool may refuse
    // them); either way a JSON answer.
    for (const std::string target : {"/api/small//stocks", "/api/small/./stocks",
                                     "/api/small/cart/../stocks", "/api/small/%73tocks"})
        BOOST_TEST(is_envelope_with(http.get(target), {200, 404}));
}

BOOST_AUTO_TEST_CASE(unusual_methods_are_json_405_with_allow) {
    HttpClient http(stack().base_url());
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"OPTIONS", kCart}, {"FOO", kStocks}, {"PROPFIND", kPay}, {"PUT", kHealth}};
    for (const auto& [method, target] : cases)
        BOOST_TEST(is_error(http.send(method, target), 405, "ERR_METHOD_NOT_ALLOWED"));
    // A body on a GET is ignored, not parsed.
    BOOST_TEST(is_ok(http.send("GET", kStocks, "{not json")));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(aftermath)

// A worker that crashed on some input would have been replaced by the master
// (and its request answered 503, which the tests above would have caught);
// this also catches a crash after answering. Assumes max_requests is larger
// than the few hundred requests made so far.
BOOST_AUTO_TEST_CASE(no_worker_died_on_hostile_input) {
    const auto now = stack().worker_pids();
    BOOST_TEST(!workers_at_start.empty(), "no workers found under the pool's master");
    BOOST_TEST(now == workers_at_start, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(rate_limit)

// Floods from 127.0.0.2 (not exempt in this stack) until nginx limits it,
// while 127.0.0.1 (exempt) keeps being served; after the Retry-After the
// flooder is served again.
BOOST_AUTO_TEST_CASE(over_the_rate_limit_is_429_json_with_retry_after_and_loopback_is_exempt) {
    const std::string target = std::string(kStocks) + "?total_goods=1";
    std::atomic<bool> stop{false};
    std::atomic<int> limited{0};
    std::atomic<int> sent{0};
    std::mutex mutex;
    std::vector<Response> wrong;  // neither a 200 nor a proper 429
    std::vector<Response> exempt_wrong;
    Response a_429;
    long longest_retry_after = 0;

    const auto flooder = [&] {
        HttpClient http(ClientOptions{stack().base_url(), "127.0.0.2", 10000, 5000});
        while (!stop && sent < 4000) {
            ++sent;
            Response r = http.get(target);
            std::lock_guard<std::mutex> lock(mutex);
            if (r.status == 429 && is_error(r, 429, "ERR_RATE_LIMITED")) {
                if (++limited >= 30) stop = true;
                longest_retry_after =
                    std::max(longest_retry_after, std::stol(r.header("retry-after")));
                a_429 = r;
            } else if (!(r.status == 200 && is_ok(r))) {
                wrong.push_back(std::move(r));
            }
        }
    };
    const auto exempt = [&] {
        HttpClient http(stack().base_url());
        while (!stop) {
            Response r = http.get(target);
            if (!is_ok(r)) {
                std::lock_guard<std::mutex> lock(mutex);
                exempt_wrong.push_back(std::move(r));
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    };
    std::vector<std::thread> threads;
    for (int i = 0; i < 6; ++i) threads.emplace_back(flooder);
    threads.emplace_back(exempt);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!stop && sent < 4000 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    stop = true;
    for (auto& t : threads) t.join();

    BOOST_TEST(limited.load() > 0, "no 429 after " << sent.load() << " requests from 127.0.0.2");
    BOOST_TEST(wrong.empty(),
               wrong.size() << " answers to 127.0.0.2 were neither 200 nor a JSON 429; the first:"
                            << (wrong.empty() ? Response() : wrong.front()));
    BOOST_TEST(exempt_wrong.empty(),
               exempt_wrong.size() << " answers to exempt 127.0.0.1 were not 200; the first:"
                                   << (exempt_wrong.empty() ? Response() : exempt_wrong.front()));
    if (limited.load() == 0) return;
    BOOST_TEST(longest_retry_after >= 1, "Retry-After should be at least 1 second" << a_429);
    BOOST_TEST(longest_retry_after <= 60, "Retry-After is implausibly long" << a_429);

    // Honour the Retry-After, then one request must pass.
    std::this_thread::sleep_for(
        std::chrono::milliseconds(1000 * std::min(longest_retry_after, 10L) + 500));
    HttpClient again(ClientOptions{stack().base_url(), "127.0.0.2", 10000, 5000});
    BOOST_TEST(is_ok(again.get(target)));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
// Floods of connections: slow, idle or simply too many from one address are
// cut off or turned away by nginx, and everyone else is served meanwhile.
BOOST_AUTO_TEST_SUITE(floods)

namespace {

// A raw TCP connection to the stack's nginx from `source` (a loopback
// address), for clients no HTTP library would imitate.
int connect_from(const char* source) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    BOOST_REQUIRE(fd >= 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &local.sin_addr);
    BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0);
    sockaddr_in server{};
    server.sin_family = AF_INET;
    server.sin_port = htons(static_cast<uint16_t>(UMKM_TEST_HTTP_PORT));
    ::inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);
    BOOST_REQUIRE_MESSAGE(::connect(fd, reinterpret_cast<sockaddr*>(&server), sizeof server) == 0,
                          "connect: " << std::strerror(errno));
    return fd;
}

bool closed_by_server(int fd) {
    char byte;
    const ssize_t n = ::recv(fd, &byte, 1, MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

}  // namespace

// Slowloris: 300 connections from one address that never finish their
// headers (some send nothing, some half a request, some trickle a byte a
// second). nginx holds them cheaply and cuts each off 10 s after it came
// (client_header_timeout; trickling does not extend it), while another
// client's requests are all answered.
BOOST_AUTO_TEST_CASE(slow_and_idle_connections_are_cut_off_while_others_are_served) {
    constexpr int kEach = 100;
    std::vector<int> idle, partial, trickling;
    for (int i = 0; i < kEach; ++i) {
        idle.push_back(connect_from("127.0.0.4"));
        partial.push_back(connect_from("127.0.0.4"));
        const std::string half = "GET /api/small/stocks HTTP/1.1\r\nHost: shop\r\n";
        BOOST_REQUIRE(::send(partial.back(), half.data(), half.size(), MSG_NOSIGNAL) > 0);
        trickling.push_back(connect_from("127.0.0.4"));
    }
    const auto opened = std::chrono::steady_clock::now();

    // Everyone else meanwhile: every request answered, none hangs.
    HttpClient http(ClientOptions{stack().base_url(), "", 5000, 2000});
    for (int i = 0; i < 30; ++i) BOOST_TEST(is_ok(http.get(kStocks)));

    // Trickle "GET / ..." a byte a second until nginx hangs up on everyone.
    const std::string request = "GET /api/small/stocks HTTP/1.1\r\nHost: shop\r\nX-Slow: ";
    size_t sent = 0;
    std::vector<int> all(idle);
    all.insert(all.end(), partial.begin(), partial.end());
    all.insert(all.end(), trickling.begin(), trickling.end());
    std::vector<bool> closed(all.size(), false);
    size_t still_open = all.size();
    while (still_open > 0 && std::chrono::steady_clock::now() - opened < std::chrono::seconds(25)) {
        const char byte = sent < request.size() ? request[sent] : 'x';
        ++sent;
        for (int fd : trickling) ::send(fd, &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
        std::this_thread::sleep_for(std::chrono::seconds(1));
        still_open = 0;
        for (size_t i = 0; i < all.size(); ++i) {
            closed[i] = closed[i] || closed_by_server(all[i]);
            still_open += !closed[i];
        }
    }
    const auto took =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - opened);
    BOOST_TEST_MESSAGE("nginx cut off " << all.size() - still_open << " of " << all.size()
                                        << " slow connections within " << took.count() << " s");
    BOOST_TEST(still_open == 0u, still_open << " slow connections still open after 25 s");
    BOOST_TEST(sent >= 8u, "the trickle stopped early");
    for (int fd : all) ::close(fd);
    BOOST_TEST(is_ok(http.get(kStocks)));
}

// More than 32 requests in progress at once from one address: the extra
// ones get the JSON 429 at once (limit_conn), the first 32 are served.
// Events streams stay open, so they are in progress for as long as we like.
BOOST_AUTO_TEST_CASE(over_32_requests_at_once_from_one_address_get_json_429) {
    HttpClient http(stack().base_url());
    const long long cart = open_cart(http, 77001, target().goods, target().price, 1);
    const Response paid = pay(http, cart, target().price);
    BOOST_REQUIRE(is_ok(paid));
    const std::string events =
        "/api/small/transactions/" + paid.str("data.transaction_id") + "/events";

    std::vector<std::unique_ptr<SseClient>> streams;
    for (int i = 0; i < 36; ++i) {
        SseOptions o;
        o.base_url = stack().base_url();
        o.target = events;
        o.source_address = "127.0.0.3";
        streams.push_back(std::make_unique<SseClient>(o));
        BOOST_REQUIRE_MESSAGE(streams.back()->wait_for_headers(5), *streams.back());
    }
    int open = 0, limited = 0;
    for (const auto& s : streams) {
        if (s->status() == 200) {
            // Served: the stream's first message is the transaction's state.
            BOOST_TEST(s->wait_for_events(1, 5), *s);
            ++open;
        } else if (s->status() == 429) {
            ++limited;
            // The headers can come before the body: wait for the whole answer.
            for (int i = 0; i < 100 && !s->finished(); ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            BOOST_TEST(s->header("Retry-After") == "1", *s);
            BOOST_TEST(s->raw().find("ERR_RATE_LIMITED") != std::string::npos, *s);
        } else {
            BOOST_ERROR("an events stream got neither 200 nor 429:" << *s);
        }
    }
    BOOST_TEST(open == 32);
    BOOST_TEST(limited == 4);
    // The exempt address is not limited meanwhile.
    BOOST_TEST(is_ok(http.get(kStocks)));
    streams.clear();
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(afterwards)

BOOST_AUTO_TEST_CASE(the_service_still_answers_normally) {
    HttpClient http(stack().base_url());
    BOOST_TEST(is_ok(http.get(kHealth)));
    const Response listing = http.get(std::string(kStocks) + "?sort=ASC&total_goods=7");
    BOOST_TEST(is_ok(listing));
    BOOST_TEST(listing.at("data.0.name") == Json::Value("Kopi"), listing);
    const long long goods = stack().create_goods(stack().unique_name("afterwards"), 5, 2000);
    const long long cart_id = open_cart(http, 77, goods, 2000, 2);
    const Response paid = pay(http, cart_id, 5000);
    BOOST_TEST(is_ok(paid));
    BOOST_TEST(paid.at("data.return_amount") == J(1000), paid);
    BOOST_TEST(stack().sql_int("SELECT stock FROM goods WHERE id = " + std::to_string(goods)) == 3);
    // The demo catalog is untouched by everything above.
    BOOST_TEST(stack().sql_int("SELECT COUNT(*) FROM goods WHERE id <= 7 AND deleted = 0") == 7);
    BOOST_TEST(stack().sql_int("SELECT SUM(stock) FROM goods WHERE id <= 7") == 450);
}

BOOST_AUTO_TEST_SUITE_END()
