// Beyond one Pi: three MariaDB Galera nodes, two pools behind one nginx
// (scripts/cluster, all on loopback), with pool J writing through node J so
// that both write at once and Galera's certification conflicts happen.
//
// In the middle of a payment storm a database node and a pool are killed
// with SIGKILL. Customers may see a 200, an out-of-stock 409 or a JSON 503
// with Retry-After; never anything else. Afterwards the books are held
// against the clients' log on every surviving node, and on the killed node
// once it has rejoined: every acknowledged add and payment is there, no
// stock went negative, stock + sold = stock before (no oversell), totals
// are the sum of their lines.
#define BOOST_TEST_MODULE scale_out
#include <signal.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cluster.h"
#include "expectations.h"
#include "ledger.h"
#include "shop_requests.h"
#include "storm.h"

using namespace umkm::test;
using namespace std::chrono_literals;

namespace {

constexpr int kNodes = 3;
constexpr int kPools = 2;

Cluster& cluster() {
    static Cluster instance(UMKM_TEST_CLUSTER_PORT, kNodes, kPools);
    return instance;
}

struct ClusterFixture {
    ClusterFixture() { cluster().start(); }
    ~ClusterFixture() {
        try {
            cluster().stop();
        } catch (const std::exception& e) {
            BOOST_TEST_MESSAGE("stopping the cluster: " << e.what());
        }
    }
};

// Write sets that lost certification or were aborted by a replicated one,
// on the nodes given: each is a transaction Galera rolled back.
long long galera_conflicts(const std::vector<int>& nodes) {
    long long sum = 0;
    for (int node : nodes)
        sum += cluster().sql_int(node,
                                 "SELECT COALESCE(SUM(VARIABLE_VALUE), 0) FROM "
                                 "information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN "
                                 "('WSREP_LOCAL_CERT_FAILURES', 'WSREP_LOCAL_BF_ABORTS')");
    return sum;
}

std::vector<StormGoods> storm_goods(const std::string& label) {
    // Two scarce goods, sold out during the storm, so that buyers on both
    // pools race for the last units through different nodes; three
    // plentiful ones, so that payments go on until the end.
    std::vector<StormGoods> goods;
    int n = 0;
    for (const auto& [price, stock] : std::vector<std::pair<long long, long long>>{
             {1000, 60}, {2000, 1000000}, {3500, 80}, {5000, 1000000}, {12000, 1000000}}) {
        const long long id =
            cluster().sql_int(1, "INSERT INTO goods (name, stock, price) VALUES ('it " + label +
                                     " " + std::to_string(++n) + "', " + std::to_string(stock) +
                                     ", " + std::to_string(price) + "); SELECT LAST_INSERT_ID();");
        goods.push_back({id, price});
    }
    return goods;
}

void require_no_bad_answer(const Storm& storm) {
    const StormCounts c = storm.counts();
    BOOST_TEST_MESSAGE("storm: " << c.ok << " ok, " << c.declined << " out of stock, " << c.refused
                                 << " JSON 503, " << c.bad << " bad; slowest " << storm.slowest()
                                 << " s");
    for (const auto& example : storm.bad_examples()) BOOST_ERROR("bad answer: " << example);
    BOOST_TEST(c.bad == 0);
    BOOST_TEST(c.ok > 0);
}

// The pool's master first (so that it forks no replacement), then its
// workers and dispatcher.
void kill_pool(pid_t master) {
    const std::vector<pid_t> children = children_of(master);
    kill(master, SIGKILL);
    for (pid_t pid : children) kill(pid, SIGKILL);
}

bool buy_one(const std::string& base_url, long long goods_id, long long price) {
    HttpClient http(ClientOptions{base_url, "", 10000, 2000});
    const Response added = add_to_cart(http, std::nullopt, 950000, goods_id, price, 1);
    if (added.status != 200) return false;
    return pay(http, added.at("data.cart_id").asLargestInt(), price).status == 200;
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(ClusterFixture);

BOOST_AUTO_TEST_SUITE(scale_out)

BOOST_AUTO_TEST_CASE(every_acknowledged_payment_survives_losing_a_node_and_a_pool_mid_storm) {
    const std::vector<StormGoods> goods = storm_goods("scale out");
    const StockBefore before = stock_of(goods, cluster().books_on(1));
    const long long conflicts_before = galera_conflicts({1, 2, 3});

    Storm storm(8, goods, 3, 10000, cluster().base_url());
    BOOST_REQUIRE(storm.wait_for_answers(1500, 60s));
    // Both pools wrote through their own node: Galera rolled some of their
    // transactions back at commit, and the pools retried them (no storm
    // answer is bad).
    const long long conflicts = galera_conflicts({1, 2, 3}) - conflicts_before;
    BOOST_TEST_MESSAGE("Galera conflicts before the faults: " << conflicts);
    BOOST_TEST(conflicts > 0, "no write set conflicted: the retry path was not exercised");

    // Node 2 (pool 2's) and pool 1 die at once: pool 2 moves to node 3,
    // and nginx sends everything to pool 2.
    const pid_t node2 = cluster().node_pid(2);
    const pid_t pool1 = cluster().pool_pid(1);
    BOOST_REQUIRE(node2 > 0 && process_alive(node2));
    BOOST_REQUIRE(pool1 > 0 && process_alive(pool1));
    const StormCounts at_kill = storm.counts();
    kill(node2, SIGKILL);
    kill_pool(pool1);
    BOOST_REQUIRE_MESSAGE(storm.wait_for_answers(1500, 60s),
                          "the shop stopped answering after losing a node and a pool");
    storm.stop();
    require_no_bad_answer(storm);
    // The shop went on selling: pool 2 moved to node 3 and nginx sent
    // everything to pool 2. (A storm that got only 503s after the kill
    // fails here. Some 503s are right: the requests in flight at the kill,
    // and those shed by max_queue_wait_ms while the cluster pauses to evict
    // the dead node.)
    const StormCounts after = storm.counts();
    BOOST_TEST_MESSAGE("after the kill: " << after.ok - at_kill.ok << " ok, "
                                          << after.refused - at_kill.refused << " JSON 503");
    BOOST_TEST(after.ok - at_kill.ok > 1000);
    BOOST_TEST(!process_alive(node2));
    BOOST_TEST_MESSAGE(storm.pays().size() << " payments acknowledged");

    for (int node : {1, 3}) {
        BOOST_TEST_CONTEXT("node " << node) {
            check_the_books(before, storm.adds(), storm.pays(), cluster().books_on(node));
        }
    }

    // The killed node rejoins (it takes what it missed from the others) and
    // holds the same books; the killed pool serves again.
    cluster().run({"node-start", "2"}, 180);
    BOOST_TEST_CONTEXT("node 2, rejoined") {
        check_the_books(before, storm.adds(), storm.pays(), cluster().books_on(2));
    }
    cluster().run({"pool-start", "1"});
    for (int i = 0; i < 4; ++i)
        BOOST_TEST(buy_one(cluster().base_url(), goods[1].id, goods[1].price));
}

BOOST_AUTO_TEST_CASE(a_node_that_refuses_clients_is_left_for_the_next) {
    const std::vector<StormGoods> goods = storm_goods("refusing node");
    const StockBefore before = stock_of(goods, cluster().books_on(1));

    Storm storm(6, goods, 2, 10000, cluster().base_url());
    BOOST_REQUIRE(storm.wait_for_answers(300, 60s));
    // What a node cut off from the others does: it stays up and refuses
    // every query with error 1047. Pool 1's workers, connected to it, must
    // move to the next node.
    cluster().sql_rows(1, "SET GLOBAL wsrep_reject_queries = ALL");
    const StormCounts at_start = storm.counts();
    const bool answered = storm.wait_for_answers(1500, 60s);
    const StormCounts at_end = storm.counts();
    cluster().sql_rows(1, "SET GLOBAL wsrep_reject_queries = NONE");
    storm.stop();
    BOOST_REQUIRE(answered);
    require_no_bad_answer(storm);
    // A worker that meets the refusal before its transaction's first
    // statement retries on the next node at once; at most the one request
    // per worker of pool 1 caught at COMMIT is answered 503.
    BOOST_TEST(at_end.refused - at_start.refused <= 4,
               at_end.refused - at_start.refused
                   << " requests refused while node 1 refused clients: pool 1 did not move on");
    BOOST_TEST(at_end.ok - at_start.ok > 1000);
    check_the_books(before, storm.adds(), storm.pays(), cluster().books_on(3));
}

BOOST_AUTO_TEST_SUITE_END()
