// Many clients at once, through nginx, against a private stack: stock is
// never oversold, a cart is charged once however many clients pay it at the
// same moment, concurrent adds lose no quantity, and lock contention (even in
// opposite orders) is never surfaced as a 5xx. Threads only collect
// responses; the assertions run afterwards, on the main thread.
#define BOOST_TEST_MODULE concurrency
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "db_locks.h"
#include "expectations.h"
#include "shop_requests.h"
#include "stack_fixture.h"

using namespace umkm::test;

namespace {

constexpr int kListenBacklog = 48;

struct ConcurrencyStack : StackFixture {
    ConcurrencyStack() : StackFixture(config()) {}
    static StackConfig config() {
        StackConfig c;
        c.name = UMKM_TEST_STACK_NAME;
        c.http_port = UMKM_TEST_HTTP_PORT;
        c.workers = 4;
        // Room for the largest crowd below (40 at once) to wait, but a
        // short enough queue for the admission suite to overflow it.
        c.listen_backlog = kListenBacklog;
        return c;
    }
};

// Holds every thread until all are ready, then lets them go together.
class StartingGate {
  public:
    explicit StartingGate(int parties) : waiting_(parties) {}
    void arrive_and_wait() {
        std::unique_lock<std::mutex> lock(mutex_);
        if (--waiting_ == 0) cv_.notify_all();
        cv_.wait(lock, [&] { return waiting_ == 0; });
    }

  private:
    std::mutex mutex_;
    std::condition_variable cv_;
    int waiting_;
};

// Runs body(i) on `n` threads that start together, each with its own client.
template <typename Result>
std::vector<Result> run_together(int n, const std::function<Result(int, HttpClient&)>& body) {
    std::vector<Result> results(static_cast<size_t>(n));
    StartingGate gate(n);
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) {
        threads.emplace_back([&, i] {
            HttpClient http(ClientOptions{stack().base_url(), "", 60000, 5000});
            gate.arrive_and_wait();
            results[static_cast<size_t>(i)] = body(i, http);
        });
    }
    for (auto& t : threads) t.join();
    return results;
}

long long goods_stock(long long goods_id) {
    return stack().sql_int("SELECT stock FROM goods WHERE id = " + std::to_string(goods_id));
}

long long sold_of(long long goods_id) {
    return stack().sql_int(
        "SELECT COALESCE(SUM(ci.quantity), 0) FROM cart_items ci JOIN carts c ON c.id = ci.cart_id "
        "WHERE c.status = 'PAID' AND ci.goods_id = " +
        std::to_string(goods_id));
}

bool is_out_of_stock(const Response& r) {
    return r.status == 409 && r.str("status") == "ERR_OUT_OF_STOCK";
}

struct Purchase {
    Response add;
    std::optional<Response> pay;
};

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(ConcurrencyStack);

BOOST_AUTO_TEST_SUITE(concurrency)

// The scenario: 40 buyers, each with their own cart, for 25 units.
BOOST_AUTO_TEST_CASE(forty_buyers_for_twenty_five_units_make_exactly_twenty_five_sales) {
    const long long goods = stack().create_goods(stack().unique_name("last 25"), 25, 1000);
    const auto purchases = run_together<Purchase>(40, [&](int i, HttpClient& http) {
        Purchase p;
        p.add = add_to_cart(http, std::nullopt, 10000 + i, goods, 1000, 1);
        if (p.add.status == 200 && is_json_integer(p.add.at("data.cart_id")))
            p.pay = pay(http, p.add.at("data.cart_id").asInt64(), 1000);
        return p;
    });

    int sales = 0, out_of_stock = 0;
    std::set<std::string> transaction_ids;
    for (const auto& p : purchases) {
        if (p.add.status == 200) {
            BOOST_TEST(is_ok(p.add));
            BOOST_REQUIRE_MESSAGE(p.pay.has_value(), "cart added without a cart_id" << p.add);
            if (p.pay->status == 200) {
                BOOST_TEST(is_ok(*p.pay));
                BOOST_TEST(is_uuid_v4(p.pay->str("data.transaction_id")), *p.pay);
                BOOST_TEST(p.pay->at("data.total_amount") == J(1000), *p.pay);
                transaction_ids.insert(p.pay->str("data.transaction_id"));
                ++sales;
            } else {
                BOOST_TEST(is_out_of_stock(*p.pay),
                           "pay: expected 200 or 409 ERR_OUT_OF_STOCK" << *p.pay);
                BOOST_TEST(is_envelope(*p.pay));
                ++out_of_stock;
            }
        } else {
            BOOST_TEST(is_error(p.add, 409, "ERR_OUT_OF_STOCK", "total"));
            ++out_of_stock;
        }
    }
    BOOST_TEST(sales == 25);
    BOOST_TEST(out_of_stock == 15);
    BOOST_TEST(transaction_ids.size() == 25u);
    BOOST_TEST(goods_stock(goods) == 0);
    BOOST_TEST(sold_of(goods) == 25);
    // Exactly the transactions that were answered 200 exist for this goods.
    std::set<std::string> recorded;
    for (const auto& row :
         stack().sql_rows("SELECT DISTINCT t.id FROM transactions t JOIN cart_items ci ON "
                          "ci.cart_id = t.cart_id WHERE ci.goods_id = " +
                          std::to_string(goods)))
        recorded.insert(row.at(0));
    BOOST_TEST(recorded == transaction_ids, boost::test_tools::per_element());
}

