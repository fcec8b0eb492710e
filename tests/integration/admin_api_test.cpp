// The owner's side of shared/API.md (section 5, and the transaction view of
// section 4) through nginx, against a private stack: admin tokens from the
// pool's command line, goods management, stock, price changes, the audit
// log, transactions and their verification (also two admins deciding at
// once), and nginx's tighter rate limit on the admin API. Each test makes
// the goods and purchases it needs; the database is checked after the HTTP
// answers.
#define BOOST_TEST_MODULE admin_api
#include <algorithm>
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <future>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "admin_requests.h"
#include "expectations.h"
#include "shop_requests.h"
#include "stack_fixture.h"

using namespace umkm::test;

namespace {

struct AdminApiStack : StackFixture {
    AdminApiStack() : StackFixture(config()) {}
    static StackConfig config() {
        StackConfig c;
        c.name = UMKM_TEST_STACK_NAME;
        c.http_port = UMKM_TEST_HTTP_PORT;
        // Only 127.0.0.1 is exempt from the rate limits: the admin limit is
        // proven from 127.0.0.2 and 127.0.0.3.
        c.rate_exempt = "127.0.0.1/32";
        return c;
    }
};

constexpr const char* kOwner = "it-owner";

// The token of the owner that most tests act as, created on first use (a
// failing `token create` then fails the tests that need it, one by one).
const std::string& owner_token() {
    static const std::string token = stack().create_token(kOwner);
    return token;
}

AdminClient owner() {
    return AdminClient(stack().base_url(), owner_token());
}

std::string sql_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

std::string repeat(const std::string& piece, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += piece;
    return out;
}

struct DbGoods {
    std::string name;
    long long price = 0;
    long long stock = 0;
    bool deleted = false;
};

DbGoods db_goods(long long id) {
    const auto rows = stack().sql_rows("SELECT name, price, stock, deleted FROM goods WHERE id = " +
                                       std::to_string(id));
    BOOST_REQUIRE_MESSAGE(rows.size() == 1 && rows[0].size() == 4,
                          "goods " << id << " is not in the database");
    return {rows[0][0], std::stoll(rows[0][1]), std::stoll(rows[0][2]), rows[0][3] == "1"};
}

// The goods answer matches the database row.
void expect_goods_as_stored(const Response& r) {
    BOOST_REQUIRE(is_admin_goods(r));
    const DbGoods stored = db_goods(r.at("data.id").asInt64());
    BOOST_TEST_CONTEXT(r) {
        BOOST_TEST(r.str("data.name") == stored.name);
        BOOST_TEST(r.at("data.price") == J(stored.price));
        BOOST_TEST(r.at("data.stock") == J(stored.stock));
        BOOST_TEST(r.at("data.deleted") == Json::Value(stored.deleted));
    }
}

long long audit_count() {
    return stack().sql_int("SELECT COUNT(*) FROM audit_log");
}

long long goods_count() {
    return stack().sql_int("SELECT COUNT(*) FROM goods");
}

// The goods ids of /api/small/stocks' first page, newest first.
std::set<long long> newest_on_sale(HttpClient& http) {
    const Response r = http.get(std::string(kStocks) + "?sort=DESC&sort_by=id&total_goods=100");
    BOOST_REQUIRE(is_ok(r));
    std::set<long long> ids;
    for (const auto& g : r.at("data")) ids.insert(g["id"].asInt64());
    return ids;
}

std::string cart_status(long long cart_id) {
    const auto rows =
        stack().sql_rows("SELECT status FROM carts WHERE id = " + std::to_string(cart_id));
    return rows.empty() || rows[0].empty() ? std::string("(none)") : rows[0][0];
}

// Seconds between an RFC 3339 UTC time ("2026-11-27T00:25:01Z") and now.
double seconds_from_now(const std::string& time) {
    std::tm tm{};
    if (!strptime(time.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return 1e9;
    return std::difftime(timegm(&tm), std::time(nullptr));
}

// ---- Audit entries ----------------------------------------------------------

assertion_result is_audit_entry(const Json::Value& e, const Response& r) {
    auto fail = [&](const std::string& why) {
        assertion_result result(false);
        result.message() << "audit entry: " << why << r.describe();
        return result;
    };
    if (!e.isObject()) return fail("not an object");
    if (member_names(e) != "action,actor,after,at,before,id,target")
        return fail("not exactly {id, actor, action, target, before, after, at}");
    if (!is_json_integer(e["id"]) || e["id"].asLargestInt() < 1)
        return fail("id is not a positive integer");
    for (const char* name : {"actor", "action", "target", "at"})
        if (!e[name].isString() || e[name].asString().empty())
            return fail(std::string(name) + " is not a non-empty string");
    if (!is_rfc3339_utc(e["at"].asString())) return fail("at is not an RFC 3339 UTC time");
    for (const char* name : {"before", "after"})
        if (!e[name].isNull() && !e[name].isObject())
            return fail(std::string(name) + " is neither null nor a JSON object");
    return true;
}

// The newest audit entry (GET /admin/audit?total_goods=1).
Json::Value newest_audit(AdminClient& admin, Response* answer = nullptr) {
    const Response r = admin.get(std::string(kAdminAudit) + "?total_goods=1");
    BOOST_REQUIRE(is_ok(r));
    BOOST_REQUIRE_MESSAGE(r.at("data").isArray() && r.at("data").size() == 1,
                          "the audit log's first page of 1 has no entry" << r);
    BOOST_REQUIRE(is_audit_entry(r.at("data.0"), r));
    if (answer) *answer = r;
    return r.at("data.0");
}

long long newest_audit_id(AdminClient& admin) {
    return newest_audit(admin)["id"].asInt64();
}

// ---- Purchases ---------------------------------------------------------------

std::string verify_body(const std::string& decision, const std::string& note_json = "") {
    std::string body = "{\"decision\":" + json_string(decision);
    if (!note_json.empty()) body += ",\"note\":" + note_json;
    return body + "}";
}

std::string transaction_status(const std::string& id) {
    const auto rows =
        stack().sql_rows("SELECT status FROM transactions WHERE id = " + sql_quote(id));
    return rows.empty() || rows[0].empty() ? std::string("(none)") : rows[0][0];
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(AdminApiStack);

// ===========================================================================
BOOST_AUTO_TEST_SUITE(auth)

BOOST_AUTO_TEST_CASE(a_created_token_is_shown_once_stored_as_a_hash_and_opens_the_admin_api) {
    const std::string token = owner_token();
    static const std::regex format("^umkm_([0-9]+)_([0-9a-f]{64})$");
    std::smatch parts;
    BOOST_REQUIRE_MESSAGE(
        std::regex_match(token, parts, format),
        "token create's last line is not umkm_<id>_<64 lower hex>: '" << printable(token) << "'");
    const std::string secret = parts[2];

    AdminClient admin = owner();
    BOOST_TEST(is_ok(admin.get(kAdminGoods)));

    // Stored only as SHA-256 of the secret (migration 002), never as text.
    BOOST_TEST(stack().sql_int(
                   "SELECT COUNT(*) FROM admin_tokens WHERE name = " + sql_quote(kOwner) +
                   " AND LOWER(HEX(secret_sha256)) = SHA2(" + sql_quote(secret) + ", 256)") == 1,
               "admin_tokens does not hold SHA-256(secret) for " << kOwner);

    const CommandResult listed = stack().list_tokens();
    BOOST_TEST(listed.exit_code == 0, listed.describe());
    BOOST_TEST(listed.out.find(kOwner) != std::string::npos, "token list does not name "
                                                                 << kOwner << "\n"
                                                                 << listed.describe());
    BOOST_TEST((listed.out.find(secret) == std::string::npos &&
                listed.err.find(secret) == std::string::npos),
               "token list shows the secret\n"
                   << listed.describe());
}

// Tokens never reach a log: neither a good one nor a wrong one, in nginx's
// access and error logs or the pool's, whatever the answer was.
BOOST_AUTO_TEST_CASE(tokens_never_reach_a_log) {
    const std::string token = owner_token();
    const std::string secret = token.substr(token.rfind('_') + 1);
    const std::string wrong_secret(64, 'e');
    const std::string wrong = token.substr(0, token.rfind('_') + 1) + wrong_secret;
    AdminClient admin = owner();
    BOOST_TEST(is_ok(admin.get(kAdminGoods)));
    BOOST_TEST(admin.with_authorization("Bearer " + wrong, "GET", kAdminGoods).status == 401);
    BOOST_TEST(admin.with_authorization("Bearer " + token + "x", "GET", kAdminGoods).status == 401);
    BOOST_TEST(admin.with_authorization("Basic " + secret, "GET", kAdminGoods).status == 401);
    // nginx writes its access log at least once a second (buffer, flush=1s).
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    for (const char* name : {"nginx-access.log", "nginx-error.log", "umkm-fcgi.log"}) {
        std::ifstream in(stack().state_dir() + "/log/" + name);
        std::stringstream text;
        text << in.rdbuf();
        BOOST_TEST(text.str().find(secret) == std::string::npos, name << " holds a token");
        BOOST_TEST(text.str().find(wrong_secret) == std::string::npos,
                   name << " holds a wrong token");
    }
}

// scripts/admin-token NAME (API.md section 5) does the same for the stack
// of its UMKM_STATE_DIR: the token alone on its last line.
BOOST_AUTO_TEST_CASE(scripts_admin_token_prints_a_working_token_on_its_last_line) {
    const CommandResult created = stack().script("admin-token", {"it-script"});
    BOOST_REQUIRE_MESSAGE(created.exit_code == 0, created.describe());
    std::string last = created.out;
    while (!last.empty() && last.back() == '\n') last.pop_back();
    last = last.substr(last.rfind('\n') == std::string::npos ? 0 : last.rfind('\n') + 1);
    static const std::regex format("^umkm_[0-9]+_[0-9a-f]{64}$");
    BOOST_REQUIRE_MESSAGE(std::regex_match(last, format), "the last line is not a token: '"
                                                              << printable(last) << "'\n"
                                                              << created.describe());
    AdminClient admin(stack().base_url(), last);
    BOOST_TEST(is_ok(admin.get(kAdminGoods)));

    const CommandResult revoked = stack().script("admin-token", {"--revoke", "it-script"});
    BOOST_TEST(revoked.exit_code == 0, revoked.describe());
    BOOST_TEST(is_error(admin.get(kAdminGoods), 401, "ERR_UNAUTHORIZED"));
}

// Every admin route, without any Authorization header: 401 with a Bearer
// challenge, and nothing changes (the DELETE and PATCH must not happen).
BOOST_AUTO_TEST_CASE(every_admin_route_without_a_token_is_401_and_changes_nothing) {
    const long long goods = stack().create_goods(stack().unique_name("no token"), 10, 1000);
    const std::string g = std::to_string(goods);
    const std::string uuid = "0b9d8c2e-55a7-4f0e-9a43-2d7c1e6f8a90";
    const long long audit_before = audit_count();
    AdminClient anonymous(stack().base_url(), "");
    struct Call {
        std::string method, target, body;
    };
    const std::vector<Call> calls = {
        {"GET", kAdminGoods, ""},
        {"POST", kAdminGoods, goods_body("it no token", 1, 1)},
        {"GET", admin_goods_path(goods), ""},
        {"PUT", admin_goods_path(goods), goods_body("it renamed", 1, 1)},
        {"PATCH", admin_goods_path(goods), "{\"price\":1}"},
        {"DELETE", admin_goods_path(goods), ""},
        {"POST", admin_goods_path(goods) + "/stock", "{\"action\":\"DECR\",\"total\":10}"},
        {"GET", std::string(kAdminTransactions) + "?status=PAID", ""},
        {"POST", verify_path(uuid), verify_body("approve")},
        {"GET", kAdminAudit, ""},
        {"GET", "/api/small/admin/no-such-thing", ""},
        {"DELETE", "/api/small/admin/goods", ""},
    };
    for (const Call& c : calls) {
        const Response r = c.body.empty() ? anonymous.send(c.method, c.target)
                                          : anonymous.send(c.method, c.target, c.body);
        BOOST_TEST(is_error(r, 401, "ERR_UNAUTHORIZED"));
    }
    const DbGoods after = db_goods(goods);
    BOOST_TEST(!after.deleted, "goods " << g << " was deleted without a token");
    BOOST_TEST(after.price == 1000);
    BOOST_TEST(after.stock == 10);
    BOOST_TEST(stack().sql_int("SELECT COUNT(*) FROM goods WHERE name = 'it no token'") == 0);
    BOOST_TEST(audit_count() == audit_before, "an audit entry was written for a refused call");
}

BOOST_AUTO_TEST_CASE(malformed_unknown_and_wrong_tokens_are_401) {
    const std::string token = owner_token();
    static const std::regex format("^umkm_([0-9]+)_([0-9a-f]{64})$");
    std::smatch parts;
    BOOST_REQUIRE(std::regex_match(token, parts, format));
    const std::string id = parts[1];
    const std::string secret = parts[2];
    std::string other_secret = secret;
    other_secret.back() = other_secret.back() == '0' ? '1' : '0';
    const std::string hex64 = repeat("ab", 32);

    AdminClient admin(stack().base_url(), "");
    const std::vector<std::string> authorizations = {
        "Bearer",
        "Bearer ",
        "Basic " + std::string("aXQtb3duZXI6c2VjcmV0"),
        token,             // no scheme
        "Token " + token,  // another scheme
        "Bearer umkm_",
        "Bearer umkm_" + id + "_",
        "Bearer umkm_" + id + "_abc",
        "Bearer umkm_x_" + secret,
        "Bearer umkm__" + secret,
        "Bearer " + token + "0",                        // 65 hex digits
        "Bearer " + token.substr(0, token.size() - 1),  // 63 hex digits
        "Bearer " + token + " extra",
        "Bearer umkm_" + id + "_" + secret.substr(0, 60) + "zzzz",  // not hex
        "Bearer xmkm_" + id + "_" + secret,
        "Bearer umkm_99999999_" + hex64,           // unknown id
        "Bearer umkm_99999999_" + secret,          // unknown id, a real secret
        "Bearer umkm_" + id + "_" + other_secret,  // right id, wrong secret
        "Bearer umkm_" + id + "_" + hex64,
    };
    for (const auto& authorization : authorizations) {
        BOOST_TEST_CONTEXT("Authorization: " << printable(authorization)) {
            BOOST_TEST(is_error(admin.with_authorization(authorization, "GET", kAdminGoods), 401,
                                "ERR_UNAUTHORIZED"));
        }
    }
    // And the real one still works.
    BOOST_TEST(is_ok(admin.with_authorization("Bearer " + token, "GET", kAdminGoods)));
}

BOOST_AUTO_TEST_CASE(a_revoked_token_is_401_at_once_and_a_new_one_under_its_name_is_a_new_secret) {
    const std::string name = "it-revoke-me";
    const std::string first = stack().create_token(name);
    AdminClient with_first(stack().base_url(), first);
    BOOST_REQUIRE(is_ok(with_first.get(kAdminGoods)));

    const CommandResult revoked = stack().revoke_token(name);
    BOOST_REQUIRE_MESSAGE(revoked.exit_code == 0, revoked.describe());
    BOOST_TEST(is_error(with_first.get(kAdminGoods), 401, "ERR_UNAUTHORIZED"));
    BOOST_TEST(is_error(with_first.post(kAdminGoods, goods_body("it revoked", 1, 1)), 401,
                        "ERR_UNAUTHORIZED"));
    BOOST_TEST(stack().sql_int("SELECT COUNT(*) FROM goods WHERE name = 'it revoked'") == 0);

    const std::string second = stack().create_token(name);
    BOOST_TEST(second != first, "the same token came back for a revoked name");
    AdminClient with_second(stack().base_url(), second);
    BOOST_TEST(is_ok(with_second.get(kAdminGoods)));
    BOOST_TEST(is_error(with_first.get(kAdminGoods), 401, "ERR_UNAUTHORIZED"),
               "the revoked token came back to life with its name");
    // The owner's token is not affected by another's revocation.
    AdminClient admin = owner();
    BOOST_TEST(is_ok(admin.get(kAdminGoods)));
}

// The token is checked before routing: without one, even an unknown admin
// path is 401; with one it is 404.
BOOST_AUTO_TEST_CASE(an_unknown_admin_path_is_401_without_a_token_and_404_with_one) {
    AdminClient anonymous(stack().base_url(), "");
    AdminClient admin = owner();
    for (const std::string target :
         {"/api/small/admin/nope", "/api/small/admin/goods/1/nope", "/api/small/admin/"}) {
        BOOST_TEST(is_error(anonymous.get(target), 401, "ERR_UNAUTHORIZED"));
        BOOST_TEST(is_error(admin.get(target), 404, "ERR_NOT_FOUND"));
    }
}

BOOST_AUTO_TEST_CASE(a_wrong_method_on_an_admin_path_is_405_with_allow) {
    AdminClient admin = owner();
    const long long goods = stack().create_goods(stack().unique_name("405"), 3, 100);
    const std::string uuid = "0b9d8c2e-55a7-4f0e-9a43-2d7c1e6f8a90";
    BOOST_TEST(is_error(admin.send("DELETE", kAdminGoods), 405, "ERR_METHOD_NOT_ALLOWED"));
    BOOST_TEST(
        is_error(admin.send("POST", admin_goods_path(goods), "{}"), 405, "ERR_METHOD_NOT_ALLOWED"));
    BOOST_TEST(
        is_error(admin.get(admin_goods_path(goods) + "/stock"), 405, "ERR_METHOD_NOT_ALLOWED"));
    BOOST_TEST(is_error(admin.send("DELETE", kAdminAudit), 405, "ERR_METHOD_NOT_ALLOWED"));
    BOOST_TEST(is_error(admin.get(verify_path(uuid)), 405, "ERR_METHOD_NOT_ALLOWED"));
    BOOST_TEST(
        is_error(admin.send("POST", kAdminTransactions, "{}"), 405, "ERR_METHOD_NOT_ALLOWED"));
}

BOOST_AUTO_TEST_SUITE_END()

// ===========================================================================
BOOST_AUTO_TEST_SUITE(admin_rate_limit)

// nginx gives /api/small/admin/ about 5 r/s with a burst of 10 per address
// (loopback exempt by default; this stack exempts only 127.0.0.1): 30 quick
// admin calls from 127.0.0.2 meet 429s, while 30 quick public calls from the
// same address all pass (the public API allows 20 r/s, burst 40). Failed
// attempts (a wrong token) are limited as well, which is the point: guessing
// tokens is slow.
BOOST_AUTO_TEST_CASE(admin_calls_are_limited_tighter_than_the_public_api_and_127_0_0_1_is_exempt) {
    const std::string token = owner_token();
    const std::string admin_target = std::string(kAdminGoods) + "?total_goods=1";
    const std::string public_target = std::string(kStocks) + "?total_goods=1";

    struct Tally {
        int ok = 0, limited = 0, unauthorized = 0;
        double seconds = 0;
        std::vector<Response> wrong;
        Response a_429;
        long retry_after = 0;
    };
    const auto flood = [&](const std::string& from, const std::string& bearer,
                           const std::string& target, int n) {
        AdminClient client(stack().base_url(), bearer, from);
        Tally t;
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < n; ++i) {
            Response r = client.get(target);
            if (r.status == 200 && is_ok(r)) {
                ++t.ok;
            } else if (r.status == 429 && is_error(r, 429, "ERR_RATE_LIMITED")) {
                ++t.limited;
                t.retry_after = std::max(t.retry_after, std::stol(r.header("retry-after")));
                t.a_429 = r;
            } else if (r.status == 401 && is_error(r, 401, "ERR_UNAUTHORIZED")) {
                ++t.unauthorized;
            } else {
                t.wrong.push_back(std::move(r));
            }
        }
        t.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return t;
    };
    const auto first_wrong = [](const Tally& t) {
        return t.wrong.empty() ? Response() : t.wrong.front();
    };

    // Admin calls with a good token from 127.0.0.2.
    const Tally admin = flood("127.0.0.2", token, admin_target, 30);
    BOOST_TEST(admin.wrong.empty(),
               admin.wrong.size() << " admin answers to 127.0.0.2 were neither 200 nor a JSON "
                                     "429; the first:"
                                  << first_wrong(admin));
    BOOST_TEST(admin.limited > 0, "no 429 among 30 admin calls from 127.0.0.2 in "
                                      << admin.seconds << " s (" << admin.ok << " passed)");
    // burst 10 + the first + 5/s: one more for timing at the edges.
    const double allowed = 12 + 5 * admin.seconds;
    BOOST_TEST(admin.ok <= allowed, admin.ok << " admin calls passed in " << admin.seconds
                                             << " s from 127.0.0.2; about 5 r/s + a burst of 10 "
                                                "allows "
                                             << allowed);

    // The public API from the same address, at once: its own, larger budget.
    const Tally open = flood("127.0.0.2", "", public_target, 30);
    BOOST_TEST(open.ok == 30, "only " << open.ok << " of 30 public calls from 127.0.0.2 passed ("
                                      << open.limited << " limited) in " << open.seconds
                                      << " s; the first other:"
                                      << (open.limited ? open.a_429 : first_wrong(open)));

    // Wrong tokens from a fresh address: 401 until the limit, then 429.
    const std::string wrong_token = "umkm_1_" + repeat("0f", 32);
    const Tally guessing = flood("127.0.0.3", wrong_token, admin_target, 30);
    BOOST_TEST(guessing.wrong.empty(), guessing.wrong.size()
                                           << " answers to guesses from 127.0.0.3 were neither 401 "
                                              "nor a JSON 429; the first:"
                                           << first_wrong(guessing));
    BOOST_TEST(guessing.ok == 0);
    BOOST_TEST(guessing.limited > 0,
               "no 429 among 30 wrong-token calls from 127.0.0.3 in " << guessing.seconds << " s");

    // The exempt address is never limited.
    const Tally exempt = flood("127.0.0.1", token, admin_target, 40);
    BOOST_TEST(exempt.ok == 40, "only " << exempt.ok
                                        << " of 40 admin calls from exempt 127.0.0.1 "
                                           "passed; the first other:"
                                        << (exempt.limited ? exempt.a_429 : first_wrong(exempt)));

    if (admin.limited == 0) return;
    BOOST_TEST(admin.retry_after >= 1, "Retry-After should be at least 1 second" << admin.a_429);
    BOOST_TEST(admin.retry_after <= 60, "Retry-After is implausibly long" << admin.a_429);
    // Honour the Retry-After, then an admin call from 127.0.0.2 passes.
    std::this_thread::sleep_for(
        std::chrono::milliseconds(1000 * std::min(admin.retry_after, 10L) + 500));
    AdminClient again(stack().base_url(), token, "127.0.0.2");
    BOOST_TEST(is_ok(again.get(admin_target)));
}

BOOST_AUTO_TEST_SUITE_END()

// ===========================================================================
BOOST_AUTO_TEST_SUITE(goods)

BOOST_AUTO_TEST_CASE(create_answers_201_created_with_the_goods_and_puts_them_on_sale) {
    AdminClient admin = owner();
    HttpClient customer(stack().base_url());
    const std::string name = stack().unique_name("Es Teh");
    const Response r = admin.post(kAdminGoods, goods_body(name, 3000, 50));
    BOOST_REQUIRE(is_created(r));
    BOOST_REQUIRE(is_admin_goods(r));
    BOOST_TEST_CONTEXT(r) {
        BOOST_TEST(r.str("data.name") == name);
        BOOST_TEST(r.at("data.price") == J(3000));
        BOOST_TEST(r.at("data.stock") == J(50));
        BOOST_TEST(r.at("data.deleted") == Json::Value(false));
    }
    expect_goods_as_stored(r);
    const long long id = r.at("data.id").asInt64();

    const Response read = admin.get(admin_goods_path(id));
    BOOST_TEST(is_ok(read));
    BOOST_TEST(read.at("data") == r.at("data"), read);
    BOOST_TEST(newest_on_sale(customer).count(id) == 1,
               "new goods " << id << " are not on /stocks");
    // And a customer can buy them at that price.
    const long long cart = open_cart(customer, 5, id, 3000, 2);
    BOOST_TEST(is_ok(pay(customer, cart, 6000)));
}

BOOST_AUTO_TEST_CASE(create_rejects_each_missing_or_invalid_field_by_name) {
    AdminClient admin = owner();
    const long long goods_before = goods_count();
    struct Case {
        std::string body;
        std::vector<std::string> fields;
    };
    const std::string ok_name = "\"it never\"";
    const auto body = [](const std::string& name, const std::string& price,
                         const std::string& stock) {
        std::string b = "{";
        auto add = [&](const char* key, const std::string& raw) {
            if (raw.empty()) return;
            if (b.size() > 1) b += ",";
            b += std::string("\"") + key + "\":" + raw;
        };
        add("name", name);
        add("price", price);
        add("stock", stock);
        return b + "}";
    };
    const std::vector<Case> cases = {
        {"{}", {"name", "price", "stock"}},
        {body("", "1000", "5"), {"name"}},
        {body(ok_name, "", "5"), {"price"}},
        {body(ok_name, "1000", ""), {"stock"}},
        {body("\"\"", "1000", "5"), {"name"}},
        {body("\"   \"", "1000", "5"), {"name"}},
        {body("\" \\t\\n \"", "1000", "5"), {"name"}},
        {body("null", "1000", "5"), {"name"}},
        {body("12", "1000", "5"), {"name"}},
        {body("true", "1000", "5"), {"name"}},
        {body("[\"a\"]", "1000", "5"), {"name"}},
        {body("{\"a\":1}", "1000", "5"), {"name"}},
        {body(json_string(repeat("a", 256)), "1000", "5"), {"name"}},
        {body(json_string(repeat("\xc3\xa9", 256)), "1000", "5"), {"name"}},
        {body(ok_name, "-1", "5"), {"price"}},
        {body(ok_name, "1.5", "5"), {"price"}},
        {body(ok_name, "1000.0", "5"), {"price"}},
        {body(ok_name, "1e3", "5"), {"price"}},
        {body(ok_name, "\"1000\"", "5"), {"price"}},
        {body(ok_name, "true", "5"), {"price"}},
        {body(ok_name, "null", "5"), {"price"}},
        {body(ok_name, "9007199254740992", "5"), {"price"}},
        {body(ok_name, "18446744073709551616", "5"), {"price"}},
        {body(ok_name, "1000", "-1"), {"stock"}},
        {body(ok_name, "1000", "2.5"), {"stock"}},
        {body(ok_name, "1000", "\"5\""), {"stock"}},
        {body(ok_name, "1000", "false"), {"stock"}},
        {body(ok_name, "1000", "null"), {"stock"}},
        {body(ok_name, "1000", "9007199254740992"), {"stock"}},
        {body("\"\"", "-1", "\"x\""), {"name", "price", "stock"}},
    };
    for (const Case& c : cases) {
        const Response r = admin.post(kAdminGoods, c.body);
        for (const auto& field : c.fields) BOOST_TEST(is_error(r, 400, "ERR_BAD_REQUEST", field));
    }
    // Bodies that are not a JSON object, or have a duplicate key.
    for (const std::string bad :
         {"", "{", "[]", "null", "\"name\"",
          "{\"name\":\"it a\",\"name\":\"it b\",\"price\":1,\"stock\":1}"}) {
        BOOST_TEST(is_error(admin.post(kAdminGoods, bad), 400, "ERR_BAD_REQUEST"));
    }
    BOOST_TEST(goods_count() == goods_before, "a refused create added goods");
}

// 1-255 characters, counted as Unicode characters, not bytes.
BOOST_AUTO_TEST_CASE(names_count_unicode_characters_not_bytes) {
    AdminClient admin = owner();
    const std::vector<std::string> names = {
        "K",
        repeat("a", 255),
        repeat("\xc3\xa9", 255),          // é: 510 bytes
        repeat("\xe2\x82\xac", 255),      // €: 765 bytes
        repeat("\xf0\x9f\x98\x80", 255),  // 😀: 1020 bytes, 4-byte UTF-8
        "Es Teh \xf0\x9f\xa7\x8a manis",
    };
    for (const auto& name : names) {
        const Response r = admin.post(kAdminGoods, goods_body(name, 500, 5));
        BOOST_TEST_CONTEXT("name of " << name.size() << " bytes") {
            if (r.status != 201) {
                BOOST_TEST(is_created(r));
                continue;
            }
            BOOST_TEST(r.str("data.name") == name, r);
            const Response read = admin.get(admin_goods_path(r.at("data.id").asInt64()));
            BOOST_TEST(read.str("data.name") == name, read);
        }
    }
    for (const auto& name :
         {repeat("a", 256), repeat("\xc3\xa9", 256), repeat("\xf0\x9f\x98\x80", 256)}) {
        BOOST_TEST(is_error(admin.post(kAdminGoods, goods_body(name, 500, 5)), 400,
                            "ERR_BAD_REQUEST", "name"));
    }
}

BOOST_AUTO_TEST_CASE(price_and_stock_take_0_up_to_2_pow_53_minus_1) {
    AdminClient admin = owner();
    for (const long long v : {0LL, 1LL, kMaxJsonInteger}) {
        const Response r = admin.post(kAdminGoods, goods_body(stack().unique_name("range"), v, v));
        BOOST_TEST_CONTEXT("price = stock = " << v) {
            if (r.status != 201) {
                BOOST_TEST(is_created(r));
                continue;
            }
            BOOST_TEST(r.at("data.price") == J(v), r);
            BOOST_TEST(r.at("data.stock") == J(v), r);
            expect_goods_as_stored(r);
        }
    }
}

// Walks every page of the admin listing with this query, checking meta.
std::vector<Json::Value> walk_admin_goods(AdminClient& admin, const std::string& query,
                                          long long page_size, long long expected_total) {
    const long long pages = (expected_total + page_size - 1) / page_size;
    std::vector<Json::Value> all;
    for (long long page = 1; page <= pages + 1; ++page) {
        const Response r = admin.get(std::string(kAdminGoods) + "?" + query + "&total_goods=" +
                                     std::to_string(page_size) + "&page=" + std::to_string(page));
        BOOST_REQUIRE(is_ok(r));
        BOOST_REQUIRE_MESSAGE(r.at("data").isArray(), "data is not an array" << r);
        BOOST_TEST_CONTEXT(r) {
            BOOST_TEST(r.at("meta.page") == J(page));
            BOOST_TEST(r.at("meta.total_goods") == J(page_size));
            BOOST_TEST(r.at("meta.total_items") == J(expected_total));
            BOOST_TEST(r.at("meta.total_pages") == J(pages));
        }
        for (Json::ArrayIndex i = 0; i < r.at("data").size(); ++i) {
            BOOST_TEST(is_admin_goods(r, "data." + std::to_string(i)));
            all.push_back(r.at("data")[i]);
        }
        if (page == pages + 1)
            BOOST_TEST(r.at("data").empty(), "a page past the end is not empty" << r);
    }
    return all;
}

std::vector<long long> db_ids(const std::string& where) {
    std::vector<long long> ids;
    for (const auto& row : stack().sql_rows("SELECT id FROM goods " + where + " ORDER BY id"))
        ids.push_back(std::stoll(row.at(0)));
    return ids;
}

BOOST_AUTO_TEST_CASE(the_admin_list_pages_like_stocks_and_filters_deleted_goods) {
    AdminClient admin = owner();
    // At least one hidden and a few on sale.
    for (int i = 0; i < 3; ++i)
        admin_create_goods(admin, stack().unique_name("listed"), 100 + i, 5);
    const long long hidden = admin_create_goods(admin, stack().unique_name("hidden"), 700, 1);
    BOOST_REQUIRE(is_ok(admin.send("DELETE", admin_goods_path(hidden))));

    struct Filter {
        std::string query, where;
    };
    const std::vector<Filter> filters = {
        {"sort=ASC&sort_by=id", ""},
        {"sort=ASC&sort_by=id&deleted=all", ""},
        {"sort=asc&sort_by=id&deleted=true", "WHERE deleted = 1"},
        {"sort=Asc&sort_by=id&deleted=false", "WHERE deleted = 0"},
    };
    for (const Filter& f : filters) {
        BOOST_TEST_CONTEXT("query " << f.query) {
            const std::vector<long long> expected = db_ids(f.where);
            const auto listed =
                walk_admin_goods(admin, f.query, 7, static_cast<long long>(expected.size()));
            std::vector<long long> ids;
            for (const auto& g : listed) ids.push_back(g["id"].asInt64());
            BOOST_TEST(ids == expected, boost::test_tools::per_element());
            // Each item's deleted flag is the database's.
            for (const auto& g : listed) {
                const DbGoods stored = db_goods(g["id"].asInt64());
                BOOST_TEST(g["deleted"].asBool() == stored.deleted, "goods " << g["id"]);
            }
        }
    }
    // The default order is id DESC, and sort_by=price breaks ties by id in
    // the same direction.
    const Response desc = admin.get(std::string(kAdminGoods) + "?total_goods=100&deleted=all");
    BOOST_REQUIRE(is_ok(desc));
    const auto all_ids = db_ids("");
    BOOST_TEST(desc.at("data.0.id") == J(all_ids.back()), desc);
    const Response by_price =
        admin.get(std::string(kAdminGoods) + "?total_goods=100&sort_by=price&sort=DESC");
    BOOST_REQUIRE(is_ok(by_price));
    const Json::Value data = by_price.at("data");
    for (Json::ArrayIndex i = 1; i < data.size(); ++i) {
        const auto& a = data[i - 1];
        const auto& b = data[i];
        const bool ordered =
            a["price"].asInt64() > b["price"].asInt64() ||
            (a["price"].asInt64() == b["price"].asInt64() && a["id"].asInt64() > b["id"].asInt64());
        BOOST_TEST(ordered,
                   "items " << i - 1 << " and " << i << " are out of price DESC order" << by_price);
    }
}

BOOST_AUTO_TEST_CASE(the_admin_list_rejects_bad_query_values_by_name) {
    AdminClient admin = owner();
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"deleted=yes", "deleted"},
        {"deleted=1", "deleted"},
        {"deleted=all&deleted=true", "deleted"},
        {"page=0", "page"},
        {"page=-1", "page"},
        {"page=abc", "page"},
        {"page=1.5", "page"},
        {"total_goods=0", "total_goods"},
        {"total_goods=101", "total_goods"},
        {"sort=UP", "sort"},
        {"sort_by=weight", "sort_by"},
    };
    for (const auto& [query, field] : cases)
        BOOST_TEST(is_error(admin.get(std::string(kAdminGoods) + "?" + query), 400,
                            "ERR_BAD_REQUEST", field));
}

BOOST_AUTO_TEST_CASE(an_unknown_or_non_numeric_goods_id_is_404_for_every_method) {
    AdminClient admin = owner();
    const long long audit_before = audit_count();
    for (const std::string id : {"999999999", "0", "-1", "abc", "1.5", "1e3", "01x",
                                 "9007199254740992", "99999999999999999999999"}) {
        BOOST_TEST_CONTEXT("id " << id) {
            const std::string path = admin_goods_path(id);
            BOOST_TEST(is_error(admin.get(path), 404, "ERR_NOT_FOUND"));
            BOOST_TEST(is_error(admin.send("PUT", path, goods_body("it ghost", 1, 1)), 404,
                                "ERR_NOT_FOUND"));
            BOOST_TEST(is_error(admin.send("PATCH", path, "{\"price\":1}"), 404, "ERR_NOT_FOUND"));
            BOOST_TEST(is_error(admin.send("DELETE", path), 404, "ERR_NOT_FOUND"));
            BOOST_TEST(is_error(admin.post(path + "/stock", "{\"action\":\"INCR\",\"total\":1}"),
                                404, "ERR_NOT_FOUND"));
        }
    }
    BOOST_TEST(audit_count() == audit_before, "an audit entry was written for unknown goods");
}

BOOST_AUTO_TEST_CASE(put_replaces_every_field_and_needs_each_of_them) {
    AdminClient admin = owner();
    HttpClient customer(stack().base_url());
    const long long id = admin_create_goods(admin, stack().unique_name("put"), 1000, 10);
    const std::string path = admin_goods_path(id);
    const DbGoods before = db_goods(id);

    const Response empty = admin.send("PUT", path, "{}");
    for (const char* field : {"name", "price", "stock"})
        BOOST_TEST(is_error(empty, 400, "ERR_BAD_REQUEST", field));
    BOOST_TEST(is_error(admin.send("PUT", path, "{\"name\":\"it x\",\"price\":5}"), 400,
                        "ERR_BAD_REQUEST", "stock"));
    BOOST_TEST(is_error(admin.send("PUT", path, "{\"name\":\"it x\",\"stock\":5}"), 400,
                        "ERR_BAD_REQUEST", "price"));
    BOOST_TEST(is_error(admin.send("PUT", path, "{\"price\":5,\"stock\":5}"), 400,
                        "ERR_BAD_REQUEST", "name"));
    BOOST_TEST(
        is_error(admin.send("PUT", path, goods_body("   ", 5, 5)), 400, "ERR_BAD_REQUEST", "name"));
    BOOST_TEST(is_error(admin.send("PUT", path, "{\"name\":\"it x\",\"price\":-5,\"stock\":5}"),
                        400, "ERR_BAD_REQUEST", "price"));
    for (const std::string deleted : {"\"yes\"", "1", "0", "\"true\""}) {
        BOOST_TEST(is_error(
            admin.send("PUT", path,
                       "{\"name\":\"it x\",\"price\":5,\"stock\":5,\"deleted\":" + deleted + "}"),
            400, "ERR_BAD_REQUEST", "deleted"));
    }
    const DbGoods unchanged = db_goods(id);
    BOOST_TEST(unchanged.name == before.name);
    BOOST_TEST(unchanged.price == before.price);
    BOOST_TEST(unchanged.stock == before.stock);
    // null is not a boolean either (unlike cart_id, the contract allows no
    // null here).
    BOOST_TEST(is_error(
        admin.send("PUT", path, "{\"name\":\"it x\",\"price\":5,\"stock\":5,\"deleted\":null}"),
        400, "ERR_BAD_REQUEST", "deleted"));

    const std::string new_name = stack().unique_name("put renamed");
    const Response replaced = admin.send("PUT", path, goods_body(new_name, 2500, 4));
    BOOST_REQUIRE(is_ok(replaced));
    BOOST_TEST_CONTEXT(replaced) {
        BOOST_TEST(replaced.at("data.id") == J(id));
        BOOST_TEST(replaced.str("data.name") == new_name);
        BOOST_TEST(replaced.at("data.price") == J(2500));
        BOOST_TEST(replaced.at("data.stock") == J(4));
        BOOST_TEST(replaced.at("data.deleted") == Json::Value(false));
    }
    expect_goods_as_stored(replaced);

    // The optional deleted flag hides and restores.
    const Response hidden = admin.send(
        "PUT", path,
        "{\"name\":" + json_string(new_name) + ",\"price\":2500,\"stock\":4,\"deleted\":true}");
    BOOST_REQUIRE(is_ok(hidden));
    BOOST_TEST(hidden.at("data.deleted") == Json::Value(true), hidden);
    BOOST_TEST(newest_on_sale(customer).count(id) == 0, "hidden goods " << id << " are on /stocks");
    const Response restored = admin.send(
        "PUT", path,
        "{\"name\":" + json_string(new_name) + ",\"price\":2500,\"stock\":4,\"deleted\":false}");
    BOOST_REQUIRE(is_ok(restored));
    BOOST_TEST(restored.at("data.deleted") == Json::Value(false), restored);
    BOOST_TEST(newest_on_sale(customer).count(id) == 1,
               "restored goods " << id << " are not on /stocks");
}

BOOST_AUTO_TEST_CASE(patch_changes_only_what_is_given_and_needs_at_least_one_field) {
    AdminClient admin = owner();
    HttpClient customer(stack().base_url());
    const std::string name = stack().unique_name("patch");
    const long long id = admin_create_goods(admin, name, 1000, 10);
    const std::string path = admin_goods_path(id);

    BOOST_TEST(is_error(admin.send("PATCH", path, "{}"), 400, "ERR_BAD_REQUEST", "body"));
    // Unknown fields are ignored, so this is an empty change too.
    BOOST_TEST(is_error(admin.send("PATCH", path, "{\"colour\":\"red\"}"), 400, "ERR_BAD_REQUEST",
                        "body"));
    BOOST_TEST(
        is_error(admin.send("PATCH", path, "{\"name\":\" \"}"), 400, "ERR_BAD_REQUEST", "name"));
    BOOST_TEST(
        is_error(admin.send("PATCH", path, "{\"name\":null}"), 400, "ERR_BAD_REQUEST", "name"));
    BOOST_TEST(
        is_error(admin.send("PATCH", path, "{\"price\":-5}"), 400, "ERR_BAD_REQUEST", "price"));
    BOOST_TEST(
        is_error(admin.send("PATCH", path, "{\"stock\":1.5}"), 400, "ERR_BAD_REQUEST", "stock"));
    BOOST_TEST(is_error(admin.send("PATCH", path, "{\"deleted\":\"false\"}"), 400,
                        "ERR_BAD_REQUEST", "deleted"));
    BOOST_TEST(is_error(admin.send("PATCH", path, "{\"price\":1500,\"stock\":-1}"), 400,
                        "ERR_BAD_REQUEST", "stock"));
    BOOST_TEST(is_error(admin.send("PATCH", path, "[1]"), 400, "ERR_BAD_REQUEST"));
    DbGoods now = db_goods(id);
    BOOST_TEST((now.name == name && now.price == 1000 && now.stock == 10 && !now.deleted),
               "a refused PATCH changed the goods (a valid field beside an invalid one?)");

    Response r = admin.send("PATCH", path, "{\"price\":1500}");
    BOOST_REQUIRE(is_ok(r));
    BOOST_TEST_CONTEXT(r) {
        BOOST_TEST(r.str("data.name") == name);
        BOOST_TEST(r.at("data.price") == J(1500));
        BOOST_TEST(r.at("data.stock") == J(10));
    }
    expect_goods_as_stored(r);

    const std::string renamed = stack().unique_name("patch renamed");
    r = admin.send("PATCH", path, "{\"name\":" + json_string(renamed) + "}");
    BOOST_REQUIRE(is_ok(r));
    BOOST_TEST_CONTEXT(r) {
        BOOST_TEST(r.str("data.name") == renamed);
        BOOST_TEST(r.at("data.price") == J(1500));
        BOOST_TEST(r.at("data.stock") == J(10));
    }
    r = admin.send("PATCH", path, "{\"stock\":7}");
    BOOST_REQUIRE(is_ok(r));
    BOOST_TEST(r.at("data.stock") == J(7), r);
    BOOST_TEST(r.at("data.price") == J(1500), r);
    expect_goods_as_stored(r);

    r = admin.send("PATCH", path, "{\"deleted\":true}");
    BOOST_REQUIRE(is_ok(r));
    BOOST_TEST(r.at("data.deleted") == Json::Value(true), r);
    BOOST_TEST(newest_on_sale(customer).count(id) == 0);
    r = admin.send("PATCH", path, "{\"deleted\":false}");
    BOOST_REQUIRE(is_ok(r));
    BOOST_TEST(r.at("data.deleted") == Json::Value(false), r);
    BOOST_TEST(newest_on_sale(customer).count(id) == 1);
    expect_goods_as_stored(r);
}

// Delete hides goods from customers and keeps their history; an open cart
// holding them cannot be paid (409 ERR_OUT_OF_STOCK) and nothing changes.
BOOST_AUTO_TEST_CASE(delete_hides_goods_from_customers_and_answers_deleted_true_each_time) {
    AdminClient admin = owner();
    HttpClient customer(stack().base_url());
    const std::string name = stack().unique_name("deleted");
    const long long id = admin_create_goods(admin, name, 1200, 10);
    const long long cart = open_cart(customer, 31, id, 1200, 2);
    BOOST_REQUIRE(newest_on_sale(customer).count(id) == 1);

    for (int round = 1; round <= 2; ++round) {
        const Response r = admin.send("DELETE", admin_goods_path(id));
        BOOST_TEST_CONTEXT("DELETE number " << round) {
            BOOST_REQUIRE(is_ok(r));
            BOOST_REQUIRE(is_admin_goods(r));
            BOOST_TEST(r.at("data.deleted") == Json::Value(true), r);
            BOOST_TEST(r.at("data.id") == J(id), r);
            BOOST_TEST(r.str("data.name") == name, r);
            BOOST_TEST(r.at("data.price") == J(1200), r);
            BOOST_TEST(r.at("data.stock") == J(10), r);
        }
    }
    BOOST_TEST(db_goods(id).deleted);
    const Response read = admin.get(admin_goods_path(id));
    BOOST_TEST(is_ok(read));
    BOOST_TEST(read.at("data.deleted") == Json::Value(true), read);

    BOOST_TEST(newest_on_sale(customer).count(id) == 0,
               "deleted goods " << id << " are on /stocks");
    BOOST_TEST(
        is_error(add_to_cart(customer, std::nullopt, 32, id, 1200, 1), 404, "ERR_NOT_FOUND"));
    BOOST_TEST(is_error(add_to_cart(customer, cart, 31, id, 1200, 1), 404, "ERR_NOT_FOUND"));
    BOOST_TEST(is_error(pay(customer, cart, 2400), 409, "ERR_OUT_OF_STOCK"));
    BOOST_TEST(stock_of(id) == 10, "a refused pay took stock");
    BOOST_TEST(cart_status(cart) == "OPEN", "a refused pay closed cart " << cart);

    // Back on sale, the same cart pays.
    BOOST_REQUIRE(is_ok(admin.send("PATCH", admin_goods_path(id), "{\"deleted\":false}")));
    BOOST_TEST(is_ok(pay(customer, cart, 2400)));
    BOOST_TEST(stock_of(id) == 8);
}

BOOST_AUTO_TEST_SUITE_END()

// ===========================================================================
BOOST_AUTO_TEST_SUITE(stock)

std::string stock_body(const std::string& action_json, const std::string& total_json) {
    std::string b = "{";
    if (!action_json.empty()) b += "\"action\":" + action_json;
    if (!total_json.empty()) b += std::string(b.size() > 1 ? "," : "") + "\"total\":" + total_json;
    return b + "}";
}

BOOST_AUTO_TEST_CASE(incr_and_decr_change_the_stock_and_answer_the_goods) {
    AdminClient admin = owner();
    const long long id = admin_create_goods(admin, stack().unique_name("stock"), 800, 10);
    const std::string path = admin_goods_path(id) + "/stock";
    const std::vector<std::tuple<std::string, long long, long long>> steps = {
        {"INCR", 5, 15}, {"DECR", 3, 12}, {"DECR", 12, 0}, {"INCR", 1, 1}};
    for (const auto& [action, total, expected] : steps) {
        const Response r = admin.post(path, stock_body(json_string(action), std::to_string(total)));
        BOOST_TEST_CONTEXT(action << " " << total) {
            if (r.status != 200) {
                BOOST_TEST(is_ok(r));
                continue;
            }
            BOOST_TEST(is_admin_goods(r));
            BOOST_TEST(r.at("data.stock") == J(expected), r);
            BOOST_TEST(r.at("data.price") == J(800), r);
            BOOST_TEST(stock_of(id) == expected);
        }
    }
}

BOOST_AUTO_TEST_CASE(decr_below_zero_is_409_out_of_stock_and_changes_nothing) {
    AdminClient admin = owner();
    const long long id = admin_create_goods(admin, stack().unique_name("decr"), 800, 4);
    const long long newest = newest_audit_id(admin);
    BOOST_TEST(is_error(admin.post(admin_goods_path(id) + "/stock", stock_body("\"DECR\"", "5")),
                        409, "ERR_OUT_OF_STOCK", "total"));
    BOOST_TEST(stock_of(id) == 4);
    BOOST_TEST(newest_audit_id(admin) == newest, "a refused DECR was written to the audit log");
}

BOOST_AUTO_TEST_CASE(a_bad_action_or_total_is_400_naming_it) {
    AdminClient admin = owner();
    const long long id = admin_create_goods(admin, stack().unique_name("bad stock"), 800, 10);
    const std::string path = admin_goods_path(id) + "/stock";
    for (const std::string action :
         {"\"incr\"", "\"Decr\"", "\"ADD\"", "\"\"", "1", "null", "true", ""})
        BOOST_TEST(
            is_error(admin.post(path, stock_body(action, "1")), 400, "ERR_BAD_REQUEST", "action"));
    for (const std::string total :
         {"0", "-1", "1.5", "1.0", "\"3\"", "true", "null", "", "9007199254740992", "[1]"})
        for (const std::string action : {"\"INCR\"", "\"DECR\""})
            BOOST_TEST(is_error(admin.post(path, stock_body(action, total)), 400, "ERR_BAD_REQUEST",
                                "total"));
    for (const std::string bad :
         {"", "{", "[]", "{\"action\":\"INCR\",\"action\":\"DECR\",\"total\":1}"})
        BOOST_TEST(is_error(admin.post(path, bad), 400, "ERR_BAD_REQUEST"));
    BOOST_TEST(stock_of(id) == 10, "a refused stock change changed the stock");
}

BOOST_AUTO_TEST_CASE(incr_past_2_pow_53_minus_1_is_400_total_and_changes_nothing) {
    AdminClient admin = owner();
    const long long id =
        admin_create_goods(admin, stack().unique_name("huge stock"), 800, kMaxJsonInteger - 1);
    const std::string path = admin_goods_path(id) + "/stock";
    BOOST_TEST(
        is_error(admin.post(path, stock_body("\"INCR\"", "2")), 400, "ERR_BAD_REQUEST", "total"));
    BOOST_TEST(stock_of(id) == kMaxJsonInteger - 1);
    BOOST_TEST(is_error(admin.post(path, stock_body("\"INCR\"", std::to_string(kMaxJsonInteger))),
                        400, "ERR_BAD_REQUEST", "total"));
    const Response r = admin.post(path, stock_body("\"INCR\"", "1"));
    BOOST_TEST(is_ok(r));
    BOOST_TEST(r.at("data.stock") == J(kMaxJsonInteger), r);
    BOOST_TEST(
        is_error(admin.post(path, stock_body("\"INCR\"", "1")), 400, "ERR_BAD_REQUEST", "total"));
    BOOST_TEST(stock_of(id) == kMaxJsonInteger);
    // DECR of all of it is fine.
    const Response all = admin.post(path, stock_body("\"DECR\"", std::to_string(kMaxJsonInteger)));
    BOOST_TEST(is_ok(all));
    BOOST_TEST(all.at("data.stock") == J(0), all);
}

BOOST_AUTO_TEST_SUITE_END()

// ===========================================================================
BOOST_AUTO_TEST_SUITE(price_change)

// The customer is never charged a price they did not see: a line keeps the
// price agreed when it was added.
BOOST_AUTO_TEST_CASE(pay_charges_the_price_the_line_was_added_at) {
    AdminClient admin = owner();
    HttpClient customer(stack().base_url());
    const std::string name = stack().unique_name("price kept");
    const long long id = admin_create_goods(admin, name, 1000, 10);
    const long long cart = open_cart(customer, 41, id, 1000, 2);

    const Response patched = admin.send("PATCH", admin_goods_path(id), "{\"price\":1500}");
    BOOST_REQUIRE(is_ok(patched));
    BOOST_TEST(patched.at("data.price") == J(1500), patched);

    const Response paid = pay(customer, cart, 2000);
    BOOST_REQUIRE(is_ok(paid));
    BOOST_TEST(paid.at("data.total_amount") == J(2000), paid);
    BOOST_TEST(paid.at("data.return_amount") == J(0), paid);
    BOOST_TEST(stock_of(id) == 8);

    const Response view = customer.get(transaction_path(paid.str("data.transaction_id")));
    BOOST_REQUIRE(is_transaction_view(view));
    BOOST_TEST(view.at("data.items").size() == 1u, view);
    BOOST_TEST(view.at("data.items.0.goods_id") == J(id), view);
    BOOST_TEST(view.at("data.items.0.price") == J(1000), view);
    BOOST_TEST(view.at("data.items.0.total") == J(2), view);
    BOOST_TEST(view.at("data.total_amount") == J(2000), view);
}

BOOST_AUTO_TEST_CASE(adding_again_at_the_new_price_opens_a_second_line) {
    AdminClient admin = owner();
    HttpClient customer(stack().base_url());
    const std::string name = stack().unique_name("two prices");
    const long long id = admin_create_goods(admin, name, 1000, 10);
    const long long cart = open_cart(customer, 42, id, 1000, 2);
    BOOST_REQUIRE(is_ok(admin.send("PATCH", admin_goods_path(id), "{\"price\":1500}")));

    const Response old_price = add_to_cart(customer, cart, 42, id, 1000, 1);
    BOOST_TEST(is_error(old_price, 409, "ERR_PRICE_MISMATCH"));
    Response added = add_to_cart(customer, cart, 42, id, 1500, 1);
    BOOST_REQUIRE(is_ok(added));
    BOOST_TEST(added.at("data.total_goods") == J(3), added);
    BOOST_TEST(added.at("data.total_amount") == J(3500), added);
    added = add_to_cart(customer, cart, 42, id, 1500, 1);
    BOOST_REQUIRE(is_ok(added));
    BOOST_TEST(added.at("data.total_goods") == J(4), added);
    BOOST_TEST(added.at("data.total_amount") == J(5000), added);
    BOOST_TEST(stack().sql_int("SELECT COUNT(*) FROM cart_items WHERE cart_id = " +
                               std::to_string(cart)) == 2);

    const Response paid = pay(customer, cart, 5000);
    BOOST_REQUIRE(is_ok(paid));
    BOOST_TEST(paid.at("data.total_amount") == J(5000), paid);
    BOOST_TEST(stock_of(id) == 6);
    const Response view = customer.get(transaction_path(paid.str("data.transaction_id")));
    BOOST_REQUIRE(is_transaction_view(view));
    std::multiset<std::pair<long long, long long>> lines;  // (price, total)
    for (const auto& item : view.at("data.items")) {
        BOOST_TEST(item["goods_id"] == J(id), view);
        BOOST_TEST(item["name"].asString() == name, view);
        lines.insert({item["price"].asInt64(), item["total"].asInt64()});
    }
    const std::multiset<std::pair<long long, long long>> expected = {{1000, 2}, {1500, 2}};
    BOOST_TEST((lines == expected), "the view's lines are not 2 x 1000 and 2 x 1500" << view);
}

BOOST_AUTO_TEST_SUITE_END()

// ===========================================================================
BOOST_AUTO_TEST_SUITE(transactions)

BOOST_AUTO_TEST_CASE(the_transaction_view_needs_no_token_and_shows_each_line) {
    AdminClient admin = owner();
    HttpClient customer(stack().base_url());
    const std::string name_a = stack().unique_name("view a");
    const std::string name_b = stack().unique_name("view b");
    const long long a = admin_create_goods(admin, name_a, 1500, 10);
    const long long b = admin_create_goods(admin, name_b, 2500, 10);
    const Purchase p = buy(customer, 51, {{a, 1500, 2}, {b, 2500, 1}}, 500);

    const Response r = customer.get(transaction_path(p.transaction_id));
    BOOST_REQUIRE(is_ok(r));
    BOOST_REQUIRE(is_transaction_view(r));
    BOOST_TEST_CONTEXT(r) {
        BOOST_TEST(r.str("data.transaction_id") == p.transaction_id);
        BOOST_TEST(r.at("data.cart_id") == J(p.cart_id));
        BOOST_TEST(r.at("data.user_id") == J(51));
        BOOST_TEST(r.str("data.status") == "PAID");
        BOOST_TEST(r.at("data.total_amount") == J(5500));
        BOOST_TEST(r.at("data.payment_amount") == J(6000));
        BOOST_TEST(r.at("data.return_amount") == J(500));
        BOOST_TEST(r.at("data.verified_at").isNull());
        BOOST_TEST(r.at("data.note").isNull());
        BOOST_TEST(std::abs(seconds_from_now(r.str("data.paid_at"))) < 120,
                   "paid_at is not now in UTC");
        BOOST_TEST(r.at("data.items").size() == 2u);
    }
    std::map<long long, Json::Value> items;
    for (const auto& item : r.at("data.items")) items[item["goods_id"].asInt64()] = item;
    BOOST_TEST(items[a]["name"].asString() == name_a, r);
    BOOST_TEST(items[a]["price"] == J(1500), r);
    BOOST_TEST(items[a]["total"] == J(2), r);
    BOOST_TEST(items[b]["name"].asString() == name_b, r);
    BOOST_TEST(items[b]["price"] == J(2500), r);
    BOOST_TEST(items[b]["total"] == J(1), r);

    // Any letter case of the UUID finds it (docs/openapi.yaml).
    std::string upper = p.transaction_id;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    const Response by_upper = customer.get(transaction_path(upper));
    BOOST_TEST(is_ok(by_upper));
    BOOST_TEST(by_upper.str("data.transaction_id") == p.transaction_id, by_upper);
}

BOOST_AUTO_TEST_CASE(a_transaction_id_that_is_not_a_uuid_or_is_unknown_is_404) {
    HttpClient customer(stack().base_url());
    AdminClient admin = owner();
    const long long goods = stack().create_goods(stack().unique_name("404 view"), 5, 100);
    const Purchase p = buy(customer, 52, {{goods, 100, 1}});
    std::string no_dashes = p.transaction_id;
    no_dashes.erase(std::remove(no_dashes.begin(), no_dashes.end(), '-'), no_dashes.end());
    for (const std::string& id : {std::string("abc"), std::string("1"), std::to_string(p.cart_id),
                                  no_dashes, p.transaction_id + "0", p.transaction_id.substr(1),
                                  std::string("0b9d8c2e-55a7-4f0e-9a43-2d7c1e6f8a90"),
                                  std::string("00000000-0000-0000-0000-000000000000"),
                                  std::string("zb9d8c2e-55a7-4f0e-9a43-2d7c1e6f8a90")}) {
        BOOST_TEST(is_error(customer.get(transaction_path(id)), 404, "ERR_NOT_FOUND"));
        BOOST_TEST(
            is_error(admin.post(verify_path(id), verify_body("approve")), 404, "ERR_NOT_FOUND"));
    }
    BOOST_TEST(transaction_status(p.transaction_id) == "PAID");
}

// Walks every page of the admin transaction list with this status query.
std::vector<Json::Value> walk_transactions(AdminClient& admin, const std::string& status_query,
                                           long long page_size, long long expected_total) {
    const long long pages = (expected_total + page_size - 1) / page_size;
    std::vector<Json::Value> all;
    for (long long page = 1; page <= pages + 1; ++page) {
        const Response r = admin.get(std::string(kAdminTransactions) + "?" + status_query +
                                     "&total_goods=" + std::to_string(page_size) +
                                     "&page=" + std::to_string(page));
        BOOST_REQUIRE(is_ok(r));
        BOOST_REQUIRE_MESSAGE(r.at("data").isArray(), "data is not an array" << r);
        BOOST_TEST_CONTEXT(r) {
            BOOST_TEST(r.at("meta.page") == J(page));
            BOOST_TEST(r.at("meta.total_goods") == J(page_size));
            BOOST_TEST(r.at("meta.total_items") == J(expected_total));
            BOOST_TEST(r.at("meta.total_pages") == J(pages));
        }
        for (Json::ArrayIndex i = 0; i < r.at("data").size(); ++i) {
            BOOST_TEST(is_transaction_view(r, "data." + std::to_string(i)));
            all.push_back(r.at("data")[i]);
        }
    }
    return all;
}

BOOST_AUTO_TEST_CASE(the_admin_list_is_newest_first_filtered_by_status_and_paged) {
    AdminClient admin = owner();
    HttpClient customer(stack().base_url());
    const long long goods = stack().create_goods(stack().unique_name("listed tx"), 50, 700);
    std::vector<Purchase> bought;
    for (int i = 0; i < 3; ++i) bought.push_back(buy(customer, 60 + i, {{goods, 700, 1}}));
    BOOST_REQUIRE(is_ok(admin.post(verify_path(bought[1].transaction_id), verify_body("approve"))));
    BOOST_REQUIRE(is_ok(admin.post(verify_path(bought[2].transaction_id), verify_body("reject"))));

    // Newest first, all statuses.
    const Response newest = admin.get(std::string(kAdminTransactions) + "?total_goods=3");
    BOOST_REQUIRE(is_ok(newest));
    BOOST_TEST_CONTEXT(newest) {
        BOOST_TEST(newest.str("data.0.transaction_id") == bought[2].transaction_id);
        BOOST_TEST(newest.str("data.1.transaction_id") == bought[1].transaction_id);
        BOOST_TEST(newest.str("data.2.transaction_id") == bought[0].transaction_id);
        BOOST_TEST(newest.str("data.0.status") == "REJECTED");
        BOOST_TEST(newest.str("data.1.status") == "VERIFIED");
        BOOST_TEST(newest.str("data.2.status") == "PAID");
    }
    // Each status filter, in any letter case, puts its newest first.
    const std::vector<std::tuple<std::string, std::string, std::string>> filters = {
        {"PAID", "paid", bought[0].transaction_id},
        {"VERIFIED", "Verified", bought[1].transaction_id},
        {"REJECTED", "REJECTED", bought[2].transaction_id},
    };
    for (const auto& [status, spelled, first] : filters) {
        BOOST_TEST_CONTEXT("status=" << spelled) {
            const long long expected = stack().sql_int(
                "SELECT COUNT(*) FROM transactions WHERE status = '" + status + "'");
            const auto listed = walk_transactions(admin, "status=" + spelled, 4, expected);
            BOOST_TEST(static_cast<long long>(listed.size()) == expected);
            if (!listed.empty()) BOOST_TEST(listed.front()["transaction_id"].asString() == first);
            std::set<std::string> seen;
            std::string previous_paid_at = "9999";
            for (const auto& v : listed) {
                BOOST_TEST(v["status"].asString() == status);
                BOOST_TEST(seen.insert(v["transaction_id"].asString()).second,
                           "transaction " << v["transaction_id"] << " listed twice");
                // (A bool: BOOST_TEST compares strings as collections.)
                const bool not_newer = v["paid_at"].asString() <= previous_paid_at;
                BOOST_TEST(not_newer, "not newest first at " << v["transaction_id"] << ": paid_at "
                                                             << v["paid_at"] << " after "
                                                             << previous_paid_at);
                previous_paid_at = v["paid_at"].asString();
            }
        }
    }
    // No status: all of them.
    const long long all = stack().sql_int("SELECT COUNT(*) FROM transactions");
    const auto listed = walk_transactions(admin, "", 7, all);
    BOOST_TEST(static_cast<long long>(listed.size()) == all);
}

BOOST_AUTO_TEST_CASE(the_admin_list_rejects_a_bad_status_or_paging_by_name) {
    AdminClient admin = owner();
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"status=DONE", "status"},
        {"status=PAIDX", "status"},
        {"status=PAID&status=PAID", "status"},
        {"page=0", "page"},
        {"page=x", "page"},
        {"total_goods=0", "total_goods"},
        {"total_goods=101", "total_goods"},
    };
    for (const auto& [query, field] : cases)
        BOOST_TEST(is_error(admin.get(std::string(kAdminTransactions) + "?" + query), 400,
                            "ERR_BAD_REQUEST", field));
}

