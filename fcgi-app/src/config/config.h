// The pool's configuration: an INI file in php-fpm's spirit (conf/umkm.conf
// documents every key with its default; tests/unit/config_test.cpp checks
// that the file and the defaults here agree). Unknown keys are errors, so a
// typo never silently falls back to a default. A key without a unit in its
// name counts seconds; one in milliseconds ends in _ms.
#pragma once

#include <string>
#include <vector>

namespace umkm {

struct PoolConfig {
    std::string listen = "/run/umkm/umkm-fcgi.sock";  // unix path, or host:port / :port
    int listen_backlog = 128;
    int listen_mode = 0660;  // unix socket permissions
    // TCP only: the IPv4 addresses allowed to connect, comma-separated
    // (php-fpm's listen.allowed_clients); empty: any.
    std::string listen_allowed_clients;
    int workers = 4;
    long max_requests = 10000;  // 0: never recycle
    int request_timeout = 30;   // seconds; 0: no limit
    // Milliseconds a request may wait for a worker; 0: no limit. The key was
    // max_queue_wait before it said its unit, and that name is still read.
    int max_queue_wait_ms = 100;
    int shutdown_timeout = 30;   // seconds a graceful stop waits for in-flight requests
    long max_body_size = 16384;  // bytes
    std::string pid_file;
};

// One database server reachable over TCP. `name` is a host name, an IPv4
// address or a bracketed IPv6 address ("[fd00::8]"), as a URL writes it.
struct DatabaseHost {
    std::string name;
    int port = 3306;
};

struct DatabaseConfig {
    // The `host` key: one server, or the nodes of a Galera cluster in the
    // order they are tried ("db1, db2:3307, db3"); `port` is the port of a
    // host written without one.
    std::vector<DatabaseHost> hosts = {{"localhost", 3306}};
    std::string socket;  // when set, used instead of hosts
    std::string user = "umkm_app";
    std::string password;
    std::string name = "umkm";
    int connect_timeout = 2;  // seconds
    int query_timeout = 5;    // seconds, per network read/write
    int retry_after = 2;      // seconds, sent with 503 ERR_UNAVAILABLE
};

struct EventsConfig {
    // Where the dispatcher publishes transaction events: nginx's nchan
    // publisher location, followed by the transaction id. Empty: no
    // dispatcher (events stay in the outbox).
    std::string publish_url;
    int poll_interval_ms = 200;  // how often the outbox is checked when idle
};

struct LogConfig {
    std::string level = "info";
    std::string file;  // empty: stderr
};

struct Config {
    PoolConfig pool;
    DatabaseConfig database;
    EventsConfig events;
    LogConfig log;
};

// Reads and validates; throws std::runtime_error naming the file, key and
// the allowed range. What is accepted but should change (a deprecated key's
// name) is added to `warnings`, one line each, for the caller to log once
// logging is set up.
Config load_config(const std::string& path, std::vector<std::string>* warnings = nullptr);
Config parse_config(const std::string& text, const std::string& origin = "<config>",
                    std::vector<std::string>* warnings = nullptr);

}  // namespace umkm