// The scenario: one cart paid by 12 clients at once.
BOOST_AUTO_TEST_CASE(twelve_clients_paying_one_cart_make_one_sale) {
    const long long goods = stack().create_goods(stack().unique_name("one cart"), 10, 1500);
    HttpClient setup(stack().base_url());
    const long long cart_id = open_cart(setup, 20001, goods, 1500, 3);

    const auto answers =
        run_together<Response>(12, [&](int, HttpClient& http) { return pay(http, cart_id, 5000); });

    std::set<std::string> ids;
    for (const auto& r : answers) {
        BOOST_TEST(is_ok(r));
        BOOST_TEST(r.json == answers.front().json,
                   "answers differ:" << answers.front() << "\nand:" << r);
        ids.insert(r.str("data.transaction_id"));
    }
    BOOST_TEST(ids.size() == 1u);
    BOOST_TEST(answers.front().at("data.total_amount") == J(4500), answers.front());
    BOOST_TEST(answers.front().at("data.return_amount") == J(500), answers.front());
    BOOST_TEST(stack().sql_int("SELECT COUNT(*) FROM transactions WHERE cart_id = " +
                               std::to_string(cart_id)) == 1);
    const auto rows =
        stack().sql_rows("SELECT id FROM transactions WHERE cart_id = " + std::to_string(cart_id));
    BOOST_TEST((rows.size() == 1 && rows[0].at(0) == *ids.begin()));
    BOOST_TEST(goods_stock(goods) == 7);
}

// Half pay one amount, half another: whichever commits first wins; those with
// its amount get its answer, the others ERR_CART_CLOSED; one charge.
BOOST_AUTO_TEST_CASE(one_cart_paid_at_once_with_two_amounts_is_charged_once) {
    const long long goods = stack().create_goods(stack().unique_name("two amounts"), 10, 1000);
    HttpClient setup(stack().base_url());
    const long long cart_id = open_cart(setup, 20002, goods, 1000, 2);
    const auto amount_of = [](int i) { return i % 2 == 0 ? 2000LL : 3000LL; };

    const auto answers = run_together<Response>(
        12, [&](int i, HttpClient& http) { return pay(http, cart_id, amount_of(i)); });

    std::optional<long long> winner;
    for (const auto& r : answers)
        if (r.status == 200) winner = r.at("data.payment_amount").asInt64();
    BOOST_REQUIRE_MESSAGE(winner.has_value(),
                          "no payment succeeded; first answer:" << answers.front());
    std::set<std::string> ids;
    for (size_t i = 0; i < answers.size(); ++i) {
        const Response& r = answers[i];
        if (amount_of(static_cast<int>(i)) == *winner) {
            BOOST_TEST(is_ok(r));
            BOOST_TEST(r.at("data.payment_amount") == J(*winner), r);
            ids.insert(r.str("data.transaction_id"));
        } else {
            BOOST_TEST(is_error(r, 409, "ERR_CART_CLOSED"));
        }
    }
    BOOST_TEST(ids.size() == 1u);
    BOOST_TEST(stack().sql_int("SELECT COUNT(*) FROM transactions WHERE cart_id = " +
                               std::to_string(cart_id)) == 1);
    BOOST_TEST(stack().sql_int("SELECT payment_amount FROM transactions WHERE cart_id = " +
                               std::to_string(cart_id)) == *winner);
    BOOST_TEST(goods_stock(goods) == 8);
}

