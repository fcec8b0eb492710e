// The pool's master managing its workers over their life, against a private
// stack: SIGHUP reloads the configuration without failing a request, workers
// are recycled after max_requests, a request over request_timeout has its
// worker killed and replaced, and SIGTERM lets in-flight requests finish
// before the pool stops.
#define BOOST_TEST_MODULE pool_lifecycle
#include <signal.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <regex>
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
using namespace std::chrono_literals;

namespace {

constexpr int kWorkers = 3;

struct LifecycleStack : StackFixture {
    LifecycleStack() : StackFixture(config()) {}
    static StackConfig config() {
        StackConfig c;
        c.name = UMKM_TEST_STACK_NAME;
        c.http_port = UMKM_TEST_HTTP_PORT;
        c.workers = kWorkers;
        return c;
    }
};

using Clock = std::chrono::steady_clock;

std::string pool_config_path() {
    return stack().state_dir() + "/etc/umkm.conf";
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Sets `key = value` in the pool's config file (the key must be there).
void set_pool_setting(const std::string& key, const std::string& value) {
    std::string text = read_file(pool_config_path());
    std::regex line("(^|\n)" + key + " *=[^\n]*");
    BOOST_REQUIRE_MESSAGE(std::regex_search(text, line), key << " not in " << pool_config_path());
    text = std::regex_replace(text, line, "$1" + key + " = " + value);
    std::ofstream(pool_config_path()) << text;
}

void reload_pool() {
    BOOST_REQUIRE_MESSAGE(kill(stack().master_pid(), SIGHUP) == 0, "cannot signal the master");
}

bool disjoint(const std::vector<pid_t>& a, const std::vector<pid_t>& b) {
    return std::none_of(a.begin(), a.end(),
                        [&](pid_t p) { return std::find(b.begin(), b.end(), p) != b.end(); });
}

// Waits until the master has `count` workers, none of them from `old`.
std::vector<pid_t> wait_for_new_workers(const std::vector<pid_t>& old, size_t count) {
    std::vector<pid_t> now;
    const auto deadline = Clock::now() + 10s;
    do {
        std::this_thread::sleep_for(50ms);
        now = stack().worker_pids();
    } while ((now.size() != count || !disjoint(now, old)) && Clock::now() < deadline);
    return now;
}

std::size_t count_in_pool_log(const std::string& text) {
    std::string log = read_file(stack().state_dir() + "/log/umkm-fcgi.log");
    std::size_t n = 0;
    for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++n;
    return n;
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(LifecycleStack);

BOOST_AUTO_TEST_SUITE(pool_lifecycle)

BOOST_AUTO_TEST_CASE(sighup_replaces_every_worker_without_failing_a_request) {
    const long long goods = stack().create_goods(stack().unique_name("reload"), 1000000, 700);
    const auto before = stack().wait_for_workers();
    BOOST_REQUIRE_EQUAL(before.size(), static_cast<size_t>(kWorkers));

    // More clients than workers: the listening socket always has a queued
    // connection, the case where a worker could miss its stop signal.
    Traffic traffic(3 * kWorkers, goods, 700);
    std::this_thread::sleep_for(500ms);
    reload_pool();
    const auto after = wait_for_new_workers(before, kWorkers);
    std::this_thread::sleep_for(500ms);  // traffic against the new generation too
    reload_pool();                       // and a second reload back to back
    std::this_thread::sleep_for(700ms);
    traffic.stop();

    BOOST_TEST(disjoint(before, after), "old workers survived the reload");
    BOOST_TEST(after.size() == static_cast<size_t>(kWorkers));
    BOOST_TEST(traffic.ok() > 100, "too little traffic to prove anything: " << traffic.ok());
    BOOST_TEST(traffic.failed() == 0, traffic.failed() << " requests failed during the reloads");
    BOOST_TEST(traffic.bad_count() == 0,
               "unexpected answers; the first: "
                   << (traffic.bad().empty() ? Response() : traffic.bad().front()));
}

BOOST_AUTO_TEST_CASE(sighup_applies_a_new_worker_count_and_refuses_a_broken_file) {
    const auto before = stack().wait_for_workers();
    set_pool_setting("workers", "2");
    reload_pool();
    auto workers = wait_for_new_workers(before, 2);
    BOOST_TEST(workers.size() == 2u);
    BOOST_TEST(disjoint(before, workers));

    // A broken file is refused and the running pool keeps serving.
    const std::string good = read_file(pool_config_path());
    std::ofstream(pool_config_path()) << good << "\n[pool]\nno_such_knob = 1\n";
    reload_pool();
    std::this_thread::sleep_for(500ms);
    BOOST_TEST(stack().worker_pids() == workers);
    BOOST_TEST(count_in_pool_log("reload refused") >= 1u);
    HttpClient http(stack().base_url());
    BOOST_TEST(is_ok(http.get(kHealth)));

    std::ofstream(pool_config_path()) << good;
    set_pool_setting("workers", std::to_string(kWorkers));
    reload_pool();
    BOOST_TEST(wait_for_new_workers(workers, kWorkers).size() == static_cast<size_t>(kWorkers));
}

BOOST_AUTO_TEST_CASE(workers_are_recycled_after_max_requests_without_failing_a_request) {
    const long long goods = stack().create_goods(stack().unique_name("recycle"), 1000000, 300);
    const auto before = stack().wait_for_workers();
    set_pool_setting("max_requests", "10");
    reload_pool();
    const auto first = wait_for_new_workers(before, kWorkers);
    const std::size_t replaced_before = count_in_pool_log("replacing it");

    HttpClient http(stack().base_url());
    for (int i = 0; i < 120; ++i) {
        Response r = i % 2 ? http.get(std::string(kStocks) + "?total_goods=3")
                           : add_to_cart(http, std::nullopt, 70000 + i, goods, 300, 1);
        BOOST_TEST(is_ok(r));
    }
    const auto later = stack().wait_for_workers();
    BOOST_TEST(disjoint(first, later), "no worker was recycled after 120 requests");
    BOOST_TEST(later.size() == static_cast<size_t>(kWorkers));
    // Recycling is not dying: the master does not count it as a restart.
    BOOST_TEST(count_in_pool_log("replacing it") == replaced_before);

    set_pool_setting("max_requests", "10000");
    reload_pool();
    wait_for_new_workers(later, kWorkers);
}

BOOST_AUTO_TEST_CASE(a_request_over_request_timeout_gets_its_worker_replaced) {
    const long long goods = stack().create_goods(stack().unique_name("slow"), 10, 400);
    HttpClient http(stack().base_url());
    const long long cart_id = open_cart(http, 71000, goods, 400, 1);
    const auto old_workers = stack().wait_for_workers();
    set_pool_setting("request_timeout", "1");
    reload_pool();
    const auto before = wait_for_new_workers(old_workers, kWorkers);
    const std::size_t timeouts_before = count_in_pool_log("exceeded request_timeout");

    // The lock outlasts the pay's whole budget (its lock wait timeout is 4 s
    // and retried once), so only request_timeout can end it early.
    auto lock = hold_goods_lock(goods, 3);
    const Response r = pay(http, cart_id, 400);
    lock.get();

    // The worker died mid-request: nginx answers for it, as the contract's
    // JSON 503 with Retry-After.
    BOOST_TEST(is_error(r, 503, "ERR_UNAVAILABLE"));
    BOOST_TEST(r.seconds < 2.9, "the request waited for the lock instead of being cut off");
    BOOST_TEST(count_in_pool_log("exceeded request_timeout") == timeouts_before + 1);
    const auto after = stack().wait_for_workers();
    BOOST_TEST(after.size() == static_cast<size_t>(kWorkers));
    BOOST_TEST(!disjoint(before, after), "more than the slow worker was replaced");
    BOOST_TEST(!(before == after), "the slow worker was not replaced");
    // The killed transaction changed nothing: paying now works, once.
    BOOST_TEST(stack().sql_int("SELECT stock FROM goods WHERE id = " + std::to_string(goods)) ==
               10);
    BOOST_TEST(is_ok(pay(http, cart_id, 400)));
    BOOST_TEST(stack().sql_int("SELECT stock FROM goods WHERE id = " + std::to_string(goods)) == 9);

    set_pool_setting("request_timeout", "30");
    reload_pool();
    wait_for_new_workers(after, kWorkers);
}

BOOST_AUTO_TEST_CASE(sigusr1_reopens_the_log_and_the_pool_keeps_serving) {
    const auto before = stack().wait_for_workers();
    const std::string log = stack().state_dir() + "/log/umkm-fcgi.log";
    const std::string rotated = log + ".1";
    BOOST_REQUIRE(std::rename(log.c_str(), rotated.c_str()) == 0);  // as logrotate does
    BOOST_REQUIRE(kill(stack().master_pid(), SIGUSR1) == 0);
    const auto after = wait_for_new_workers(before, kWorkers);
    BOOST_TEST(disjoint(before, after));
    BOOST_TEST(read_file(log).find("log reopened") != std::string::npos,
               "nothing written to the reopened log");
    HttpClient http(stack().base_url());
    for (int i = 0; i < 20; ++i) BOOST_TEST(is_ok(http.get(kHealth)));
    // Put the old lines back in front so later tests can count in one file.
    const std::string fresh = read_file(log);
    std::ofstream(log) << read_file(rotated) << fresh;
    std::remove(rotated.c_str());
}

// Last: it stops the pool (and starts it again for the fixture's teardown).
BOOST_AUTO_TEST_CASE(sigterm_lets_the_request_in_flight_finish_then_stops) {
    const long long goods = stack().create_goods(stack().unique_name("drain"), 10, 600);
    HttpClient http(stack().base_url());
    const long long cart_id = open_cart(http, 72000, goods, 600, 2);
    const pid_t master = stack().master_pid();
    const auto workers = stack().wait_for_workers();

    auto lock = hold_goods_lock(goods, 2);
    auto paying = std::async(std::launch::async, [cart_id] {
        HttpClient client(stack().base_url());
        return pay(client, cart_id, 1200);
    });
    BOOST_REQUIRE_MESSAGE(a_request_waits_for_a_lock(), "the pay never reached the lock");
    BOOST_REQUIRE(kill(master, SIGTERM) == 0);
    const Response paid = paying.get();
    lock.get();

    BOOST_TEST(is_ok(paid), "the request in flight did not finish: " << paid);
    BOOST_TEST(stack().sql_int("SELECT COUNT(*) FROM transactions WHERE cart_id = " +
                               std::to_string(cart_id)) == 1);
    const auto deadline = Clock::now() + 10s;
    while ((process_alive(master) || std::any_of(workers.begin(), workers.end(), process_alive)) &&
           Clock::now() < deadline) {
        std::this_thread::sleep_for(50ms);
    }
    BOOST_TEST(!process_alive(master), "the master did not stop");
    for (pid_t w : workers) BOOST_TEST(!process_alive(w), "worker " << w << " did not stop");
    // Nothing accepts now: nginx answers for the pool, as JSON 503.
    BOOST_TEST(is_error(http.get(kHealth), 503, "ERR_UNAVAILABLE"));

    stack().run_checked({"pool-start"});
    BOOST_TEST(is_ok(http.get(kHealth)));
}

// GET /api/small/metrics: the pool's own numbers in Prometheus's text
// format, counted across every worker, for the box itself only.
BOOST_AUTO_TEST_CASE(metrics_count_every_worker_s_answers_for_127_0_0_1_only) {
    HttpClient http(stack().base_url());
    // The value of one sample ("name" or "name{labels}"); -1 when absent.
    const auto sample = [](const Response& r, const std::string& name) -> long long {
        std::istringstream lines(r.body);
        for (std::string line; std::getline(lines, line);)
            if (line.rfind(name + " ", 0) == 0) return std::stoll(line.substr(name.size() + 1));
        return -1;
    };
    const Response before = http.get("/api/small/metrics");
    BOOST_TEST_REQUIRE(before.status == 200, before);
    BOOST_TEST(before.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
    BOOST_TEST(sample(before, "umkm_workers") == kWorkers, before.body);
    BOOST_TEST(sample(before, "umkm_workers_alive") == kWorkers, before.body);
    for (const char* name : {"umkm_workers_busy", "umkm_requests_shed_total",
                             "umkm_worker_restarts_total", "umkm_workers_recycled_total"})
        BOOST_TEST(sample(before, name) >= 0, name << " missing:\n" << before.body);

    // Five listings and two refused bodies, whichever workers take them.
    for (int i = 0; i < 5; ++i) BOOST_TEST(is_ok(http.get(kStocks)));
    for (int i = 0; i < 2; ++i) BOOST_TEST(http.post(kCart, "{}").status == 400);
    const pid_t victim = stack().wait_for_workers().front();
    BOOST_REQUIRE(kill(victim, SIGKILL) == 0);
    stack().wait_for_workers_other_than({victim});

    const Response after = http.get("/api/small/metrics");
    BOOST_TEST_REQUIRE(after.status == 200, after);
    // The first metrics answer itself counts as one more 2xx.
    BOOST_TEST(sample(after, "umkm_requests_total{code=\"2xx\"}") -
                   sample(before, "umkm_requests_total{code=\"2xx\"}") ==
               6);
    BOOST_TEST(sample(after, "umkm_requests_total{code=\"4xx\"}") -
                   sample(before, "umkm_requests_total{code=\"4xx\"}") ==
               2);
    BOOST_TEST(sample(after, "umkm_worker_restarts_total") -
                   sample(before, "umkm_worker_restarts_total") ==
               1);

    // Another loopback address is not the box's scraper.
    HttpClient other(ClientOptions{stack().base_url(), "127.0.0.2"});
    BOOST_TEST(is_error(other.get("/api/small/metrics"), 403, "ERR_FORBIDDEN"));
    const Response posted = http.post("/api/small/metrics", "");
    BOOST_TEST(is_error(posted, 405, "ERR_METHOD_NOT_ALLOWED"), posted);
    BOOST_TEST(posted.header("Allow") == "GET, HEAD");
}

BOOST_AUTO_TEST_SUITE_END()