BOOST_AUTO_TEST_SUITE_END()

// ===========================================================================
BOOST_AUTO_TEST_SUITE(verify)

BOOST_AUTO_TEST_CASE(approve_answers_the_verified_view_with_its_note_and_changes_no_stock) {
    AdminClient admin = owner();
    HttpClient customer(stack().base_url());
    const long long goods = stack().create_goods(stack().unique_name("approve"), 20, 1000);
    const Purchase p = buy(customer, 71, {{goods, 1000, 3}});
    BOOST_REQUIRE(stock_of(goods) == 17);

    const Response r = admin.post(verify_path(p.transaction_id),
                                  verify_body("approve", json_string("uang diterima")));
    BOOST_REQUIRE(is_ok(r));
    BOOST_REQUIRE(is_transaction_view(r));
    BOOST_TEST_CONTEXT(r) {
        BOOST_TEST(r.str("data.transaction_id") == p.transaction_id);
        BOOST_TEST(r.str("data.status") == "VERIFIED");
        BOOST_TEST(r.str("data.note") == "uang diterima");
        BOOST_TEST(is_rfc3339_utc(r.str("data.verified_at")));
        BOOST_TEST(std::abs(seconds_from_now(r.str("data.verified_at"))) < 120,
                   "verified_at is not now in UTC");
        const bool verified_after_paid = r.str("data.verified_at") >= r.str("data.paid_at");
        BOOST_TEST(verified_after_paid, "verified_at is before paid_at");
    }
    BOOST_TEST(stock_of(goods) == 17, "approve changed the stock");
    const Response view = customer.get(transaction_path(p.transaction_id));
    BOOST_TEST(is_ok(view));
    BOOST_TEST(view.at("data") == r.at("data"),
               "the view after approve differs from its answer" << view << r);
    BOOST_TEST(transaction_status(p.transaction_id) == "VERIFIED");
}