// 8 clients add one unit each, 5 times, to the same cart line: no add is
// lost, and each add sees its own count (the cart is updated one at a time).
BOOST_AUTO_TEST_CASE(concurrent_adds_to_one_cart_lose_no_quantity) {
    const long long goods = stack().create_goods(stack().unique_name("busy line"), 500, 100);
    HttpClient setup(stack().base_url());
    const long long user = 20003;
    const long long cart_id = open_cart(setup, user, goods, 100, 1);

    const auto answers = run_together<std::vector<Response>>(8, [&](int, HttpClient& http) {
        std::vector<Response> mine;
        for (int k = 0; k < 5; ++k) mine.push_back(add_to_cart(http, cart_id, user, goods, 100, 1));
        return mine;
    });

    std::vector<long long> counts;
    for (const auto& mine : answers)
        for (const auto& r : mine) {
            BOOST_TEST(is_ok(r));
            if (r.status == 200 && is_json_integer(r.at("data.total_goods")))
                counts.push_back(r.at("data.total_goods").asInt64());
        }
    std::sort(counts.begin(), counts.end());
    std::vector<long long> expected(40);
    std::iota(expected.begin(), expected.end(), 2);
    BOOST_TEST(counts == expected, boost::test_tools::per_element());
    BOOST_TEST(stack().sql_int(
                   "SELECT quantity FROM cart_items WHERE cart_id = " + std::to_string(cart_id) +
                   " AND goods_id = " + std::to_string(goods)) == 41);
}

// Carts holding the same two goods, added in opposite orders, all paid at
// once: pay locks goods in ascending id whatever the order of adding, so no
// two payments wait for each other in a cycle and every one succeeds.
BOOST_AUTO_TEST_CASE(payments_over_the_same_goods_in_opposite_orders_all_succeed) {
    const long long a = stack().create_goods(stack().unique_name("pair a"), 100, 100);
    const long long b = stack().create_goods(stack().unique_name("pair b"), 100, 200);
    HttpClient setup(stack().base_url());
    std::vector<long long> carts;
    for (int i = 0; i < 20; ++i) {
        const long long user = 30000 + i;
        const bool a_first = i % 2 == 0;
        const long long cart_id = open_cart(setup, user, a_first ? a : b, a_first ? 100 : 200, 1);
        BOOST_REQUIRE(
            is_ok(add_to_cart(setup, cart_id, user, a_first ? b : a, a_first ? 200 : 100, 1)));
        carts.push_back(cart_id);
    }
    const auto answers = run_together<Response>(
        20, [&](int i, HttpClient& http) { return pay(http, carts[static_cast<size_t>(i)], 300); });
    for (const auto& r : answers) {
        BOOST_TEST(is_ok(r));
        BOOST_TEST(r.at("data.total_amount") == J(300), r);
    }
    BOOST_TEST(goods_stock(a) == 80);
    BOOST_TEST(goods_stock(b) == 80);
}

// 30 buyers each want one of X and one of Y, 10 of each exist: exactly 10
// buyers get both, and nobody gets half.
BOOST_AUTO_TEST_CASE(buyers_of_two_scarce_goods_never_get_half_an_order) {
    const long long x = stack().create_goods(stack().unique_name("scarce x"), 10, 100);
    const long long y = stack().create_goods(stack().unique_name("scarce y"), 10, 100);
    const auto purchases = run_together<std::vector<Response>>(30, [&](int i, HttpClient& http) {
        std::vector<Response> steps;
        const long long user = 40000 + i;
        const long long first = i % 2 == 0 ? x : y, second = i % 2 == 0 ? y : x;
        steps.push_back(add_to_cart(http, std::nullopt, user, first, 100, 1));
        if (steps.back().status != 200 || !is_json_integer(steps.back().at("data.cart_id")))
            return steps;
        const long long cart_id = steps.back().at("data.cart_id").asInt64();
        steps.push_back(add_to_cart(http, cart_id, user, second, 100, 1));
        if (steps.back().status != 200) return steps;
        steps.push_back(pay(http, cart_id, 200));
        return steps;
    });
    int sales = 0;
    for (const auto& steps : purchases) {
        for (const auto& r : steps) {
            if (r.status == 200) {
                BOOST_TEST(is_ok(r));
            } else {
                BOOST_TEST(is_out_of_stock(r), "expected 200 or 409 ERR_OUT_OF_STOCK" << r);
                BOOST_TEST(is_envelope(r));
            }
        }
        if (steps.size() == 3 && steps.back().status == 200) ++sales;
    }
    BOOST_TEST(sales == 10);
    BOOST_TEST(goods_stock(x) == 0);
    BOOST_TEST(goods_stock(y) == 0);
    BOOST_TEST(sold_of(x) == 10);
    BOOST_TEST(sold_of(y) == 10);
}

