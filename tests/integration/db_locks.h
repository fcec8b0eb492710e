// Row locks held from a separate database session, so that a request under
// test waits inside its worker for as long as a test needs, and polls that
// tell when the lock is held and when a request is waiting for it (no
// sleeps that a loaded machine would outrun).
#pragma once

#include <future>
#include <string>

namespace umkm::test {

// Polls `count_sql` on the stack's database until it answers at least 1;
// false after `seconds`.
bool eventually(const std::string& count_sql, double seconds = 10);

// Locks goods row `goods` (FOR UPDATE) in a new session and keeps it for
// about `seconds`; returns once the lock is held. `more_sql` runs inside the
// same transaction before the lock (for example writes that make the session
// the heavier side of a deadlock). The future holds whether the session's
// statements all succeeded.
std::future<bool> hold_goods_lock(long long goods, int seconds, const std::string& more_sql = "",
                                  const std::string& then_sql = "");

// True once some transaction waits for a row lock.
bool a_request_waits_for_a_lock();

}  // namespace umkm::test