BOOST_AUTO_TEST_CASE(deciding_twice_is_409_already_decided_and_the_first_decision_stays) {
    AdminClient admin = owner();
    HttpClient customer(stack().base_url());
    const long long goods = stack().create_goods(stack().unique_name("twice"), 20, 1000);

    const Purchase approved = buy(customer, 72, {{goods, 1000, 2}});
    BOOST_REQUIRE(is_ok(admin.post(verify_path(approved.transaction_id), verify_body("approve"))));
    const long long stock_after_approve = stock_of(goods);
    for (const std::string decision : {"approve", "reject"})
        BOOST_TEST(is_error(admin.post(verify_path(approved.transaction_id), verify_body(decision)),
                            409, "ERR_ALREADY_DECIDED"));
    BOOST_TEST(transaction_status(approved.transaction_id) == "VERIFIED");
    BOOST_TEST(stock_of(goods) == stock_after_approve, "a refused reject put stock back");

    const Purchase rejected = buy(customer, 73, {{goods, 1000, 3}});
    const long long stock_before_reject = stock_of(goods);
    BOOST_REQUIRE(is_ok(admin.post(verify_path(rejected.transaction_id), verify_body("reject"))));
    BOOST_TEST(stock_of(goods) == stock_before_reject + 3);
    for (const std::string decision : {"reject", "approve"})
        BOOST_TEST(is_error(admin.post(verify_path(rejected.transaction_id), verify_body(decision)),
                            409, "ERR_ALREADY_DECIDED"));
    BOOST_TEST(transaction_status(rejected.transaction_id) == "REJECTED");
    BOOST_TEST(stock_of(goods) == stock_before_reject + 3, "a second reject put stock back again");
    const Response view = customer.get(transaction_path(rejected.transaction_id));
    BOOST_TEST(view.str("data.status") == "REJECTED", view);
}