// (Negative stock and a wrong change amount are refused by the schema's CHECK
// constraints; shop_api_test proves those constraints are there.)
BOOST_AUTO_TEST_CASE(database_invariants_hold_after_the_rush) {
    BOOST_TEST(
        stack().sql_int("SELECT COUNT(*) FROM transactions t WHERE t.total_amount <> "
                        "(SELECT COALESCE(SUM(ci.quantity * ci.price), 0) FROM cart_items ci "
                        "WHERE ci.cart_id = t.cart_id)") == 0);
    BOOST_TEST(
        stack().sql_int("SELECT COUNT(*) FROM carts c LEFT JOIN transactions t ON t.cart_id = c.id "
                        "WHERE (c.status = 'PAID') <> (t.id IS NOT NULL)") == 0);
}

// A deadlock is retried, never surfaced. A session locks goods B, then asks
// for goods A while a pay that holds A waits for B. InnoDB rolls back the
// lighter transaction: the pay, since the session wrote rows first. The pay
// runs again once the session is done and succeeds, taking stock once.
BOOST_AUTO_TEST_CASE(a_pay_chosen_as_deadlock_victim_is_retried_and_succeeds) {
    const long long a = stack().create_goods(stack().unique_name("deadlock a"), 10, 100);
    const long long b = stack().create_goods(stack().unique_name("deadlock b"), 10, 200);
    BOOST_REQUIRE(a < b);  // pay locks a first
    HttpClient http(stack().base_url());
    const long long cart_id = open_cart(http, 39000, a, 100, 1);
    BOOST_REQUIRE(is_ok(add_to_cart(http, cart_id, 39000, b, 200, 1)));
    const std::string deadlocks =
        "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
        "WHERE VARIABLE_NAME = 'INNODB_DEADLOCKS'";
    const long long deadlocks_before = stack().sql_int(deadlocks);

    std::string heavy = "INSERT INTO carts (user_id) VALUES (999001)";
    for (int i = 0; i < 30; ++i) heavy += ",(999001)";
    auto session = hold_goods_lock(b, 2, heavy + ";",
                                   "SELECT id FROM goods WHERE id = " + std::to_string(a) +
                                       " FOR UPDATE; DELETE FROM carts WHERE user_id = 999001;");
    auto paying = std::async(std::launch::async, [cart_id] {
        HttpClient client(stack().base_url());
        return pay(client, cart_id, 300);
    });
    BOOST_REQUIRE_MESSAGE(a_request_waits_for_a_lock(), "the pay never waited for goods b");
    const Response paid = paying.get();
    const bool session_committed = session.get();

    BOOST_TEST(session_committed, "the session, not the pay, was the deadlock victim");
    BOOST_TEST(stack().sql_int(deadlocks) >= deadlocks_before + 1, "no deadlock happened");
    BOOST_TEST(is_ok(paid), "the deadlock reached the client: " << paid);
    BOOST_TEST(paid.at("data.total_amount") == J(300), paid);
    BOOST_TEST(goods_stock(a) == 9);
    BOOST_TEST(goods_stock(b) == 9);
    BOOST_TEST(stack().sql_int("SELECT COUNT(*) FROM transactions WHERE cart_id = " +
                               std::to_string(cart_id)) == 1);
}

BOOST_AUTO_TEST_SUITE_END()

// The pool's admission control (umkm.conf max_queue_wait_ms, 100 here): a
// request that waited longer than that for a free worker is answered 503
// with Retry-After before it touches anything, while the requests that got
// a worker finish normally.
BOOST_AUTO_TEST_SUITE(admission)

