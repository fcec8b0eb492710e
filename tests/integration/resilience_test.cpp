// Processes dying and the database going away, against a private stack:
// the pool's master replaces a worker killed with SIGKILL without the others
// noticing; while MariaDB is down every request gets a quick JSON 503 with
// Retry-After; when it is back, service resumes by itself, without a restart.
// No request may hang or get anything but a JSON envelope meanwhile.
#define BOOST_TEST_MODULE resilience
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "db_locks.h"
#include "expectations.h"
#include "shop_requests.h"
#include "stack_fixture.h"
#include "traffic.h"

using namespace umkm::test;

namespace {

constexpr int kWorkers = 3;

struct ResilienceStack : StackFixture {
    ResilienceStack() : StackFixture(config()) {}
    static StackConfig config() {
        StackConfig c;
        c.name = UMKM_TEST_STACK_NAME;
        c.http_port = UMKM_TEST_HTTP_PORT;
        c.workers = kWorkers;  // not the default, so that the count is the config's
        return c;
    }
};

using Clock = std::chrono::steady_clock;

std::string pid_list(const std::vector<pid_t>& pids) {
    std::ostringstream out;
    for (size_t i = 0; i < pids.size(); ++i) out << (i ? "," : "") << pids[i];
    return "[" + out.str() + "]";
}

bool contains(const std::vector<pid_t>& pids, pid_t pid) {
    return std::find(pids.begin(), pids.end(), pid) != pids.end();
}

// Every one of `n` requests of each kind is a 200.
void expect_all_ok(HttpClient& http, long long goods, long long price, int n) {
    for (int i = 0; i < n; ++i) {
        BOOST_TEST(is_ok(http.get(kHealth)));
        BOOST_TEST(is_ok(http.get(std::string(kStocks) + "?total_goods=5")));
        BOOST_TEST(is_ok(add_to_cart(http, std::nullopt, 60000 + i, goods, price, 1)));
    }
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(ResilienceStack);

BOOST_AUTO_TEST_SUITE(resilience)

BOOST_AUTO_TEST_CASE(the_pool_runs_the_configured_number_of_workers) {
    const auto workers = stack().wait_for_workers();
    BOOST_TEST(stack().master_pid() > 0);
    BOOST_TEST(process_alive(stack().master_pid()));
    BOOST_TEST(workers.size() == static_cast<size_t>(kWorkers), "workers " << pid_list(workers));
}

BOOST_AUTO_TEST_CASE(a_worker_killed_while_serving_is_replaced_and_the_others_carry_on) {
    const long long goods = stack().create_goods(stack().unique_name("kill worker"), 1000000, 500);
    const pid_t master = stack().master_pid();
    const auto before = stack().wait_for_workers();
    BOOST_REQUIRE_MESSAGE(before.size() == static_cast<size_t>(kWorkers),
                          "workers " << pid_list(before));
    const pid_t victim = before[before.size() / 2];

    Traffic traffic(4, goods, 500);
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    BOOST_REQUIRE_MESSAGE(kill(victim, SIGKILL) == 0, "cannot kill worker " << victim);

    std::vector<pid_t> after;
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    do {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        after = stack().worker_pids();
    } while ((contains(after, victim) || after.size() != static_cast<size_t>(kWorkers)) &&
             Clock::now() < deadline);
    std::this_thread::sleep_for(
        std::chrono::milliseconds(700));  // traffic against the new worker too
    traffic.stop();

    BOOST_TEST(!contains(after, victim),
               "killed worker " << victim << " still listed: " << pid_list(after));
    BOOST_TEST(after.size() == static_cast<size_t>(kWorkers),
               "workers before " << pid_list(before) << ", after " << pid_list(after));
    for (const pid_t other : before)
        if (other != victim)
            BOOST_TEST(contains(after, other), "worker "
                                                   << other << " did not survive the death of "
                                                   << victim << ": before " << pid_list(before)
                                                   << ", after " << pid_list(after));
    BOOST_TEST(stack().master_pid() == master);
    BOOST_TEST(process_alive(master));

    BOOST_TEST(traffic.ok() > 0, "no request succeeded during the test");
    BOOST_TEST(traffic.bad_count() == 0,
               "answers other than 200 or a JSON 503 during the kill; the first:"
                   << (traffic.bad().empty() ? Response() : traffic.bad().front()));
    BOOST_TEST_MESSAGE("during the kill: " << traffic.ok() << " ok, " << traffic.failed()
                                           << " JSON 503");

    HttpClient http(stack().base_url());
    expect_all_ok(http, goods, 500, 10);
    const long long cart_id = open_cart(http, 61000, goods, 500, 2);
    BOOST_TEST(is_ok(pay(http, cart_id, 1000)));
}

// Every worker is killed while one of them is in the middle of a payment
// (waiting for a row lock): that payment fails as a quick JSON 503 and
// changes nothing; the pool comes back and the same payment then succeeds.
BOOST_AUTO_TEST_CASE(killing_every_worker_mid_payment_is_recovered_and_changes_nothing) {
    const long long goods = stack().create_goods(stack().unique_name("kill all"), 1000, 500);
    HttpClient http(stack().base_url());
    const long long cart_id = open_cart(http, 62000, goods, 500, 3);
    const auto before = stack().wait_for_workers();
    BOOST_REQUIRE_EQUAL(before.size(), static_cast<size_t>(kWorkers));

    auto lock = hold_goods_lock(goods, 2);
    auto paying = std::async(std::launch::async, [cart_id] {
        HttpClient client(stack().base_url());
        return pay(client, cart_id, 1500);
    });
    BOOST_REQUIRE_MESSAGE(a_request_waits_for_a_lock(), "the pay never reached the lock");
    for (const pid_t pid : before) kill(pid, SIGKILL);
    const Response killed = paying.get();
    lock.get();
    BOOST_TEST(is_error(killed, 503, "ERR_UNAVAILABLE"));
    BOOST_TEST(killed.seconds < 2.0, "the client waited for the lock anyway: " << killed);
    BOOST_TEST(stack().sql_int("SELECT stock FROM goods WHERE id = " + std::to_string(goods)) ==
               1000);
    BOOST_TEST(stack().sql_int("SELECT COUNT(*) FROM transactions WHERE cart_id = " +
                               std::to_string(cart_id)) == 0);

    std::vector<pid_t> after;
    const auto deadline = Clock::now() + std::chrono::seconds(15);
    do {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        after = stack().worker_pids();
    } while (
        (after.size() != static_cast<size_t>(kWorkers) ||
         std::any_of(before.begin(), before.end(), [&](pid_t p) { return contains(after, p); })) &&
        Clock::now() < deadline);
    BOOST_TEST(after.size() == static_cast<size_t>(kWorkers),
               "workers before " << pid_list(before) << ", after " << pid_list(after));
    for (const pid_t pid : before)
        BOOST_TEST(!contains(after, pid), "killed worker " << pid << " still listed");

    expect_all_ok(http, goods, 500, 5);
    BOOST_TEST(is_ok(pay(http, cart_id, 1500)));
    BOOST_TEST(stack().sql_int("SELECT stock FROM goods WHERE id = " + std::to_string(goods)) ==
               997);
}

BOOST_AUTO_TEST_CASE(
    with_the_database_down_requests_get_a_quick_503_and_service_resumes_by_itself) {
    const long long goods = stack().create_goods(stack().unique_name("outage"), 1000, 700);
    HttpClient http(stack().base_url());
    // A sale committed before the outage must survive it.
    const long long paid_cart = open_cart(http, 62000, goods, 700, 1);
    const Response paid = pay(http, paid_cart, 700);
    BOOST_REQUIRE(is_ok(paid));
    const long long open_cart_id = open_cart(http, 62001, goods, 700, 1);

    const pid_t master = stack().master_pid();
    const auto workers = stack().wait_for_workers();

    stack().run_checked({"db-stop"}, 120);

    // Several rounds, so that every worker meets the outage.
    for (int round = 0; round < 4 * kWorkers; ++round) {
        for (Response r : {http.get(kHealth), http.get(std::string(kStocks) + "?total_goods=5"),
                           add_to_cart(http, std::nullopt, 62002, goods, 700, 1),
                           pay(http, open_cart_id, 700)}) {
            BOOST_TEST(is_error(r, 503, "ERR_UNAVAILABLE"));
            BOOST_TEST(r.seconds < 5.0, "503 took too long" << r);
        }
    }
    // Validation needs no database.
    BOOST_TEST(is_error(http.post(kCart, "{}"), 400, "ERR_BAD_REQUEST"));

    stack().run_checked({"db-start"}, 120);
    const auto restarted = Clock::now();

    // Until a whole round succeeds, every answer is a 200 or a JSON 503.
    bool recovered = false;
    while (!recovered && Clock::now() - restarted < std::chrono::seconds(15)) {
        recovered = true;
        for (int i = 0; i < 2 * kWorkers; ++i) {
            for (const Response& r :
                 {http.get(kHealth), http.get(std::string(kStocks) + "?total_goods=5")}) {
                BOOST_TEST(is_envelope_with(r, {200, 503}));
                recovered = recovered && r.status == 200;
            }
        }
        if (!recovered) std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    BOOST_TEST(recovered, "not every request succeeded within 15 s of db-start");
    BOOST_TEST_MESSAGE(
        "recovered "
        << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - restarted).count()
        << " ms after db-start");

    expect_all_ok(http, goods, 700, 3 * kWorkers);
    const Response later = pay(http, open_cart_id, 700);
    BOOST_TEST(is_ok(later));
    BOOST_TEST(is_uuid_v4(later.str("data.transaction_id")), later);
    // The replay of the sale before the outage is the same answer.
    const Response replay = pay(http, paid_cart, 700);
    BOOST_TEST(is_ok(replay));
    BOOST_TEST(replay.json == paid.json, "before the outage:" << paid << "\nafter:" << replay);
    BOOST_TEST(stack().sql_int("SELECT COUNT(*) FROM transactions WHERE id = '" +
                               paid.str("data.transaction_id") + "'") == 1);

    // Nothing was restarted: the workers reconnected by themselves.
    BOOST_TEST(stack().master_pid() == master);
    BOOST_TEST(stack().worker_pids() == workers, boost::test_tools::per_element());
}

// Beyond the list: if the master itself dies (SIGKILL, no chance to
// clean up), its workers must not linger as orphans holding database
// connections and the old socket, and scripts/stack pool-start brings the
// service back.
BOOST_AUTO_TEST_CASE(
    after_the_master_is_killed_its_workers_exit_and_the_pool_can_be_started_again) {
    const pid_t master = stack().master_pid();
    const auto workers = stack().wait_for_workers();
    BOOST_REQUIRE(master > 0);
    BOOST_REQUIRE(kill(master, SIGKILL) == 0);

    const auto deadline = Clock::now() + std::chrono::seconds(10);
    const auto any_alive = [&] {
        return std::any_of(workers.begin(), workers.end(),
                           [](pid_t p) { return process_alive(p); });
    };
    while (any_alive() && Clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    BOOST_TEST(!any_alive(),
               "workers " << pid_list(workers) << " outlived their master " << master);

    HttpClient http(stack().base_url());
    if (!any_alive()) {
        // No pool: nginx answers for it, quickly, in JSON.
        const Response r = http.get(std::string(kStocks) + "?total_goods=5");
        BOOST_TEST(is_error(r, 503, "ERR_UNAVAILABLE"));
        BOOST_TEST(r.seconds < 5.0, r);
    }

    stack().run_checked({"pool-start"}, 120);
    const auto workers_again = stack().wait_for_workers();
    BOOST_TEST(stack().master_pid() != master);
    BOOST_TEST(workers_again.size() == static_cast<size_t>(kWorkers),
               "workers " << pid_list(workers_again));
    const long long goods = stack().create_goods(stack().unique_name("new pool"), 100, 300);
    expect_all_ok(http, goods, 300, 5);
}

BOOST_AUTO_TEST_SUITE_END()