BOOST_AUTO_TEST_CASE(note_is_optional_up_to_1000_characters_and_decision_is_checked) {
    AdminClient admin = owner();
    HttpClient customer(stack().base_url());
    const long long goods = stack().create_goods(stack().unique_name("note"), 50, 100);

    const Purchase p = buy(customer, 74, {{goods, 100, 1}});
    const std::string path = verify_path(p.transaction_id);
    const std::vector<std::pair<std::string, std::string>> refused = {
        {"{}", "decision"},
        {"{\"note\":\"x\"}", "decision"},
        {verify_body("maybe"), "decision"},
        {verify_body("APPROVE"), "decision"},
        {verify_body("approved"), "decision"},
        {verify_body(""), "decision"},
        {"{\"decision\":1}", "decision"},
        {"{\"decision\":null}", "decision"},
        {"{\"decision\":true}", "decision"},
        {verify_body("approve", json_string(repeat("a", 1001))), "note"},
        {verify_body("approve", json_string(repeat("\xc3\xa9", 1001))), "note"},
        {verify_body("approve", "5"), "note"},
        {verify_body("approve", "true"), "note"},
        {verify_body("approve", "{}"), "note"},
        {verify_body("approve", "[\"x\"]"), "note"},
    };
    for (const auto& [body, field] : refused)
        BOOST_TEST(is_error(admin.post(path, body), 400, "ERR_BAD_REQUEST", field));
    for (const std::string bad :
         {"", "{", "[]", "{\"decision\":\"approve\",\"decision\":\"reject\"}"})
        BOOST_TEST(is_error(admin.post(path, bad), 400, "ERR_BAD_REQUEST"));
    BOOST_TEST(transaction_status(p.transaction_id) == "PAID", "a refused verify decided it");

    // 1000 characters (2000 bytes) are fine and come back exactly.
    const std::string long_note = repeat("\xc3\xa9", 1000);
    Response r = admin.post(path, verify_body("reject", json_string(long_note)));
    BOOST_TEST(is_ok(r));
    BOOST_TEST(r.str("data.note") == long_note, r);

    const Purchase with_null = buy(customer, 75, {{goods, 100, 1}});
    r = admin.post(verify_path(with_null.transaction_id), verify_body("approve", "null"));
    BOOST_TEST(is_ok(r));
    BOOST_TEST(r.at("data.note").isNull(), r);

    const Purchase without = buy(customer, 76, {{goods, 100, 1}});
    r = admin.post(verify_path(without.transaction_id), verify_body("approve"));
    BOOST_TEST(is_ok(r));
    BOOST_TEST(r.at("data.note").isNull(), r);
    BOOST_TEST(r.str("data.status") == "VERIFIED", r);
}

