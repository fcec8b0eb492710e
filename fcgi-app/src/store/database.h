// One worker's connection to MariaDB/MySQL: opened lazily, kept for the life
// of the worker, its prepared statements cached, and reopened after it is
// lost. With several hosts (a Galera cluster) it fails over: the hosts are
// tried in the listed order, and one that does not answer, lost a
// connection or is a Galera node not ready for clients is passed over for a
// few seconds, so that the retry goes to the next. Business operations run through
// transaction(), which is where deadlocks are retried and where "the database is gone" becomes 503.
//
// Only the stores (store/*.cpp) run SQL: they prepare their statements
// through store/statements.h, which nothing outside store/ includes; the
// services and the pool's dispatcher and command line call the stores'
// functions inside transaction() or read().
//
// The lock order (sql/migrations/001_shop_core.sql points here). Every
// transaction takes its row locks in this order, never going back to an
// earlier step, so that no two wait for each other in a cycle (what InnoDB
// or Galera still reports as a deadlock, transaction() retries):
//   1. the one row the operation is about, FOR UPDATE: the carts row
//      (lock_cart: add to an existing cart, pay), the transactions row
//      (load_transaction_view with lock: verify; in share mode,
//      request_event_resend: subscribe) or an admin_tokens row
//      (lock_admin_token_named: the token command);
//   2. goods rows in ascending id (take_stock, lock_goods, add_stock: pay,
//      reject; one goods row for the owner's changes, whose triggers then
//      update goods_counts; a new cart line's foreign key reads its goods
//      row in share mode);
//   3. rows no other transaction can be waiting for: those it inserts (a
//      new cart, transaction, outbox event or audit entry) and the lines of
//      the cart it holds.
#pragma once

#include <cppconn/exception.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "domain/errors.h"

namespace sql {
class Connection;
class PreparedStatement;
class Statement;
}  // namespace sql

namespace umkm::store {

// How a failed statement should be handled.
enum class SqlFailure {
    conflict,         // deadlock or lock wait timeout: the transaction was rolled back, retry it
    connection_lost,  // the server is gone or unreachable
    no_space,         // the database's disk is full: nothing was written, reads still work
    other,            // a bug or a constraint: never retried
};

SqlFailure classify(const sql::SQLException& e);

class Database {
  public:
    explicit Database(DatabaseConfig config);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // Runs `work` (which may run several times, so it must not keep state
    // between runs) inside START TRANSACTION ... COMMIT.
    // - A deadlock or lock wait timeout rolls back and runs it again, a few
    //   times with a short randomised pause.
    // - A connection lost before COMMIT was sent is safe to retry on a new
    //   connection (the server rolled the transaction back); lost during
    //   COMMIT the outcome is unknown, so the client gets 503 and may retry
    //   (pay is idempotent).
    // - ShopError from `work` rolls back and propagates: a failed business
    //   rule changes nothing.
    template <class Work>
    auto transaction(Work&& work) -> decltype(work());

    // Runs read-only `work` in autocommit mode, reconnecting once if the
    // kept connection turned out to be stale.
    template <class Work>
    auto read(Work&& work) -> decltype(work());

    // True when the server answers.
    bool ping();

    int retry_after() const { return config_.retry_after; }

  private:
    // The stores' statements (store/statements.h).
    friend sql::PreparedStatement& prepare(Database& db, const char* sql_text);

    void ensure_connected();
    // Opens a connection to one server and prepares the session; false
    // (logged, and nothing kept) when it cannot be used.
    bool connect_to(const std::string& url);
    // Passes over host `host` (index in config_.hosts) for a while.
    void mark_down(std::size_t host);
    void disconnect();
    void execute(const char* statement);
    void rollback_quietly();
    // Decides what a failed attempt becomes: true to retry, otherwise throws.
    bool on_failure(const sql::SQLException& e, int attempt, bool committing, bool& reconnected);

    DatabaseConfig config_;
    std::size_t current_host_ = 0;  // index in config_.hosts of the connection
    std::vector<std::chrono::steady_clock::time_point> down_until_;  // per host
    std::unique_ptr<sql::Connection> connection_;
    std::unique_ptr<sql::Statement> statement_;
    std::unordered_map<std::string, std::unique_ptr<sql::PreparedStatement>> prepared_;
};

template <class Work>
auto Database::transaction(Work&& work) -> decltype(work()) {
    bool reconnected = false;
    for (int attempt = 1;; ++attempt) {
        bool committing = false;
        try {
            ensure_connected();
            execute("START TRANSACTION");
            auto result = work();
            committing = true;
            execute("COMMIT");
            return result;
        } catch (const sql::SQLException& e) {
            rollback_quietly();
            if (!on_failure(e, attempt, committing, reconnected)) throw;
        } catch (...) {
            rollback_quietly();
            throw;
        }
    }
}

template <class Work>
auto Database::read(Work&& work) -> decltype(work()) {
    bool reconnected = false;
    for (int attempt = 1;; ++attempt) {
        try {
            ensure_connected();
            return work();
        } catch (const sql::SQLException& e) {
            if (!on_failure(e, attempt, false, reconnected)) throw;
        }
    }
}

}  // namespace umkm::store
