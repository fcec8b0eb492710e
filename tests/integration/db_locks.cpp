#include "db_locks.h"

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <thread>

#include "stack_fixture.h"

namespace umkm::test {

using Clock = std::chrono::steady_clock;

bool eventually(const std::string& count_sql, double seconds) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(long(seconds * 1000));
    while (Clock::now() < deadline) {
        if (stack().sql_int(count_sql) >= 1) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

std::future<bool> hold_goods_lock(long long goods, int seconds, const std::string& more_sql,
                                  const std::string& then_sql) {
    // A SLEEP with an odd fraction marks this session in the process list.
    const std::string marker = "SLEEP(" + std::to_string(seconds) + ".25)";
    const std::string statements = "START TRANSACTION; " + more_sql +
                                   " SELECT id FROM goods WHERE id = " + std::to_string(goods) +
                                   " FOR UPDATE; SELECT " + marker + "; " + then_sql + " COMMIT;";
    auto held = std::async(std::launch::async, [statements] {
        return stack().run({"sql", statements}).exit_code == 0;
    });
    BOOST_REQUIRE_MESSAGE(
        eventually("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT " +
                   marker + "%'"),
        "the lock-holding session never started");
    return held;
}

bool a_request_waits_for_a_lock() {
    return eventually("SELECT COUNT(*) FROM information_schema.INNODB_LOCK_WAITS");
}

}  // namespace umkm::test
