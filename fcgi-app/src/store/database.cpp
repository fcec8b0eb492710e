#include "store/database.h"

#include <cppconn/connection.h>
#include <cppconn/datatype.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <random>

#include "log/log.h"
#include "store/statements.h"

namespace umkm::store {
namespace {

// Deadlocks are rare and short under the fixed lock order and are detected
// at once; a handful of attempts rides out a burst on a hot goods row
// without hiding a livelock. A lock wait timeout has already cost seconds
// (something holds a row for long): one more try, then 503.
constexpr int max_deadlock_attempts = 6;
constexpr int max_lock_wait_attempts = 2;

// While the database is down every request fails the same way; one line in
// a few seconds per worker says so without flooding the log.
bool should_log_outage() {
    static time_t last = 0;
    time_t now = ::time(nullptr);
    if (now - last < 5) return false;
    last = now;
    return true;
}

void pause_before_retry(int attempt) {
    static std::minstd_rand random(static_cast<unsigned>(::getpid()));
    // Randomised so two transactions that deadlocked do not collide again.
    std::uniform_int_distribution<int> micros(500, 2000 * attempt);
    ::usleep(static_cast<useconds_t>(micros(random)));
}

}  // namespace

SqlFailure classify(const sql::SQLException& e) {
    switch (e.getErrorCode()) {
        case 1205:  // ER_LOCK_WAIT_TIMEOUT
        case 1213:  // ER_LOCK_DEADLOCK
            return SqlFailure::conflict;
        case 1040:  // ER_CON_COUNT_ERROR: too many connections
        case 1045:  // ER_ACCESS_DENIED_ERROR: wrong credentials, nothing a retry fixes now
        case 1053:  // ER_SERVER_SHUTDOWN
        case 1927:  // ER_CONNECTION_KILLED
        case 2002:  // CR_CONNECTION_ERROR (unix socket)
        case 2003:  // CR_CONN_HOST_ERROR (TCP)
        case 2006:  // CR_SERVER_GONE_ERROR
        case 2013:  // CR_SERVER_LOST (also a read timeout)
        case 2055:  // CR_SERVER_LOST_EXTENDED
        case 4031:  // MySQL 8: disconnected by the server for inactivity
        case 1047:  // ER_UNKNOWN_COM_ERROR: a Galera node that left the cluster's
                    // primary component ("WSREP has not yet prepared node")
            return SqlFailure::connection_lost;
        case 1021:  // ER_DISK_FULL
        case 1114:  // ER_RECORD_FILE_FULL: InnoDB could not extend a tablespace
            return SqlFailure::no_space;
        case 1030:  // ER_GET_ERRNO: errno 28 (ENOSPC) from the storage engine
            return std::string(e.what()).find("error 28 ") != std::string::npos
                       ? SqlFailure::no_space
                       : SqlFailure::other;
        default:
            return SqlFailure::other;
    }
}

void set_optional_string(sql::PreparedStatement& ps, int index,
                         const std::optional<std::string>& value) {
    if (value) {
        ps.setString(index, *value);
    } else {
        ps.setNull(index, sql::DataType::LONGVARCHAR);
    }
}

Database::Database(DatabaseConfig config)
    : config_(std::move(config)), down_until_(config_.hosts.size()) {}

Database::~Database() {
    disconnect();
}

void Database::disconnect() {
    // Statements belong to the connection: drop them first.
    prepared_.clear();
    statement_.reset();
    if (connection_) {
        try {
            connection_->close();
        } catch (const sql::SQLException&) {
        }
        connection_.reset();
    }
}

namespace {

std::string url_of(const DatabaseHost& host) {
    return "tcp://" + host.name + ":" + std::to_string(host.port);
}

// How long a host that failed is passed over when a worker connects: a
// dead host is not waited on (connect_timeout) by every reconnect.
constexpr auto host_down_period = std::chrono::seconds(5);

// The value in the row a SHOW ... LIKE returned, or "" when there is none.
std::string shown_value(sql::Statement& statement, const char* show) {
    ResultSetPtr rs(statement.executeQuery(show));
    return rs->next() ? std::string(rs->getString(2)) : std::string();
}

// A Galera node that can serve: in the primary component (wsrep_ready) and
// synced (wsrep_local_state 4), not a donor that an rsync state transfer
// holds under a global read lock, not one still catching up.
bool galera_node_serves(sql::Statement& statement) {
    ResultSetPtr rs(statement.executeQuery(
        "SHOW STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_local_state')"));
    bool ready = false, synced = false;
    while (rs->next()) {
        const std::string name = rs->getString(1), value = rs->getString(2);
        if (name == "wsrep_ready") ready = value == "ON";
        if (name == "wsrep_local_state") synced = value == "4";
    }
    return ready && synced;
}

}  // namespace

void Database::ensure_connected() {
    if (connection_) return;
    if (!config_.socket.empty()) {
        if (connect_to("unix://" + config_.socket)) return;
    } else {
        const auto& hosts = config_.hosts;
        const auto now = std::chrono::steady_clock::now();
        // Always in the listed order: every pool writes through the first
        // host that works, and returns to it when it works again.
        for (std::size_t i = 0; i < hosts.size(); ++i) {
            if (hosts.size() > 1 && down_until_[i] > now) continue;
            if (connect_to(url_of(hosts[i]))) {
                if (i != current_host_) LOG_WARN("database: now using " << url_of(hosts[i]));
                current_host_ = i;
                return;
            }
            mark_down(i);
        }
    }
    throw ShopError(ErrorKind::unavailable, "", "the database is unavailable, retry shortly");
}

void Database::mark_down(std::size_t host) {
    if (!config_.socket.empty() || config_.hosts.size() < 2) return;
    down_until_[host] = std::chrono::steady_clock::now() + host_down_period;
}

bool Database::connect_to(const std::string& url) {
    sql::ConnectOptionsMap options;
    options["hostName"] = sql::SQLString(url);
    options["userName"] = sql::SQLString(config_.user);
    options["password"] = sql::SQLString(config_.password);
    options["schema"] = sql::SQLString(config_.name);
    options["OPT_CONNECT_TIMEOUT"] = config_.connect_timeout;
    // A read or write that takes longer means the server is stuck or gone:
    // the request gets 503 instead of hanging.
    options["OPT_READ_TIMEOUT"] = config_.query_timeout;
    options["OPT_WRITE_TIMEOUT"] = config_.query_timeout;
    // Reconnecting silently would lose the session settings and could
    // replay a statement mid-transaction; we reconnect ourselves instead.
    options["OPT_RECONNECT"] = false;
    options["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
    try {
        connection_.reset(sql::mysql::get_mysql_driver_instance()->connect(options));
        statement_.reset(connection_->createStatement());
        // A Galera node outside the cluster's primary component (cut off,
        // or still joining) accepts logins but refuses queries, and a donor
        // is locked: skip them.
        // On a node that is in, every transaction first waits until the
        // node has applied everything committed anywhere in the cluster
        // (wsrep_sync_wait = 1: reads, START TRANSACTION), so a cart made
        // through one node is there to pay through another. MySQL shows
        // no wsrep_on; a MariaDB that is no Galera node shows OFF.
        if (shown_value(*statement_, "SHOW VARIABLES LIKE 'wsrep_on'") == "ON") {
            if (!galera_node_serves(*statement_)) {
                if (should_log_outage()) {
                    LOG_WARN("database: " << url << " is not a synced member of the cluster");
                }
                disconnect();
                return false;
            }
            statement_->execute("SET SESSION wsrep_sync_wait = 1");
        }
        statement_->execute("SET SESSION time_zone = '+00:00'");
        // Every rule that needs the latest row takes a lock (FOR UPDATE);
        // READ COMMITTED avoids gap locks that would only add deadlocks.
        statement_->execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
        // A lock wait must end before the network read timeout does, so that
        // it is retried as a conflict rather than seen as a lost connection.
        int lock_wait = config_.query_timeout > 2 ? config_.query_timeout - 1 : 1;
        statement_->execute("SET SESSION innodb_lock_wait_timeout = " + std::to_string(lock_wait));
        LOG_DEBUG("connected to the database at " << url);
        return true;
    } catch (const sql::SQLException& e) {
        disconnect();
        if (should_log_outage()) {
            LOG_WARN("database connection to " << url << " failed (" << e.getErrorCode()
                                               << "): " << e.what());
        }
        return false;
    }
}

sql::PreparedStatement& prepare(Database& db, const char* sql_text) {
    auto it = db.prepared_.find(sql_text);
    if (it == db.prepared_.end()) {
        it = db.prepared_
                 .emplace(sql_text, std::unique_ptr<sql::PreparedStatement>(
                                        db.connection_->prepareStatement(sql_text)))
                 .first;
    }
    return *it->second;
}

void Database::execute(const char* statement) {
    statement_->execute(statement);
}

void Database::rollback_quietly() {
    if (!connection_) return;
    try {
        statement_->execute("ROLLBACK");
    } catch (const sql::SQLException&) {
        // The connection is gone with the transaction; on_failure decides.
    }
}

bool Database::on_failure(const sql::SQLException& e, int attempt, bool committing,
                          bool& reconnected) {
    switch (classify(e)) {
        case SqlFailure::conflict:
            if (attempt <
                (e.getErrorCode() == 1205 ? max_lock_wait_attempts : max_deadlock_attempts)) {
                LOG_DEBUG("retrying after " << e.getErrorCode() << " (attempt " << attempt << ")");
                pause_before_retry(attempt);
                return true;
            }
            LOG_WARN("gave up after " << attempt << " lock conflicts: " << e.what());
            throw ShopError(ErrorKind::unavailable, "", "the shop is busy, retry shortly");
        case SqlFailure::connection_lost:
            disconnect();
            // The host died, was cut off, refuses clients (a Galera node out
            // of the primary component) or stopped answering: the retry
            // and the next connections go to the next host. An idle
            // connection the server closed (wait_timeout) is not its fault.
            if (e.getErrorCode() != 2006 && e.getErrorCode() != 4031) mark_down(current_host_);
            if (!committing && !reconnected) {
                // The server rolled back whatever this connection had begun,
                // so running the work again on a new connection is safe.
                reconnected = true;
                return true;
            }
            if (should_log_outage()) {
                LOG_WARN("database connection lost (" << e.getErrorCode() << "): " << e.what());
            }
            throw ShopError(ErrorKind::unavailable, "",
                            committing ? "the database went away while saving; retry to learn "
                                         "the outcome"
                                       : "the database is unavailable, retry shortly");
        case SqlFailure::no_space:
            // The statement failed whole and the transaction is rolled
            // back by the caller; a retry after space is freed succeeds.
            if (should_log_outage()) {
                LOG_ERROR("the database's disk is full (" << e.getErrorCode() << "): " << e.what());
            }
            throw ShopError(ErrorKind::unavailable, "",
                            "the shop cannot save anything right now, retry later");
        case SqlFailure::other:
            break;
    }
    LOG_ERROR("database error " << e.getErrorCode() << " (" << e.getSQLState()
                                << "): " << e.what());
    return false;
}

bool Database::ping() {
    try {
        return read([&] {
            ResultSetPtr rs(prepare(*this, "SELECT 1").executeQuery());
            return rs->next();
        });
    } catch (const ShopError&) {
        return false;
    } catch (const sql::SQLException&) {
        return false;
    }
}

}  // namespace umkm::store
