// A power cut in the middle of a payment storm: every process of the stack
// (nginx, the pool's master, workers and dispatcher, MariaDB) is killed with
// SIGKILL at the same moment, with no chance to flush or clean up, and the
// stack is started again. Then the client's log is held against the
// database: every add and payment acknowledged with 200 is there, no stock
// went negative, no unit was sold twice (stock + sold = stock before), and
// every paid total is the sum of its lines.
//
// SIGKILL loses what a process holds, not what the kernel holds: the
// durability of a commit past a real power cut rests on MariaDB's
// innodb_flush_log_at_trx_commit = 1 and the doublewrite buffer, which the
// last test checks are on.
#define BOOST_TEST_MODULE power_cut
#include <signal.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "expectations.h"
#include "ledger.h"
#include "shop_requests.h"
#include "stack_fixture.h"
#include "storm.h"

using namespace umkm::test;
using namespace std::chrono_literals;

namespace {

struct PowerCutStack : StackFixture {
    PowerCutStack() : StackFixture(config()) {}
    static StackConfig config() {
        StackConfig c;
        c.name = UMKM_TEST_STACK_NAME;
        c.http_port = UMKM_TEST_HTTP_PORT;
        return c;
    }
};

// nginx's master and workers, the pool's master, workers and dispatcher,
// and MariaDB.
std::vector<pid_t> every_server_process() {
    std::vector<pid_t> pids;
    for (const pid_t parent : {stack().nginx_pid(), stack().master_pid(), stack().database_pid()}) {
        BOOST_REQUIRE_MESSAGE(parent > 0 && process_alive(parent),
                              "a server process is missing: " << parent);
        pids.push_back(parent);
        for (pid_t child : children_of(parent)) pids.push_back(child);
    }
    return pids;
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(PowerCutStack);

BOOST_AUTO_TEST_SUITE(power_cut)

BOOST_AUTO_TEST_CASE(every_acknowledged_payment_survives_a_power_cut_mid_storm) {
    // Two scarce goods, sold out while the power goes, so that buyers race
    // for the last units; three plentiful ones, so that payments go on
    // until the cut.
    std::vector<StormGoods> goods;
    for (const auto& [price, stock] : std::vector<std::pair<long long, long long>>{
             {1000, 40}, {2000, 1000000}, {3500, 60}, {5000, 1000000}, {12000, 1000000}})
        goods.push_back(
            {stack().create_goods(stack().unique_name("power cut"), stock, price), price});
    const StockBefore before = stock_of(goods);

    Storm storm(8, goods, 3, 5000);
    BOOST_REQUIRE(storm.wait_for_answers(1500, 30s));
    const auto processes = every_server_process();
    for (pid_t pid : processes) kill(pid, SIGKILL);
    storm.stop();
    for (pid_t pid : processes) {
        for (int i = 0; i < 100 && process_alive(pid); ++i) std::this_thread::sleep_for(50ms);
        BOOST_REQUIRE_MESSAGE(!process_alive(pid), "process " << pid << " survived SIGKILL");
    }
    BOOST_TEST_MESSAGE("cut the power after " << storm.adds().size() << " acknowledged adds and "
                                              << storm.pays().size() << " acknowledged payments");
    BOOST_TEST(storm.pays().size() > 100u, "the storm paid too little to prove anything");
    BOOST_TEST(storm.counts().declined > 0, "no scarce goods sold out before the cut");

    stack().run_checked({"start"}, 300);
    check_the_books(before, storm.adds(), storm.pays());

    // And the shop trades again.
    HttpClient http(stack().base_url());
    const long long fresh = stack().create_goods(stack().unique_name("after the cut"), 10, 2500);
    const long long cart = open_cart(http, 880001, fresh, 2500, 1);
    BOOST_TEST(is_ok(pay(http, cart, 2500)));
}

BOOST_AUTO_TEST_CASE(the_database_flushes_every_commit) {
    BOOST_TEST(stack().sql_int("SELECT @@innodb_flush_log_at_trx_commit") == 1);
    BOOST_TEST(stack().sql_int("SELECT @@innodb_doublewrite") == 1);
}

BOOST_AUTO_TEST_SUITE_END()