BOOST_AUTO_TEST_CASE(a_request_that_waited_too_long_for_a_worker_is_turned_away_untouched) {
    const long long goods = stack().create_goods(stack().unique_name("held"), 100, 1000);
    HttpClient setup(stack().base_url());
    std::vector<long long> carts;
    for (int i = 0; i < 4; ++i) carts.push_back(open_cart(setup, 300 + i, goods, 1000, 2));

    // Every worker takes a pay that then waits for the goods' row lock.
    auto held = hold_goods_lock(goods, 2);
    std::vector<std::future<Response>> pays;
    for (long long cart : carts) {
        pays.push_back(std::async(std::launch::async, [cart] {
            HttpClient http(stack().base_url());
            return pay(http, cart, 2000);
        }));
    }
    BOOST_TEST_REQUIRE(
        eventually("SELECT IF(COUNT(*) >= 4, 1, 0) FROM information_schema.INNODB_TRX "
                   "WHERE trx_state = 'LOCK WAIT'"),
        "the four pays never all waited for the lock");

    // A health check and a listing now queue behind them for longer than
    // max_queue_wait_ms.
    auto health = std::async(std::launch::async, [] {
        HttpClient http(stack().base_url());
        return http.get("/api/small/health");
    });
    HttpClient late(stack().base_url());
    const Response turned_away = late.get("/api/small/stocks");
    BOOST_TEST(is_error(turned_away, 503, "ERR_UNAVAILABLE"), turned_away);
    // The Retry-After the pool sends with every 503 (umkm.conf retry_after).
    BOOST_TEST(turned_away.header("Retry-After") == "2", turned_away);
    // The health check waited just as long but is never shed: the
    // database is fine, only busy.
    const Response healthy = health.get();
    BOOST_TEST(is_ok(healthy), "health is never shed" << healthy);

    for (auto& p : pays) {
        const Response r = p.get();
        BOOST_TEST(is_ok(r), "a pay that had a worker must finish" << r);
    }
    BOOST_TEST(held.get());
    BOOST_TEST(stack().sql_int("SELECT stock FROM goods WHERE id = " + std::to_string(goods)) ==
               92);
    // With the workers free again, nothing waits: the next listing is served.
    BOOST_TEST(is_ok(late.get("/api/small/stocks")));
}

// The first line of admission control (umkm.conf listen_backlog, 48 here):
// when the queue for a worker is full, nginx cannot even connect and the
// client gets the JSON 503 with Retry-After at once, while every worker is
// still busy, instead of waiting for a place.
BOOST_AUTO_TEST_CASE(a_request_beyond_a_full_queue_is_turned_away_at_once) {
    using Clock = std::chrono::steady_clock;
    const long long goods = stack().create_goods(stack().unique_name("queue"), 100, 1000);
    HttpClient setup(stack().base_url());
    std::vector<long long> carts;
    for (int i = 0; i < 4; ++i) carts.push_back(open_cart(setup, 400 + i, goods, 1000, 1));

    // Every worker takes a pay that waits 3 s for the goods' row lock.
    auto held = hold_goods_lock(goods, 3);
    std::vector<std::future<std::pair<Response, Clock::time_point>>> pays;
    for (long long cart : carts) {
        pays.push_back(std::async(std::launch::async, [cart] {
            HttpClient http(stack().base_url());
            Response r = pay(http, cart, 1000);
            return std::make_pair(std::move(r), Clock::now());
        }));
    }
    BOOST_TEST_REQUIRE(
        eventually("SELECT IF(COUNT(*) >= 4, 1, 0) FROM information_schema.INNODB_TRX "
                   "WHERE trx_state = 'LOCK WAIT'"),
        "the four pays never all waited for the lock");

    // Twice the queue's length of listings at once: the queue takes its
    // share, the rest cannot get in.
    const int crowd = 2 * kListenBacklog;
    const auto listings =
        run_together<std::pair<Response, Clock::time_point>>(crowd, [](int, HttpClient& http) {
            Response r = http.get("/api/small/stocks");
            return std::make_pair(std::move(r), Clock::now());
        });

    Clock::time_point first_pay_answered = Clock::time_point::max();
    for (auto& p : pays) {
        const auto [r, at] = p.get();
        BOOST_TEST(is_ok(r), "a pay that had a worker must finish" << r);
        first_pay_answered = std::min(first_pay_answered, at);
    }
    BOOST_TEST(held.get());

    // A listing answered well before any pay was answered never had a
    // worker: every worker was held by a pay until the lock was let go.
    int turned_away_at_once = 0;
    for (const auto& [r, at] : listings) {
        // Everyone gets the JSON envelope: a listing, or a 503 to retry.
        BOOST_TEST((is_ok(r) || is_error(r, 503, "ERR_UNAVAILABLE")), r);
        if (r.status != 503) continue;
        BOOST_TEST(r.header("Retry-After") == "2", r);
        if (at + std::chrono::milliseconds(500) < first_pay_answered) ++turned_away_at_once;
    }
    BOOST_TEST(turned_away_at_once >= crowd - kListenBacklog - 1 - 4,
               "only " << turned_away_at_once << " of " << crowd
                       << " listings were turned away while every worker was busy");
    BOOST_TEST(stack().sql_int("SELECT stock FROM goods WHERE id = " + std::to_string(goods)) ==
               96);
    BOOST_TEST(is_ok(setup.get("/api/small/stocks")));
}

BOOST_AUTO_TEST_SUITE_END()