// Reject puts back exactly what the payment took: two lines of the same
// goods at different prices and a second goods, while another customer's
// purchase of the same goods stays taken.
BOOST_AUTO_TEST_CASE(reject_puts_back_exactly_the_stock_the_transaction_took) {
    AdminClient admin = owner();
    HttpClient customer(stack().base_url());
    const long long a = admin_create_goods(admin, stack().unique_name("restock a"), 1000, 20);
    const long long b = admin_create_goods(admin, stack().unique_name("restock b"), 700, 9);
    BOOST_REQUIRE(stock_of(a) == 20);
    BOOST_REQUIRE(stock_of(b) == 9);

    const long long cart = open_cart(customer, 81, a, 1000, 3);
    BOOST_REQUIRE(is_ok(admin.send("PATCH", admin_goods_path(a), "{\"price\":1200}")));
    BOOST_REQUIRE(is_ok(add_to_cart(customer, cart, 81, a, 1200, 2)));
    BOOST_REQUIRE(is_ok(add_to_cart(customer, cart, 81, b, 700, 4)));
    const Response paid = pay(customer, cart, 3 * 1000 + 2 * 1200 + 4 * 700);
    BOOST_REQUIRE(is_ok(paid));
    const std::string rejected = paid.str("data.transaction_id");
    BOOST_TEST(stock_of(a) == 15);
    BOOST_TEST(stock_of(b) == 5);

    const Purchase other = buy(customer, 82, {{a, 1200, 2}});
    BOOST_TEST(stock_of(a) == 13);

    const Response r = admin.post(verify_path(rejected), verify_body("reject", "\"bukti palsu\""));
    BOOST_REQUIRE(is_ok(r));
    BOOST_REQUIRE(is_transaction_view(r));
    BOOST_TEST(r.str("data.status") == "REJECTED", r);
    BOOST_TEST(r.at("data.items").size() == 3u, r);
    BOOST_TEST(stock_of(a) == 18, "reject did not put back exactly 5 of goods " << a);
    BOOST_TEST(stock_of(b) == 9, "reject did not put back exactly 4 of goods " << b);

    BOOST_REQUIRE(is_ok(admin.post(verify_path(other.transaction_id), verify_body("approve"))));
    BOOST_TEST(stock_of(a) == 18, "approve changed the stock");
}

