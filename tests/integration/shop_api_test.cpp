// The customer API of shared/API.md sections 1-3 (list goods, add to cart,
// pay) and the health check, through nginx, against a private stack with the
// demo catalog. Each test makes the goods it needs, so that the tests do not
// depend on each other's order; the database is checked after the HTTP
// answers, because a right answer over a wrong database is still a bug.
#define BOOST_TEST_MODULE shop_api
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "expectations.h"
#include "shop_requests.h"
#include "stack_fixture.h"

using namespace umkm::test;

namespace {

struct ShopApiStack : StackFixture {
    ShopApiStack() : StackFixture(config()) {}
    static StackConfig config() {
        StackConfig c;
        c.name = UMKM_TEST_STACK_NAME;
        c.http_port = UMKM_TEST_HTTP_PORT;
        return c;
    }
};

struct Goods {
    long long id = 0;
    std::string name;
    long long stock = 0;
    long long price = 0;
};

std::string goods_ids(const std::vector<Goods>& goods) {
    std::string out;
    for (const auto& g : goods) out += (out.empty() ? "" : ",") + std::to_string(g.id);
    return out;
}

// The goods of a /stocks answer; each must be exactly {id, name, stock, price}.
std::vector<Goods> listed_goods(const Response& r) {
    std::vector<Goods> goods;
    const Json::Value data = r.at("data");
    BOOST_REQUIRE_MESSAGE(data.isArray(), "data is not an array" << r);
    for (const auto& item : data) {
        BOOST_REQUIRE_MESSAGE(item.isObject() && member_names(item) == "id,name,price,stock",
                              "a listed goods is not {id, name, stock, price}" << r);
        BOOST_REQUIRE_MESSAGE(is_json_integer(item["id"]) && item["name"].isString() &&
                                  is_json_integer(item["stock"]) && is_json_integer(item["price"]),
                              "a listed goods has a field of the wrong type" << r);
        goods.push_back({item["id"].asInt64(), item["name"].asString(), item["stock"].asInt64(),
                         item["price"].asInt64()});
    }
    return goods;
}

std::vector<long long> ids_on_sale() {
    std::vector<long long> ids;
    for (const auto& row : stack().sql_rows("SELECT id FROM goods WHERE deleted = 0 ORDER BY id"))
        ids.push_back(std::stoll(row.at(0)));
    return ids;
}

long long count_on_sale() {
    return stack().sql_int("SELECT COUNT(*) FROM goods WHERE deleted = 0");
}

// Makes sure at least `n` goods are on sale, so that paging has pages.
void ensure_goods_on_sale(long long n) {
    for (long long have = count_on_sale(); have < n; ++have)
        stack().create_goods(stack().unique_name("filler"), 10 + have, 100 * (have % 7 + 1));
}

std::string folded(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool simple_name(const std::string& s) {
    return std::all_of(s.begin(), s.end(),
                       [](unsigned char c) { return std::isalnum(c) || c == ' '; });
}

// Whether `a` may come right before `b` under sort_by/sort, with ties broken
// by id in the same direction. Name order is checked only between names of
// ASCII letters, digits and spaces, where a case-insensitive collation and
// lower-casing agree.
bool in_order(const Goods& a, const Goods& b, const std::string& sort_by, bool ascending) {
    auto less = [&](const Goods& x, const Goods& y) {
        if (sort_by == "name") {
            if (simple_name(x.name) && simple_name(y.name) && folded(x.name) != folded(y.name))
                return folded(x.name) < folded(y.name);
            if (folded(x.name) != folded(y.name)) return true;  // not comparable here: accept
        } else if (sort_by == "stock" && x.stock != y.stock) {
            return x.stock < y.stock;
        } else if (sort_by == "price" && x.price != y.price) {
            return x.price < y.price;
        }
        return x.id < y.id;
    };
    return ascending ? less(a, b) : less(b, a);
}

// Walks every page of /stocks with this sort and page size, checking each
// page's meta, and returns the goods in the order served.
std::vector<Goods> list_every_page(HttpClient& http, const std::string& sort,
                                   const std::string& sort_by, long long page_size) {
    const long long total_items = count_on_sale();
    const long long total_pages = (total_items + page_size - 1) / page_size;
    std::vector<Goods> all;
    for (long long page = 1; page <= total_pages + 1; ++page) {
        const Response r =
            http.get(std::string(kStocks) + "?sort=" + sort + "&sort_by=" + sort_by +
                     "&total_goods=" + std::to_string(page_size) + "&page=" + std::to_string(page));
        BOOST_REQUIRE(is_ok(r));
        const auto goods = listed_goods(r);
        BOOST_TEST_CONTEXT(r) {
            BOOST_TEST(r.at("meta.page") == J(page));
            BOOST_TEST(r.at("meta.total_goods") == J(page_size));
            BOOST_TEST(r.at("meta.total_items") == J(total_items));
            BOOST_TEST(r.at("meta.total_pages") == J(total_pages));
            const long long expected_count =
                page < total_pages
                    ? page_size
                    : (page == total_pages ? total_items - (page - 1) * page_size : 0);
            BOOST_TEST(static_cast<long long>(goods.size()) == expected_count);
        }
        all.insert(all.end(), goods.begin(), goods.end());
    }
    return all;
}

// The ids of `wanted`, in the order they appear in `listing`.
std::vector<long long> order_of(const std::vector<Goods>& listing,
                                const std::set<long long>& wanted) {
    std::vector<long long> ids;
    for (const auto& g : listing)
        if (wanted.count(g.id)) ids.push_back(g.id);
    return ids;
}

long long goods_stock(long long goods_id) {
    return stack().sql_int("SELECT stock FROM goods WHERE id = " + std::to_string(goods_id));
}

std::string cart_status(long long cart_id) {
    const auto rows =
        stack().sql_rows("SELECT status FROM carts WHERE id = " + std::to_string(cart_id));
    return rows.empty() ? "(no cart)" : rows[0].at(0);
}

long long transactions_of_cart(long long cart_id) {
    return stack().sql_int("SELECT COUNT(*) FROM transactions WHERE cart_id = " +
                           std::to_string(cart_id));
}

// "price:quantity" of each line of a cart and goods, by price.
std::string cart_lines(long long cart_id, long long goods_id) {
    std::string out;
    for (const auto& row : stack().sql_rows(
             "SELECT price, quantity FROM cart_items WHERE cart_id = " + std::to_string(cart_id) +
             " AND goods_id = " + std::to_string(goods_id) + " ORDER BY price"))
        out += (out.empty() ? "" : " ") + row.at(0) + ":" + row.at(1);
    return out;
}

long long next_user = 5000;
long long new_user() {
    return ++next_user;
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(ShopApiStack);

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(paper)

// Section 4.1 of the paper, tables 2 and 3, with the demo catalog's Kopi
// (3000) instead of the paper's 2000, and the paper's Content-Type.
BOOST_AUTO_TEST_CASE(paper_example_add_to_cart_then_pay) {
    HttpClient http(stack().base_url());
    const long long kopi_before = goods_stock(1);

    Request add;
    add.method = "POST";
    add.target = kCart;
    add.headers = {"Content-Type: application/json"};
    add.body = R"({ "user_id": 100, "goods_id": 1, "goods_price": 3000, "total": 3 })";
    add.has_body = true;
    const Response cart = http.perform(add);
    BOOST_REQUIRE(is_ok(cart));
    BOOST_TEST_CONTEXT(cart) {
        BOOST_TEST(member_names(cart.at("data")) == "cart_id,total_amount,total_goods");
        BOOST_TEST(is_json_integer(cart.at("data.cart_id")));
        BOOST_TEST(cart.at("data.total_goods") == J(3));
        BOOST_TEST(cart.at("data.total_amount") == J(9000));
    }
    const long long cart_id = cart.at("data.cart_id").asInt64();

    Request pay_request;
    pay_request.method = "POST";
    pay_request.target = kPay;
    pay_request.headers = {"Content-Type: application/json"};
    pay_request.body =
        R"({ "cart_id": )" + std::to_string(cart_id) + R"(, "payment_amount": 9000 })";
    pay_request.has_body = true;
    const Response paid = http.perform(pay_request);
    BOOST_REQUIRE(is_ok(paid));
    BOOST_TEST_CONTEXT(paid) {
        BOOST_TEST(member_names(paid.at("data")) ==
                   "payment_amount,return_amount,total_amount,transaction_id");
        BOOST_TEST(is_uuid_v4(paid.str("data.transaction_id")));
        BOOST_TEST(paid.at("data.total_amount") == J(9000));
        BOOST_TEST(paid.at("data.payment_amount") == J(9000));
        BOOST_TEST(paid.at("data.return_amount") == J(0));
    }
    BOOST_TEST(goods_stock(1) == kopi_before - 3);
    BOOST_TEST(cart_status(cart_id) == "PAID");
}

// The paper's own request line: GET /api/small/stocks?sort_by=id.
BOOST_AUTO_TEST_CASE(paper_example_list_goods) {
    HttpClient http(stack().base_url());
    const Response r = http.get(std::string(kStocks) + "?sort_by=id");
    BOOST_REQUIRE(is_ok(r));
    const auto goods = listed_goods(r);
    BOOST_TEST(!goods.empty());
    for (size_t i = 1; i < goods.size(); ++i)
        BOOST_TEST(goods[i - 1].id > goods[i].id, "DESC by default" << r);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(stocks_endpoint)

// The demo catalog as seeded; a demo goods' stock is its seed less what was
// sold of it (other tests may buy Kopi).
BOOST_AUTO_TEST_CASE(stocks_lists_the_demo_catalog) {
    struct Demo {
        long long id;
        const char* name;
        long long stock;
        long long price;
    };
    const std::vector<Demo> demo = {{1, "Kopi", 100, 3000},       {2, "Pisang Goreng", 45, 1500},
                                    {3, "Bakwan", 50, 1500},      {4, "Teh manis", 100, 2000},
                                    {5, "Teh tawar", 100, 1000},  {6, "Pisang Keju", 25, 2500},
                                    {7, "Lumpia Udang", 30, 2500}};
    HttpClient http(stack().base_url());
    const Response r = http.get(std::string(kStocks) + "?sort=ASC&sort_by=id&total_goods=7");
    BOOST_REQUIRE(is_ok(r));
    const auto goods = listed_goods(r);
    BOOST_REQUIRE_MESSAGE(goods.size() == demo.size(), "expected the 7 demo goods first" << r);
    for (size_t i = 0; i < demo.size(); ++i) {
        const long long sold = stack().sql_int(
            "SELECT COALESCE(SUM(ci.quantity), 0) FROM cart_items ci JOIN carts c ON c.id = "
            "ci.cart_id "
            "WHERE c.status = 'PAID' AND ci.goods_id = " +
            std::to_string(demo[i].id));
        BOOST_TEST_CONTEXT("demo goods " << demo[i].id << r) {
            BOOST_TEST(goods[i].id == demo[i].id);
            BOOST_TEST(goods[i].name == demo[i].name);
            BOOST_TEST(goods[i].price == demo[i].price);
            BOOST_TEST(goods[i].stock == demo[i].stock - sold);
        }
    }
}

BOOST_AUTO_TEST_CASE(stocks_defaults_to_page_1_of_20_by_id_descending) {
    ensure_goods_on_sale(25);
    HttpClient http(stack().base_url());
    const Response r = http.get(kStocks);
    BOOST_REQUIRE(is_ok(r));
    const long long total_items = count_on_sale();
    auto expected = ids_on_sale();
    std::reverse(expected.begin(), expected.end());
    expected.resize(20);
    std::vector<long long> got;
    for (const auto& g : listed_goods(r)) got.push_back(g.id);
    BOOST_TEST_CONTEXT(r) {
        BOOST_TEST(got == expected, boost::test_tools::per_element());
        BOOST_TEST(r.at("meta.page") == J(1));
        BOOST_TEST(r.at("meta.total_goods") == J(20));
        BOOST_TEST(r.at("meta.total_items") == J(total_items));
        BOOST_TEST(r.at("meta.total_pages") == J((total_items + 19) / 20));
        BOOST_TEST(member_names(r.at("meta")) == "page,total_goods,total_items,total_pages");
    }
}

// Every sort key both ways, in pages of 3: the pages together are every goods
// on sale once, in order, with ties broken by id in the sort's direction.
BOOST_AUTO_TEST_CASE(stocks_pages_neither_overlap_nor_skip_for_every_sort) {
    ensure_goods_on_sale(25);
    // Ties in every key, and names differing only in letter case.
    const std::string twin = stack().unique_name("Twin");
    stack().create_goods(twin, 7, 4321);
    stack().create_goods(folded(twin), 7, 4321);
    stack().create_goods(twin, 7, 4321);

    HttpClient http(stack().base_url());
    const auto expected_ids = ids_on_sale();
    for (const std::string sort_by : {"id", "name", "stock", "price"}) {
        for (const std::string sort : {"ASC", "DESC"}) {
            BOOST_TEST_CONTEXT("sort_by=" << sort_by << " sort=" << sort) {
                const auto listing = list_every_page(http, sort, sort_by, 3);
                std::vector<long long> ids;
                for (const auto& g : listing) ids.push_back(g.id);
                std::sort(ids.begin(), ids.end());
                BOOST_TEST(ids == expected_ids, boost::test_tools::per_element());
                for (size_t i = 1; i < listing.size(); ++i) {
                    BOOST_TEST(in_order(listing[i - 1], listing[i], sort_by, sort == "ASC"),
                               "goods " << listing[i - 1].id << " (" << listing[i - 1].name
                                        << ", stock " << listing[i - 1].stock << ", price "
                                        << listing[i - 1].price << ") is served before goods "
                                        << listing[i].id << " (" << listing[i].name << ", stock "
                                        << listing[i].stock << ", price " << listing[i].price
                                        << "); order: " << goods_ids(listing));
                }
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(stocks_sorts_names_ignoring_letter_case) {
    const long long apple = stack().create_goods("caseorder apple", 5, 100);
    const long long banana = stack().create_goods("CASEORDER Banana", 5, 100);
    const long long cherry = stack().create_goods("CaseOrder cherry", 5, 100);
    const long long apple_again =
        stack().create_goods("CASEORDER APPLE", 5, 100);  // a tie with `apple`
    const std::set<long long> ours = {apple, banana, cherry, apple_again};

    HttpClient http(stack().base_url());
    const auto ascending = order_of(list_every_page(http, "ASC", "name", 100), ours);
    const auto descending = order_of(list_every_page(http, "DESC", "name", 100), ours);
    BOOST_TEST(ascending == (std::vector<long long>{apple, apple_again, banana, cherry}),
               boost::test_tools::per_element());
    BOOST_TEST(descending == (std::vector<long long>{cherry, banana, apple_again, apple}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(stocks_breaks_ties_by_id_in_the_sort_direction) {
    const long long first = stack().create_goods(stack().unique_name("tie"), 777, 6543);
    const long long second = stack().create_goods(stack().unique_name("tie"), 777, 6543);
    const long long third = stack().create_goods(stack().unique_name("tie"), 777, 6543);
    const std::set<long long> ours = {first, second, third};

    HttpClient http(stack().base_url());
    for (const std::string sort_by : {"stock", "price"}) {
        BOOST_TEST_CONTEXT("sort_by=" << sort_by) {
            const auto asc = list_every_page(http, "ASC", sort_by, 100);
            const auto desc = list_every_page(http, "DESC", sort_by, 100);
            BOOST_TEST(order_of(asc, ours) == (std::vector<long long>{first, second, third}),
                       boost::test_tools::per_element());
            BOOST_TEST(order_of(desc, ours) == (std::vector<long long>{third, second, first}),
                       boost::test_tools::per_element());
            // And the three are adjacent: nothing else has that key.
            const auto at = [&](const std::vector<Goods>& l, long long id) {
                return std::find_if(l.begin(), l.end(),
                                    [&](const Goods& g) { return g.id == id; }) -
                       l.begin();
            };
            BOOST_TEST(at(asc, third) - at(asc, first) == 2);
            BOOST_TEST(at(desc, first) - at(desc, third) == 2);
        }
    }
}

BOOST_AUTO_TEST_CASE(stocks_accepts_sort_in_any_letter_case) {
    HttpClient http(stack().base_url());
    const auto ids = [&](const std::string& query) {
        const Response r = http.get(std::string(kStocks) + "?total_goods=100&" + query);
        BOOST_TEST(is_ok(r));
        std::vector<long long> out;
        if (r.status == 200)
            for (const auto& g : listed_goods(r)) out.push_back(g.id);
        return out;
    };
    const auto asc = ids("sort=ASC");
    const auto desc = ids("sort=DESC");
    BOOST_REQUIRE(!asc.empty());
    BOOST_TEST(asc.front() < asc.back());
    BOOST_TEST(desc.front() > desc.back());
    for (const std::string spelling : {"asc", "Asc", "aSC"})
        BOOST_TEST(ids("sort=" + spelling) == asc);
    for (const std::string spelling : {"desc", "Desc", "dEsC"})
        BOOST_TEST(ids("sort=" + spelling) == desc);
}

BOOST_AUTO_TEST_CASE(stocks_page_past_the_end_is_empty) {
    HttpClient http(stack().base_url());
    const long long total_items = count_on_sale();
    const long long past = (total_items + 9) / 10 + 1;
    for (const long long page : {past, 1000000LL}) {
        const Response r =
            http.get(std::string(kStocks) + "?total_goods=10&page=" + std::to_string(page));
        BOOST_TEST(is_ok(r));
        BOOST_TEST_CONTEXT(r) {
            BOOST_TEST(r.at("data") == Json::Value(Json::arrayValue));
            BOOST_TEST(r.at("meta.page") == J(page));
            BOOST_TEST(r.at("meta.total_items") == J(total_items));
        }
    }
}

BOOST_AUTO_TEST_CASE(stocks_page_size_is_1_to_100) {
    ensure_goods_on_sale(25);
    HttpClient http(stack().base_url());
    const Response one = http.get(std::string(kStocks) + "?total_goods=1");
    BOOST_TEST(is_ok(one));
    BOOST_TEST(one.at("data").size() == 1u, one);
    const Response hundred = http.get(std::string(kStocks) + "?total_goods=100");
    BOOST_TEST(is_ok(hundred));
    BOOST_TEST(
        static_cast<long long>(hundred.at("data").size()) == std::min(100LL, count_on_sale()),
        hundred);
    BOOST_TEST(is_error(http.get(std::string(kStocks) + "?total_goods=0"), 400, "ERR_BAD_REQUEST",
                        "total_goods"));
    BOOST_TEST(is_error(http.get(std::string(kStocks) + "?total_goods=101"), 400, "ERR_BAD_REQUEST",
                        "total_goods"));
}

BOOST_AUTO_TEST_CASE(stocks_hides_deleted_goods) {
    const long long gone = stack().create_goods(stack().unique_name("withdrawn"), 3, 900);
    stack().sql("UPDATE goods SET deleted = 1 WHERE id = " + std::to_string(gone));
    HttpClient http(stack().base_url());
    const auto listing = list_every_page(http, "DESC", "id", 100);
    BOOST_TEST(order_of(listing, {gone}).empty(),
               "deleted goods " << gone << " is listed: " << goods_ids(listing));
}

BOOST_AUTO_TEST_CASE(stocks_rejects_invalid_query_values) {
    struct Case {
        const char* query;
        const char* field;
    };
    const std::vector<Case> cases = {
        {"page=0", "page"},
        {"page=-1", "page"},
        {"page=+1", "page"},
        {"page=1.0", "page"},
        {"page=", "page"},
        {"page=abc", "page"},
        {"page=1e2", "page"},
        {"page=0x10", "page"},
        {"page=%201", "page"},
        {"page=1%20", "page"},
        {"page=9007199254740992", "page"},  // 2^53
        {"page=99999999999999999999", "page"},
        {"page=1&page=1", "page"},
        {"page=1&page=2", "page"},
        {"total_goods=0", "total_goods"},
        {"total_goods=101", "total_goods"},
        {"total_goods=-5", "total_goods"},
        {"total_goods=1.5", "total_goods"},
        {"total_goods=", "total_goods"},
        {"total_goods=ten", "total_goods"},
        {"total_goods=20&total_goods=20", "total_goods"},
        {"sort=up", "sort"},
        {"sort=", "sort"},
        {"sort=ASCENDING", "sort"},
        {"sort=AS", "sort"},
        {"sort=ASC&sort=DESC", "sort"},
        {"sort_by=foo", "sort_by"},
        {"sort_by=", "sort_by"},
        {"sort_by=goods_id", "sort_by"},
        {"sort_by=id%20", "sort_by"},
        {"sort_by=id&sort_by=name", "sort_by"},
    };
    HttpClient http(stack().base_url());
    for (const auto& c : cases)
        BOOST_TEST(is_error(http.get(std::string(kStocks) + "?" + c.query), 400, "ERR_BAD_REQUEST",
                            c.field));
}

BOOST_AUTO_TEST_CASE(stocks_ignores_unknown_query_parameters) {
    HttpClient http(stack().base_url());
    const Response plain = http.get(std::string(kStocks) + "?total_goods=5");
    const Response extra =
        http.get(std::string(kStocks) + "?total_goods=5&foo=bar&utm_source=x&debug");
    BOOST_TEST(is_ok(plain));
    BOOST_TEST(is_ok(extra));
    BOOST_TEST(extra.at("data") == plain.at("data"), extra);
}

BOOST_AUTO_TEST_CASE(a_listing_never_shows_a_state_older_than_the_last_commit) {
    // MariaDB's query cache answers repeated listings (scripts/stack's
    // my.cnf): every committed change must still show on the next request,
    // whether it came through the API or from SQL by hand.
    HttpClient client(stack().base_url());
    const long long id = stack().create_goods(stack().unique_name("fresh"), 1000, 500);
    const std::string page = "/api/small/stocks?sort_by=id&sort=DESC&total_goods=5";
    auto listed_stock = [&]() -> long long {
        const Response r = client.get(page);
        for (const auto& g : r.at("data"))
            if (g["id"].asInt64() == id) return g["stock"].asInt64();
        BOOST_FAIL("the new goods is not on the first page" << r);
        return -1LL;
    };
    long long stock = 1000;
    for (int round = 0; round < 10; ++round) {
        BOOST_TEST_REQUIRE(listed_stock() == stock, "round " << round);
        BOOST_TEST_REQUIRE(listed_stock() == stock, "round " << round << ", again");
        if (round % 2 == 0) {
            stack().sql("UPDATE goods SET stock = stock - 3 WHERE id = " + std::to_string(id));
            stock -= 3;
        } else {
            const Response cart =
                client.post("/api/small/cart", json_object({{"user_id", "7"},
                                                            {"goods_id", std::to_string(id)},
                                                            {"goods_price", "500"},
                                                            {"total", "2"}}));
            BOOST_TEST_REQUIRE(is_ok(cart));
            const Response paid = client.post(
                "/api/small/pay", json_object({{"cart_id", cart.at("data.cart_id").asString()},
                                               {"payment_amount", "1000"}}));
            BOOST_TEST_REQUIRE(is_ok(paid));
            stock -= 2;
        }
    }
    BOOST_TEST(listed_stock() == stock);
}

BOOST_AUTO_TEST_CASE(total_items_follows_the_catalog_whoever_changes_it) {
    // The count comes from goods_counts, kept by triggers: goods added,
    // hidden, shown again or removed by hand in SQL count as surely as
    // through the admin API, and a stock change leaves the count alone.
    HttpClient client(stack().base_url());
    auto listed = [&](const std::string& query) {
        const Response r = client.get("/api/small/stocks?" + query);
        BOOST_REQUIRE_MESSAGE(r.status == 200, r);
        return r.at("meta.total_items").asInt64();
    };
    auto expect_counted = [&](const std::string& step) {
        const long long counted = count_on_sale();
        BOOST_TEST(listed("total_goods=1") == counted, step);
        // A page past the end has no row to carry the count: asked apart.
        BOOST_TEST(listed("page=100000") == counted, step << ", past the end");
    };
    expect_counted("at start");
    const std::string id =
        std::to_string(stack().create_goods(stack().unique_name("counted"), 5, 100));
    expect_counted("inserted in SQL");
    stack().sql("UPDATE goods SET deleted = 1 WHERE id = " + id);
    expect_counted("hidden in SQL");
    stack().sql("UPDATE goods SET stock = stock + 7, price = price + 1 WHERE id = " + id);
    expect_counted("restocked while hidden");
    stack().sql("UPDATE goods SET deleted = 0 WHERE id = " + id);
    expect_counted("shown again");
    stack().sql("DELETE FROM goods WHERE id = " + id);
    expect_counted("deleted in SQL");
    BOOST_TEST(stack().sql_int("SELECT total FROM goods_counts WHERE deleted = 1") ==
               stack().sql_int("SELECT COUNT(*) FROM goods WHERE deleted = 1"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(cart_endpoint)

BOOST_AUTO_TEST_CASE(cart_opens_a_new_cart_when_cart_id_is_absent_null_or_zero) {
    const long long goods = stack().create_goods(stack().unique_name("new cart"), 50, 1250);
    const long long user = new_user();
    HttpClient http(stack().base_url());
    const std::vector<std::string> bodies = {
        json_object({{"user_id", std::to_string(user)},
                     {"goods_id", std::to_string(goods)},
                     {"goods_price", "1250"},
                     {"total", "2"}}),
        json_object({{"cart_id", "null"},
                     {"user_id", std::to_string(user)},
                     {"goods_id", std::to_string(goods)},
                     {"goods_price", "1250"},
                     {"total", "2"}}),
        json_object({{"cart_id", "0"},
                     {"user_id", std::to_string(user)},
                     {"goods_id", std::to_string(goods)},
                     {"goods_price", "1250"},
                     {"total", "2"}}),
    };
    std::set<long long> carts;
    for (const auto& body : bodies) {
        const Response r = http.post(kCart, body);
        BOOST_REQUIRE(is_ok(r));
        BOOST_TEST_CONTEXT(r) {
            BOOST_TEST(r.at("data.total_goods") == J(2));
            BOOST_TEST(r.at("data.total_amount") == J(2500));
            BOOST_REQUIRE(is_json_integer(r.at("data.cart_id")));
            const long long cart_id = r.at("data.cart_id").asInt64();
            BOOST_TEST(cart_id >= 1);
            carts.insert(cart_id);
            BOOST_TEST(cart_status(cart_id) == "OPEN");
            BOOST_TEST(stack().sql_int("SELECT user_id FROM carts WHERE id = " +
                                       std::to_string(cart_id)) == user);
            BOOST_TEST(cart_lines(cart_id, goods) == "1250:2");
        }
    }
    BOOST_TEST(carts.size() == 3u, "each call should open its own cart");
    BOOST_TEST(goods_stock(goods) == 50, "adding to a cart takes no stock");
}

BOOST_AUTO_TEST_CASE(cart_adds_other_goods_to_an_existing_cart) {
    const long long tea = stack().create_goods(stack().unique_name("tea"), 20, 1000);
    const long long cake = stack().create_goods(stack().unique_name("cake"), 20, 500);
    const long long user = new_user();
    HttpClient http(stack().base_url());
    const long long cart_id = open_cart(http, user, tea, 1000, 2);
    const Response r = add_to_cart(http, cart_id, user, cake, 500, 3);
    BOOST_REQUIRE(is_ok(r));
    BOOST_TEST_CONTEXT(r) {
        BOOST_TEST(r.at("data.cart_id") == J(cart_id));
        BOOST_TEST(r.at("data.total_goods") == J(5));
        BOOST_TEST(r.at("data.total_amount") == J(3500));
    }
    BOOST_TEST(cart_lines(cart_id, tea) == "1000:2");
    BOOST_TEST(cart_lines(cart_id, cake) == "500:3");
}

BOOST_AUTO_TEST_CASE(cart_adds_to_the_line_of_the_same_goods_at_the_same_price) {
    const long long goods = stack().create_goods(stack().unique_name("same line"), 20, 700);
    const long long user = new_user();
    HttpClient http(stack().base_url());
    const long long cart_id = open_cart(http, user, goods, 700, 2);
    const Response r = add_to_cart(http, cart_id, user, goods, 700, 3);
    BOOST_REQUIRE(is_ok(r));
    BOOST_TEST_CONTEXT(r) {
        BOOST_TEST(r.at("data.total_goods") == J(5));
        BOOST_TEST(r.at("data.total_amount") == J(3500));
    }
    BOOST_TEST(cart_lines(cart_id, goods) == "700:5");
}

// A line keeps the price agreed when it was added; after a price change the
// old price is refused, the new one opens a second line, and pay charges both
// lines at their own prices.
BOOST_AUTO_TEST_CASE(cart_keeps_the_agreed_price_of_each_line) {
    const long long goods = stack().create_goods(stack().unique_name("repriced"), 20, 1000);
    const long long user = new_user();
    HttpClient http(stack().base_url());
    const long long cart_id = open_cart(http, user, goods, 1000, 2);
    stack().sql("UPDATE goods SET price = 1200 WHERE id = " + std::to_string(goods));

    const Response stale = add_to_cart(http, cart_id, user, goods, 1000, 1);
    BOOST_TEST(is_error(stale, 409, "ERR_PRICE_MISMATCH"));
    BOOST_TEST(error_message_contains(stale, "1200"));

    const Response fresh = add_to_cart(http, cart_id, user, goods, 1200, 1);
    BOOST_REQUIRE(is_ok(fresh));
    BOOST_TEST_CONTEXT(fresh) {
        BOOST_TEST(fresh.at("data.total_goods") == J(3));
        BOOST_TEST(fresh.at("data.total_amount") == J(3200));
    }
    BOOST_TEST(cart_lines(cart_id, goods) == "1000:2 1200:1");

    BOOST_TEST(
        is_error(pay(http, cart_id, 3199), 422, "ERR_INSUFFICIENT_PAYMENT", "payment_amount"));
    const Response paid = pay(http, cart_id, 3200);
    BOOST_REQUIRE(is_ok(paid));
    BOOST_TEST(paid.at("data.total_amount") == J(3200), paid);
    BOOST_TEST(goods_stock(goods) == 17);
}

BOOST_AUTO_TEST_CASE(cart_of_another_user_is_not_found) {
    const long long goods = stack().create_goods(stack().unique_name("mine"), 20, 800);
    const long long owner = new_user();
    const long long stranger = new_user();
    HttpClient http(stack().base_url());
    const long long cart_id = open_cart(http, owner, goods, 800, 1);
    BOOST_TEST(is_error(add_to_cart(http, cart_id, stranger, goods, 800, 1), 404, "ERR_NOT_FOUND"));
    BOOST_TEST(cart_lines(cart_id, goods) == "800:1");
}

BOOST_AUTO_TEST_CASE(cart_unknown_cart_is_not_found) {
    HttpClient http(stack().base_url());
    BOOST_TEST(
        is_error(add_to_cart(http, 987654321, new_user(), 1, 3000, 1), 404, "ERR_NOT_FOUND"));
}

BOOST_AUTO_TEST_CASE(cart_unknown_goods_is_not_found_and_opens_no_cart) {
    HttpClient http(stack().base_url());
    const long long carts_before = stack().sql_int("SELECT COUNT(*) FROM carts");
    BOOST_TEST(is_error(add_to_cart(http, std::nullopt, new_user(), 987654321, 1000, 1), 404,
                        "ERR_NOT_FOUND"));
    BOOST_TEST(stack().sql_int("SELECT COUNT(*) FROM carts") == carts_before);
}

BOOST_AUTO_TEST_CASE(cart_deleted_goods_is_not_found) {
    const long long goods = stack().create_goods(stack().unique_name("deleted"), 20, 600);
    stack().sql("UPDATE goods SET deleted = 1 WHERE id = " + std::to_string(goods));
    HttpClient http(stack().base_url());
    BOOST_TEST(
        is_error(add_to_cart(http, std::nullopt, new_user(), goods, 600, 1), 404, "ERR_NOT_FOUND"));

    // Also into an existing cart.
    const long long other = stack().create_goods(stack().unique_name("kept"), 20, 600);
    const long long user = new_user();
    const long long cart_id = open_cart(http, user, other, 600, 1);
    BOOST_TEST(is_error(add_to_cart(http, cart_id, user, goods, 600, 1), 404, "ERR_NOT_FOUND"));
    BOOST_TEST(cart_lines(cart_id, goods) == "");
}

BOOST_AUTO_TEST_CASE(cart_rejects_a_price_other_than_the_current_one) {
    const long long goods = stack().create_goods(stack().unique_name("priced"), 20, 2500);
    HttpClient http(stack().base_url());
    const long long carts_before = stack().sql_int("SELECT COUNT(*) FROM carts");
    for (const long long offered : {2000LL, 2499LL, 2501LL, 0LL}) {
        const Response r = add_to_cart(http, std::nullopt, new_user(), goods, offered, 1);
        BOOST_TEST(is_error(r, 409, "ERR_PRICE_MISMATCH"));
        BOOST_TEST(error_message_contains(r, "2500"));
    }
    // A failed add opens no cart.
    BOOST_TEST(stack().sql_int("SELECT COUNT(*) FROM carts") == carts_before);
}

// Quantity beyond stock, counting what this cart already holds of the goods;
// stock is only taken at payment, so another cart may hold the same units.
BOOST_AUTO_TEST_CASE(cart_rejects_more_than_the_stock) {
    const long long goods = stack().create_goods(stack().unique_name("scarce"), 5, 300);
    const long long user = new_user();
    HttpClient http(stack().base_url());
    const long long carts_before = stack().sql_int("SELECT COUNT(*) FROM carts");
    BOOST_TEST(is_error(add_to_cart(http, std::nullopt, user, goods, 300, 6), 409,
                        "ERR_OUT_OF_STOCK", "total"));
    BOOST_TEST(stack().sql_int("SELECT COUNT(*) FROM carts") == carts_before,
               "a failed add opened a cart");

    const long long cart_id = open_cart(http, user, goods, 300, 5);
    BOOST_TEST(is_error(add_to_cart(http, cart_id, user, goods, 300, 1), 409, "ERR_OUT_OF_STOCK",
                        "total"));
    BOOST_TEST(cart_lines(cart_id, goods) == "300:5");

    const long long other_cart = open_cart(http, new_user(), goods, 300, 5);
    BOOST_TEST(cart_lines(other_cart, goods) == "300:5");
    BOOST_TEST(goods_stock(goods) == 5);
}

BOOST_AUTO_TEST_CASE(cart_rejects_adding_to_a_paid_cart) {
    const long long goods = stack().create_goods(stack().unique_name("closed"), 20, 400);
    const long long user = new_user();
    HttpClient http(stack().base_url());
    const long long cart_id = open_cart(http, user, goods, 400, 1);
    BOOST_REQUIRE(is_ok(pay(http, cart_id, 400)));
    BOOST_TEST(is_error(add_to_cart(http, cart_id, user, goods, 400, 1), 409, "ERR_CART_CLOSED"));
    BOOST_TEST(cart_lines(cart_id, goods) == "400:1");
    BOOST_TEST(goods_stock(goods) == 19);
}

// The paper's load generator sends total_goods; both names may be sent when
// they agree.
BOOST_AUTO_TEST_CASE(cart_accepts_total_goods_as_an_alias_of_total) {
    const long long goods = stack().create_goods(stack().unique_name("alias"), 50, 100);
    const long long user = new_user();
    const std::string ids = std::to_string(goods);
    HttpClient http(stack().base_url());

    const Response alias = http.post(kCart, json_object({{"user_id", std::to_string(user)},
                                                         {"goods_id", ids},
                                                         {"goods_price", "100"},
                                                         {"total_goods", "2"}}));
    BOOST_REQUIRE(is_ok(alias));
    BOOST_TEST(alias.at("data.total_goods") == J(2), alias);
    const long long cart_id = alias.at("data.cart_id").asInt64();

    const Response both = http.post(kCart, json_object({{"cart_id", std::to_string(cart_id)},
                                                        {"user_id", std::to_string(user)},
                                                        {"goods_id", ids},
                                                        {"goods_price", "100"},
                                                        {"total", "3"},
                                                        {"total_goods", "3"}}));
    BOOST_REQUIRE(is_ok(both));
    BOOST_TEST(both.at("data.total_goods") == J(5), both);

    const Response differ = http.post(kCart, json_object({{"cart_id", std::to_string(cart_id)},
                                                          {"user_id", std::to_string(user)},
                                                          {"goods_id", ids},
                                                          {"goods_price", "100"},
                                                          {"total", "1"},
                                                          {"total_goods", "2"}}));
    BOOST_TEST(is_error(differ, 400, "ERR_BAD_REQUEST", "total"));
    BOOST_TEST(cart_lines(cart_id, goods) == "100:5");
}

BOOST_AUTO_TEST_CASE(cart_total_is_1_to_999) {
    const long long goods = stack().create_goods(stack().unique_name("bulk"), 1000, 1);
    HttpClient http(stack().base_url());
    for (const long long total : {0LL, -1LL, 1000LL})
        BOOST_TEST(is_error(add_to_cart(http, std::nullopt, new_user(), goods, 1, total), 400,
                            "ERR_BAD_REQUEST", "total"));
    const Response most = add_to_cart(http, std::nullopt, new_user(), goods, 1, 999);
    BOOST_TEST(is_ok(most));
    BOOST_TEST(most.at("data.total_goods") == J(999), most);
    BOOST_TEST(most.at("data.total_amount") == J(999), most);
}

BOOST_AUTO_TEST_CASE(cart_rejects_missing_and_out_of_range_fields) {
    const long long goods = stack().create_goods(stack().unique_name("fields"), 20, 100);
    const std::string g = std::to_string(goods);
    HttpClient http(stack().base_url());
    struct Case {
        std::string body;
        const char* field;
    };
    const std::vector<Case> cases = {
        {json_object({{"goods_id", g}, {"goods_price", "100"}, {"total", "1"}}), "user_id"},
        {json_object({{"user_id", "0"}, {"goods_id", g}, {"goods_price", "100"}, {"total", "1"}}),
         "user_id"},
        {json_object({{"user_id", "-3"}, {"goods_id", g}, {"goods_price", "100"}, {"total", "1"}}),
         "user_id"},
        {json_object(
             {{"user_id", "null"}, {"goods_id", g}, {"goods_price", "100"}, {"total", "1"}}),
         "user_id"},
        {json_object({{"user_id", "7"}, {"goods_price", "100"}, {"total", "1"}}), "goods_id"},
        {json_object({{"user_id", "7"}, {"goods_id", "0"}, {"goods_price", "100"}, {"total", "1"}}),
         "goods_id"},
        {json_object(
             {{"user_id", "7"}, {"goods_id", "null"}, {"goods_price", "100"}, {"total", "1"}}),
         "goods_id"},
        {json_object({{"user_id", "7"}, {"goods_id", g}, {"total", "1"}}), "goods_price"},
        {json_object({{"user_id", "7"}, {"goods_id", g}, {"goods_price", "-1"}, {"total", "1"}}),
         "goods_price"},
        {json_object({{"user_id", "7"}, {"goods_id", g}, {"goods_price", "null"}, {"total", "1"}}),
         "goods_price"},
        {json_object({{"user_id", "7"}, {"goods_id", g}, {"goods_price", "100"}}), "total"},
        {json_object(
             {{"user_id", "7"}, {"goods_id", g}, {"goods_price", "100"}, {"total", "null"}}),
         "total"},
        {json_object({{"cart_id", "-1"},
                      {"user_id", "7"},
                      {"goods_id", g},
                      {"goods_price", "100"},
                      {"total", "1"}}),
         "cart_id"},
    };
    for (const auto& c : cases)
        BOOST_TEST(is_error(http.post(kCart, c.body), 400, "ERR_BAD_REQUEST", c.field));
}

BOOST_AUTO_TEST_CASE(cart_and_pay_accept_free_goods) {
    const long long goods = stack().create_goods(stack().unique_name("free sample"), 10, 0);
    HttpClient http(stack().base_url());
    const Response r = add_to_cart(http, std::nullopt, new_user(), goods, 0, 2);
    BOOST_REQUIRE(is_ok(r));
    BOOST_TEST(r.at("data.total_amount") == J(0), r);
    const Response paid = pay(http, r.at("data.cart_id").asInt64(), 500);
    BOOST_REQUIRE(is_ok(paid));
    BOOST_TEST(paid.at("data.total_amount") == J(0), paid);
    BOOST_TEST(paid.at("data.return_amount") == J(500), paid);
    BOOST_TEST(goods_stock(goods) == 8);
}

BOOST_AUTO_TEST_CASE(cart_and_pay_ignore_unknown_fields) {
    const long long goods = stack().create_goods(stack().unique_name("extras"), 20, 100);
    HttpClient http(stack().base_url());
    const Response r =
        http.post(kCart, json_object({{"coupon", "\"FREE\""},
                                      {"user_id", std::to_string(new_user())},
                                      {"goods_id", std::to_string(goods)},
                                      {"goods_price", "100"},
                                      {"total", "2"},
                                      {"extra", "{\"a\":[1,2.5,null,true],\"b\":{}}"}}));
    BOOST_REQUIRE(is_ok(r));
    BOOST_TEST(r.at("data.total_amount") == J(200), r);
    const Response paid =
        http.post(kPay, json_object({{"cart_id", std::to_string(r.at("data.cart_id").asInt64())},
                                     {"payment_amount", "200"},
                                     {"tip", "1.5"}}));
    BOOST_TEST(is_ok(paid));
}

// "A request body is parsed as JSON whatever its Content-Type says."
BOOST_AUTO_TEST_CASE(cart_parses_the_body_whatever_its_content_type) {
    const long long goods = stack().create_goods(stack().unique_name("content type"), 20, 100);
    HttpClient http(stack().base_url());
    for (const std::string header :
         {"Content-Type:", "Content-Type: text/plain", "Content-Type: application/json",
          "Content-Type: application/x-www-form-urlencoded"}) {
        Request request;
        request.method = "POST";
        request.target = kCart;
        request.headers = {header};
        request.body = cart_body(std::nullopt, new_user(), goods, 100, 1);
        request.has_body = true;
        BOOST_TEST(is_ok(http.perform(request)));
    }
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(pay_endpoint)

BOOST_AUTO_TEST_CASE(pay_returns_the_change_and_records_the_transaction) {
    const long long goods = stack().create_goods(stack().unique_name("change"), 10, 2500);
    const long long user = new_user();
    HttpClient http(stack().base_url());
    const long long cart_id = open_cart(http, user, goods, 2500, 2);
    const Response r = pay(http, cart_id, 10000);
    BOOST_REQUIRE(is_ok(r));
    const std::string transaction_id = r.str("data.transaction_id");
    BOOST_TEST_CONTEXT(r) {
        BOOST_TEST(is_uuid_v4(transaction_id));
        BOOST_TEST(r.at("data.total_amount") == J(5000));
        BOOST_TEST(r.at("data.payment_amount") == J(10000));
        BOOST_TEST(r.at("data.return_amount") == J(5000));
    }
    const auto rows = stack().sql_rows(
        "SELECT id, cart_id, user_id, status, total_amount, payment_amount, return_amount FROM "
        "transactions "
        "WHERE cart_id = " +
        std::to_string(cart_id));
    BOOST_REQUIRE_EQUAL(rows.size(), 1u);
    BOOST_TEST(rows[0] == (std::vector<std::string>{transaction_id, std::to_string(cart_id),
                                                    std::to_string(user), "PAID", "5000", "10000",
                                                    "5000"}),
               boost::test_tools::per_element());
    BOOST_TEST(cart_status(cart_id) == "PAID");
    BOOST_TEST(goods_stock(goods) == 8);
}

BOOST_AUTO_TEST_CASE(pay_with_the_exact_amount_returns_no_change) {
    const long long goods = stack().create_goods(stack().unique_name("exact"), 10, 1500);
    HttpClient http(stack().base_url());
    const long long cart_id = open_cart(http, new_user(), goods, 1500, 3);
    const Response r = pay(http, cart_id, 4500);
    BOOST_REQUIRE(is_ok(r));
    BOOST_TEST(r.at("data.return_amount") == J(0), r);
    BOOST_TEST(goods_stock(goods) == 7);
}

BOOST_AUTO_TEST_CASE(pay_charges_every_line) {
    const long long a = stack().create_goods(stack().unique_name("line a"), 10, 1500);
    const long long b = stack().create_goods(stack().unique_name("line b"), 10, 2500);
    const long long c = stack().create_goods(stack().unique_name("line c"), 10, 1000);
    const long long user = new_user();
    HttpClient http(stack().base_url());
    const long long cart_id = open_cart(http, user, a, 1500, 2);
    BOOST_REQUIRE(is_ok(add_to_cart(http, cart_id, user, b, 2500, 1)));
    const Response added = add_to_cart(http, cart_id, user, c, 1000, 4);
    BOOST_REQUIRE(is_ok(added));
    BOOST_TEST(added.at("data.total_goods") == J(7), added);
    BOOST_TEST(added.at("data.total_amount") == J(9500), added);
    const Response r = pay(http, cart_id, 10000);
    BOOST_REQUIRE(is_ok(r));
    BOOST_TEST(r.at("data.total_amount") == J(9500), r);
    BOOST_TEST(r.at("data.return_amount") == J(500), r);
    BOOST_TEST(goods_stock(a) == 8);
    BOOST_TEST(goods_stock(b) == 9);
    BOOST_TEST(goods_stock(c) == 6);
}

BOOST_AUTO_TEST_CASE(pay_rejects_insufficient_payment_and_changes_nothing) {
    const long long goods = stack().create_goods(stack().unique_name("short"), 10, 2000);
    HttpClient http(stack().base_url());
    const long long cart_id = open_cart(http, new_user(), goods, 2000, 2);
    for (const long long amount : {0LL, 1LL, 3999LL})
        BOOST_TEST(is_error(pay(http, cart_id, amount), 422, "ERR_INSUFFICIENT_PAYMENT",
                            "payment_amount"));
    BOOST_TEST(goods_stock(goods) == 10);
    BOOST_TEST(cart_status(cart_id) == "OPEN");
    BOOST_TEST(transactions_of_cart(cart_id) == 0);
    // The cart is still payable.
    BOOST_TEST(is_ok(pay(http, cart_id, 4000)));
    BOOST_TEST(goods_stock(goods) == 8);
}

BOOST_AUTO_TEST_CASE(pay_rejects_an_empty_cart) {
    // The API cannot make an empty cart (a failed add rolls back), the
    // database can.
    const long long cart_id =
        stack().sql_int("INSERT INTO carts (user_id) VALUES (9); SELECT LAST_INSERT_ID();");
    HttpClient http(stack().base_url());
    BOOST_TEST(is_error(pay(http, cart_id, 1000), 409, "ERR_CART_EMPTY"));
    BOOST_TEST(is_error(pay(http, cart_id, 0), 409, "ERR_CART_EMPTY"));
    BOOST_TEST(cart_status(cart_id) == "OPEN");
    BOOST_TEST(transactions_of_cart(cart_id) == 0);
}

BOOST_AUTO_TEST_CASE(pay_unknown_cart_is_not_found) {
    HttpClient http(stack().base_url());
    BOOST_TEST(is_error(pay(http, 987654321, 1000), 404, "ERR_NOT_FOUND"));
}

// A client may retry after a timeout: the same amount gets the same answer
// and takes no more stock.
BOOST_AUTO_TEST_CASE(pay_again_with_the_same_amount_replays_the_first_answer) {
    const long long goods = stack().create_goods(stack().unique_name("retry"), 10, 1000);
    HttpClient http(stack().base_url());
    const long long cart_id = open_cart(http, new_user(), goods, 1000, 3);
    const Response first = pay(http, cart_id, 5000);
    BOOST_REQUIRE(is_ok(first));
    for (int attempt = 0; attempt < 2; ++attempt) {
        const Response again = pay(http, cart_id, 5000);
        BOOST_TEST(is_ok(again));
        BOOST_TEST(again.json == first.json, "first answer:" << first << "\nreplay:" << again);
    }
    BOOST_TEST(goods_stock(goods) == 7);
    BOOST_TEST(transactions_of_cart(cart_id) == 1);
}

BOOST_AUTO_TEST_CASE(pay_again_with_another_amount_is_cart_closed) {
    const long long goods = stack().create_goods(stack().unique_name("other amount"), 10, 1000);
    HttpClient http(stack().base_url());
    const long long cart_id = open_cart(http, new_user(), goods, 1000, 1);
    BOOST_REQUIRE(is_ok(pay(http, cart_id, 2000)));
    for (const long long amount : {1000LL, 2001LL, 500LL})
        BOOST_TEST(is_error(pay(http, cart_id, amount), 409, "ERR_CART_CLOSED"));
    BOOST_TEST(stack().sql_int("SELECT payment_amount FROM transactions WHERE cart_id = " +
                               std::to_string(cart_id)) == 2000);
    BOOST_TEST(goods_stock(goods) == 9);
}

// Two carts hold the same last units; the second to pay finds them gone, and
// its failure leaves everything as it was, so it can pay after a restock.
BOOST_AUTO_TEST_CASE(pay_fails_when_the_stock_ran_out_since_adding) {
    const long long goods = stack().create_goods(stack().unique_name("last units"), 3, 1000);
    HttpClient http(stack().base_url());
    const long long first = open_cart(http, new_user(), goods, 1000, 3);
    const long long second = open_cart(http, new_user(), goods, 1000, 2);
    BOOST_REQUIRE(is_ok(pay(http, first, 3000)));
    const Response r = pay(http, second, 2000);
    BOOST_TEST(r.status == 409, r);
    BOOST_TEST(is_envelope(r));
    BOOST_TEST(r.str("status") == "ERR_OUT_OF_STOCK", r);
    BOOST_TEST(goods_stock(goods) == 0);
    BOOST_TEST(cart_status(second) == "OPEN");
    BOOST_TEST(transactions_of_cart(second) == 0);

    stack().sql("UPDATE goods SET stock = 5 WHERE id = " + std::to_string(goods));
    BOOST_TEST(is_ok(pay(http, second, 2000)));
    BOOST_TEST(goods_stock(goods) == 3);
}

// Any failure changes nothing: the line of goods with the lower id, locked
// and checked first, must not lose stock when a later line fails.
BOOST_AUTO_TEST_CASE(pay_takes_no_stock_at_all_when_one_line_is_short) {
    const long long plenty = stack().create_goods(stack().unique_name("plenty"), 50, 100);
    const long long scarce = stack().create_goods(stack().unique_name("scarce later"), 50, 100);
    const long long user = new_user();
    HttpClient http(stack().base_url());
    const long long cart_id = open_cart(http, user, plenty, 100, 5);
    BOOST_REQUIRE(is_ok(add_to_cart(http, cart_id, user, scarce, 100, 5)));
    stack().sql("UPDATE goods SET stock = 4 WHERE id = " + std::to_string(scarce));
    const Response r = pay(http, cart_id, 1000);
    BOOST_TEST(r.status == 409, r);
    BOOST_TEST(is_envelope(r));
    BOOST_TEST(r.str("status") == "ERR_OUT_OF_STOCK", r);
    BOOST_TEST(goods_stock(plenty) == 50);
    BOOST_TEST(goods_stock(scarce) == 4);
    BOOST_TEST(cart_status(cart_id) == "OPEN");
    BOOST_TEST(transactions_of_cart(cart_id) == 0);
}

BOOST_AUTO_TEST_CASE(pay_fails_when_goods_were_deleted_from_an_open_cart) {
    const long long kept = stack().create_goods(stack().unique_name("kept"), 20, 100);
    const long long withdrawn =
        stack().create_goods(stack().unique_name("withdrawn later"), 20, 100);
    const long long user = new_user();
    HttpClient http(stack().base_url());
    const long long cart_id = open_cart(http, user, kept, 100, 2);
    BOOST_REQUIRE(is_ok(add_to_cart(http, cart_id, user, withdrawn, 100, 2)));
    stack().sql("UPDATE goods SET deleted = 1 WHERE id = " + std::to_string(withdrawn));
    const Response r = pay(http, cart_id, 400);
    BOOST_TEST(is_error(r, 409, "ERR_OUT_OF_STOCK"));
    BOOST_TEST(goods_stock(kept) == 20);
    BOOST_TEST(goods_stock(withdrawn) == 20);
    BOOST_TEST(cart_status(cart_id) == "OPEN");
    BOOST_TEST(transactions_of_cart(cart_id) == 0);
}

BOOST_AUTO_TEST_CASE(pay_rejects_missing_and_out_of_range_fields) {
    HttpClient http(stack().base_url());
    struct Case {
        std::string body;
        const char* field;
    };
    const std::vector<Case> cases = {
        {json_object({{"payment_amount", "1000"}}), "cart_id"},
        {json_object({{"cart_id", "0"}, {"payment_amount", "1000"}}), "cart_id"},
        {json_object({{"cart_id", "-1"}, {"payment_amount", "1000"}}), "cart_id"},
        {json_object({{"cart_id", "null"}, {"payment_amount", "1000"}}), "cart_id"},
        {json_object({{"cart_id", "1"}}), "payment_amount"},
        {json_object({{"cart_id", "1"}, {"payment_amount", "-1"}}), "payment_amount"},
        {json_object({{"cart_id", "1"}, {"payment_amount", "null"}}), "payment_amount"},
    };
    for (const auto& c : cases)
        BOOST_TEST(is_error(http.post(kPay, c.body), 400, "ERR_BAD_REQUEST", c.field));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(routes)

BOOST_AUTO_TEST_CASE(health_answers_200_with_the_database_up) {
    HttpClient http(stack().base_url());
    BOOST_TEST(is_ok(http.get(kHealth)));
}

BOOST_AUTO_TEST_CASE(unknown_routes_are_json_404) {
    HttpClient http(stack().base_url());
    for (const std::string target :
         {"/api/small/nothing-here", "/api/small/", "/api/small/stocks/1", "/api/small/cart/1",
          "/api/small/STOCKS", "/api/small/pay/now"})
        BOOST_TEST(is_error(http.get(target), 404, "ERR_NOT_FOUND"));
    BOOST_TEST(is_error(http.post("/api/small/checkout", "{}"), 404, "ERR_NOT_FOUND"));
}

BOOST_AUTO_TEST_CASE(wrong_methods_are_json_405_with_allow) {
    HttpClient http(stack().base_url());
    struct Case {
        const char* method;
        const char* target;
        const char* allowed;
    };
    const std::vector<Case> cases = {
        {"GET", kPay, "POST"},     {"GET", kCart, "POST"},     {"PUT", kCart, "POST"},
        {"DELETE", kPay, "POST"},  {"DELETE", kStocks, "GET"}, {"POST", kStocks, "GET"},
        {"PATCH", kStocks, "GET"}, {"POST", kHealth, "GET"},
    };
    for (const auto& c : cases) {
        const Response r = std::string(c.method) == "GET" || std::string(c.method) == "DELETE"
                               ? http.send(c.method, c.target)
                               : http.send(c.method, c.target, "{}");
        BOOST_TEST(is_error(r, 405, "ERR_METHOD_NOT_ALLOWED"));
        BOOST_TEST(r.header("allow").find(c.allowed) != std::string::npos,
                   "Allow should list " << c.allowed << r);
    }
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
// Last, over everything the tests above did to the database.
BOOST_AUTO_TEST_SUITE(invariants)

BOOST_AUTO_TEST_CASE(migrations_are_recorded_once_and_safe_to_run_again) {
    const long long recorded = stack().sql_int("SELECT COUNT(*) FROM schema_version");
    const long long goods = stack().sql_int("SELECT COUNT(*) FROM goods");
    BOOST_TEST(stack().sql_int("SELECT COUNT(*) FROM schema_version WHERE kind = 'migration' "
                               "AND version = 1") == 1);
    BOOST_TEST(stack().sql_int("SELECT COUNT(*) FROM schema_version WHERE kind = 'demo'") == 1);
    stack().run_checked({"migrate"});
    stack().run_checked({"migrate"});
    BOOST_TEST(stack().sql_int("SELECT COUNT(*) FROM schema_version") == recorded);
    BOOST_TEST(stack().sql_int("SELECT COUNT(*) FROM goods") == goods, "the demo was seeded again");
}

// The pool's account reads and writes rows of its own schema, nothing else:
// no DDL, no DELETE (the shop keeps its history), no other database.
BOOST_AUTO_TEST_CASE(the_app_user_may_only_read_and_write_rows) {
    const std::string grants = stack().sql("SHOW GRANTS FOR 'umkm_app'@'localhost'");
    BOOST_TEST(grants.find("GRANT SELECT, INSERT, UPDATE ON `umkm`.*") != std::string::npos,
               grants);
    for (const char* forbidden :
         {"DELETE", "CREATE", "DROP", "ALTER", "ALL PRIVILEGES", "GRANT OPTION", "FILE", "SUPER"})
        BOOST_TEST(grants.find(forbidden) == std::string::npos, forbidden << " in " << grants);
    // On the server as a whole: nothing but the right to log in.
    for (const auto& row : stack().sql_rows("SHOW GRANTS FOR 'umkm_app'@'localhost'"))
        if (row.at(0).find("ON *.*") != std::string::npos)
            BOOST_TEST(row.at(0).rfind("GRANT USAGE ON *.*", 0) == 0, row.at(0));
}

// Stock below zero, an uncovered payment and a wrong change are impossible
// whatever the application does: the schema's CHECK constraints refuse them.
BOOST_AUTO_TEST_CASE(the_schema_refuses_negative_stock_and_wrong_change) {
    const long long goods = stack().create_goods(stack().unique_name("checked"), 1, 100);
    const std::string id = std::to_string(goods);
    BOOST_TEST(stack().run({"sql", "UPDATE goods SET stock = -1 WHERE id = " + id}).exit_code != 0);
    BOOST_TEST(stack().run({"sql", "UPDATE goods SET price = -1 WHERE id = " + id}).exit_code != 0);
    HttpClient http(stack().base_url());
    const long long cart_id = open_cart(http, 88000, goods, 100, 1);
    const std::string insert =
        "INSERT INTO transactions (id, cart_id, user_id, total_amount, payment_amount, "
        "return_amount, paid_at) VALUES (UUID(), " +
        std::to_string(cart_id) + ", 88000, 100, ";
    BOOST_TEST(stack().run({"sql", insert + "50, -50, NOW())"}).exit_code != 0);
    BOOST_TEST(stack().run({"sql", insert + "200, 50, NOW())"}).exit_code != 0);
    BOOST_TEST(stack().sql_int("SELECT stock FROM goods WHERE id = " + id) == 1);
    BOOST_TEST(stack().sql_int("SELECT COUNT(*) FROM transactions WHERE cart_id = " +
                               std::to_string(cart_id)) == 0);
}

BOOST_AUTO_TEST_CASE(database_invariants_hold_after_every_test) {
    // Every paid total is the sum of its lines at their prices.
    BOOST_TEST(
        stack().sql_int("SELECT COUNT(*) FROM transactions t WHERE t.total_amount <> "
                        "(SELECT COALESCE(SUM(ci.quantity * ci.price), 0) FROM cart_items ci "
                        "WHERE ci.cart_id = t.cart_id)") == 0);
    // A cart is PAID exactly when it has a transaction, of its own user.
    BOOST_TEST(
        stack().sql_int("SELECT COUNT(*) FROM carts c LEFT JOIN transactions t ON t.cart_id = c.id "
                        "WHERE (c.status = 'PAID') <> (t.id IS NOT NULL) "
                        "OR (t.id IS NOT NULL AND t.user_id <> c.user_id)") == 0);
    // Every paid cart has lines.
    BOOST_TEST(stack().sql_int("SELECT COUNT(*) FROM transactions t WHERE NOT EXISTS "
                               "(SELECT 1 FROM cart_items ci WHERE ci.cart_id = t.cart_id)") == 0);
    // Transaction ids are UUIDv4.
    for (const auto& row : stack().sql_rows("SELECT id FROM transactions"))
        BOOST_TEST(is_uuid_v4(row.at(0)), "transaction id " << row.at(0));
    // Demo goods: seed stock less what was sold.
    BOOST_TEST(stack().sql_int(
                   "SELECT COUNT(*) FROM goods g WHERE g.id <= 7 AND g.stock <> "
                   "(CASE g.id WHEN 1 THEN 100 WHEN 2 THEN 45 WHEN 3 THEN 50 WHEN 4 THEN 100 "
                   "WHEN 5 THEN 100 WHEN 6 THEN 25 ELSE 30 END) - "
                   "(SELECT COALESCE(SUM(ci.quantity), 0) FROM cart_items ci JOIN carts c "
                   "ON c.id = ci.cart_id WHERE c.status = 'PAID' AND ci.goods_id = g.id)") == 0);
}

BOOST_AUTO_TEST_SUITE_END()