// Two admins decide the same transaction at the same moment, one approving
// and one rejecting: exactly one wins, the other is 409, and the outcome is
// the winner's (stock back only if reject won), with one event and one
// audit entry.
BOOST_AUTO_TEST_CASE(concurrent_approve_and_reject_exactly_one_wins) {
    const long long goods = stack().create_goods(stack().unique_name("race"), 100, 500);
    HttpClient customer(stack().base_url());
    int approvals_won = 0, rejections_won = 0;
    for (int round = 1; round <= 10; ++round) {
        BOOST_TEST_CONTEXT("round " << round) {
            const Purchase p = buy(customer, 90 + round, {{goods, 500, 2}});
            const long long stock_before = stock_of(goods);

            std::promise<void> go;
            std::shared_future<void> start = go.get_future().share();
            const auto decide = [&](const std::string& decision) {
                AdminClient admin = owner();
                // A first request warms the connection, so both decisions
                // leave at once.
                admin.get(std::string(kAdminGoods) + "?total_goods=1");
                start.wait();
                return admin.post(verify_path(p.transaction_id), verify_body(decision));
            };
            auto approving = std::async(std::launch::async, decide, "approve");
            auto rejecting = std::async(std::launch::async, decide, "reject");
            std::this_thread::sleep_for(std::chrono::milliseconds(150));
            go.set_value();
            const Response approve = approving.get();
            const Response reject = rejecting.get();

            const bool approve_won = approve.status == 200;
            const bool reject_won = reject.status == 200;
            BOOST_TEST(approve_won != reject_won, "not exactly one 200:" << approve << reject);
            if (approve_won == reject_won) continue;
            const Response& winner = approve_won ? approve : reject;
            const Response& loser = approve_won ? reject : approve;
            BOOST_TEST(is_ok(winner));
            BOOST_TEST(is_error(loser, 409, "ERR_ALREADY_DECIDED"));
            const std::string status = approve_won ? "VERIFIED" : "REJECTED";
            BOOST_TEST(winner.str("data.status") == status, winner);
            BOOST_TEST(transaction_status(p.transaction_id) == status);
            const Response view = customer.get(transaction_path(p.transaction_id));
            BOOST_TEST(view.str("data.status") == status, view);
            BOOST_TEST(stock_of(goods) == stock_before + (reject_won ? 2 : 0),
                       "stock after " << status);
            BOOST_TEST(stack().sql_int("SELECT COUNT(*) FROM transaction_events WHERE "
                                       "transaction_id = " +
                                       sql_quote(p.transaction_id) + " AND status <> 'PAID'") == 1,
                       "not exactly one decision event in the outbox");
            BOOST_TEST(stack().sql_int("SELECT COUNT(*) FROM audit_log WHERE action = "
                                       "'transaction.verify' AND target = " +
                                       sql_quote("transaction/" + p.transaction_id)) == 1,
                       "not exactly one audit entry for the decision");
            (approve_won ? approvals_won : rejections_won)++;
        }
    }
    BOOST_TEST_MESSAGE("approve won " << approvals_won << " times, reject " << rejections_won);
}

BOOST_AUTO_TEST_SUITE_END()

// ===========================================================================
BOOST_AUTO_TEST_SUITE(audit)

// Each admin action leaves one entry, newest first, with the token's name
// as actor ("cli" for token commands) and the state before and after.
BOOST_AUTO_TEST_CASE(every_admin_action_is_recorded_with_who_what_before_and_after) {
    AdminClient admin = owner();
    HttpClient customer(stack().base_url());
    std::vector<long long> ids;
    Response answer;
    const auto expect = [&](const std::string& action, const std::string& actor,
                            const std::string& target) {
        const Json::Value e = newest_audit(admin, &answer);
        BOOST_TEST_CONTEXT(action << " on " << target << answer) {
            BOOST_TEST(e["action"].asString() == action);
            BOOST_TEST(e["actor"].asString() == actor);
            BOOST_TEST(e["target"].asString() == target);
            BOOST_TEST(std::abs(seconds_from_now(e["at"].asString())) < 120);
            if (!ids.empty()) BOOST_TEST(e["id"].asInt64() > ids.back());
        }
        ids.push_back(e["id"].asInt64());
        return e;
    };

    const std::string name = stack().unique_name("audited");
    const long long id = admin_create_goods(admin, name, 1000, 10);
    const std::string target = "goods/" + std::to_string(id);
    Json::Value e = expect("goods.create", kOwner, target);
    BOOST_TEST(e["before"].isNull(), answer);
    BOOST_TEST(e["after"]["name"].asString() == name, answer);
    BOOST_TEST(e["after"]["price"] == J(1000), answer);
    BOOST_TEST(e["after"]["stock"] == J(10), answer);

    // Reads and refused changes leave no entry.
    const long long before_reads = ids.back();
    admin.get(admin_goods_path(id));
    admin.get(kAdminGoods);
    admin.send("PATCH", admin_goods_path(id), "{}");
    admin.post(admin_goods_path(id) + "/stock", "{\"action\":\"DECR\",\"total\":11}");
    BOOST_TEST(newest_audit_id(admin) == before_reads, "a read or a refused change was audited");

    BOOST_REQUIRE(is_ok(admin.send("PUT", admin_goods_path(id), goods_body(name, 1100, 12))));
    e = expect("goods.replace", kOwner, target);
    BOOST_TEST(e["before"]["price"] == J(1000), answer);
    BOOST_TEST(e["after"]["price"] == J(1100), answer);
    BOOST_TEST(e["before"]["stock"] == J(10), answer);
    BOOST_TEST(e["after"]["stock"] == J(12), answer);

    BOOST_REQUIRE(is_ok(admin.send("PATCH", admin_goods_path(id), "{\"price\":1300}")));
    e = expect("goods.update", kOwner, target);
    BOOST_TEST(e["before"]["price"] == J(1100), answer);
    BOOST_TEST(e["after"]["price"] == J(1300), answer);

    BOOST_REQUIRE(
        is_ok(admin.post(admin_goods_path(id) + "/stock", "{\"action\":\"INCR\",\"total\":8}")));
    e = expect("goods.stock", kOwner, target);
    BOOST_TEST(e["before"]["stock"] == J(12), answer);
    BOOST_TEST(e["after"]["stock"] == J(20), answer);

    BOOST_REQUIRE(
        is_ok(admin.post(admin_goods_path(id) + "/stock", "{\"action\":\"DECR\",\"total\":5}")));
    e = expect("goods.stock", kOwner, target);
    BOOST_TEST(e["before"]["stock"] == J(20), answer);
    BOOST_TEST(e["after"]["stock"] == J(15), answer);

    const Purchase p = buy(customer, 99, {{id, 1300, 1}});
    BOOST_REQUIRE(
        is_ok(admin.post(verify_path(p.transaction_id), verify_body("approve", "\"ok\""))));
    e = expect("transaction.verify", kOwner, "transaction/" + p.transaction_id);
    BOOST_TEST(e["before"]["status"].asString() == "PAID", answer);
    BOOST_TEST(e["after"]["status"].asString() == "VERIFIED", answer);

    BOOST_REQUIRE(is_ok(admin.send("DELETE", admin_goods_path(id))));
    e = expect("goods.delete", kOwner, target);
    BOOST_TEST(e["before"]["deleted"] == Json::Value(false), answer);
    BOOST_TEST(e["after"]["deleted"] == Json::Value(true), answer);

    // Another token's actions carry its name.
    const std::string second = stack().create_token("it-auditor");
    static const std::regex format("^umkm_[0-9]+_([0-9a-f]{64})$");
    std::smatch parts;
    BOOST_REQUIRE(std::regex_match(second, parts, format));
    const std::string secret = parts[1];
    e = expect("token.create", "cli", "token/it-auditor");
    BOOST_TEST(e["before"].isNull(), answer);
    BOOST_TEST(answer.body.find(secret) == std::string::npos,
               "the audit log shows a secret" << answer);

    AdminClient auditor(stack().base_url(), second);
    BOOST_REQUIRE(is_ok(auditor.send("PATCH", admin_goods_path(id), "{\"deleted\":false}")));
    e = expect("goods.update", "it-auditor", target);
    BOOST_TEST(e["before"]["deleted"] == Json::Value(true), answer);
    BOOST_TEST(e["after"]["deleted"] == Json::Value(false), answer);

    const CommandResult revoked = stack().revoke_token("it-auditor");
    BOOST_REQUIRE_MESSAGE(revoked.exit_code == 0, revoked.describe());
    expect("token.revoke", "cli", "token/it-auditor");

    // The same entries, newest first, on one page.
    const Response page =
        admin.get(std::string(kAdminAudit) + "?total_goods=" + std::to_string(ids.size()));
    BOOST_REQUIRE(is_ok(page));
    BOOST_REQUIRE(page.at("data").size() == ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i)
        BOOST_TEST(page.at("data." + std::to_string(i) + ".id") == J(ids[ids.size() - 1 - i]),
                   page);
}

BOOST_AUTO_TEST_CASE(the_audit_log_pages_newest_first_and_checks_its_query) {
    AdminClient admin = owner();
    // A few entries at least.
    for (int i = 0; i < 3; ++i) admin_create_goods(admin, stack().unique_name("audit page"), 1, 1);
    const long long total = audit_count();
    const long long page_size = 5;
    const long long pages = (total + page_size - 1) / page_size;
    std::vector<long long> ids;
    for (long long page = 1; page <= pages + 1; ++page) {
        const Response r =
            admin.get(std::string(kAdminAudit) + "?total_goods=" + std::to_string(page_size) +
                      "&page=" + std::to_string(page));
        BOOST_REQUIRE(is_ok(r));
        BOOST_TEST_CONTEXT(r) {
            BOOST_TEST(r.at("meta.page") == J(page));
            BOOST_TEST(r.at("meta.total_goods") == J(page_size));
            BOOST_TEST(r.at("meta.total_items") == J(total));
            BOOST_TEST(r.at("meta.total_pages") == J(pages));
        }
        for (const auto& e : r.at("data")) {
            BOOST_TEST(is_audit_entry(e, r));
            ids.push_back(e["id"].asInt64());
        }
    }
    BOOST_TEST(static_cast<long long>(ids.size()) == total);
    BOOST_TEST(std::is_sorted(ids.rbegin(), ids.rend()), "audit ids are not newest first");
    BOOST_TEST((std::adjacent_find(ids.begin(), ids.end()) == ids.end()), "an audit entry repeats");

    for (const auto& [query, field] :
         std::vector<std::pair<std::string, std::string>>{{"page=0", "page"},
                                                          {"total_goods=0", "total_goods"},
                                                          {"total_goods=101", "total_goods"}})
        BOOST_TEST(is_error(admin.get(std::string(kAdminAudit) + "?" + query), 400,
                            "ERR_BAD_REQUEST", field));
}

BOOST_AUTO_TEST_SUITE_END()
