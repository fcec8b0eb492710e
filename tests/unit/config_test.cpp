#include "config/config.h"

#include <boost/test/unit_test.hpp>
#include <ios>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

using umkm::parse_config;

namespace {

// Every setting of a Config as ("section.key", its value as text), in the
// order of the structs. The structured bindings name each struct's every
// member: a field added to a struct and not here does not compile, so that
// the comparison below always covers the whole configuration.
std::vector<std::pair<std::string, std::string>> settings_of(const umkm::Config& c) {
    const auto text = [](const auto& value) {
        std::ostringstream out;
        out << value;
        return out.str();
    };
    const auto octal = [](int value) {
        std::ostringstream out;
        out << '0' << std::oct << value;
        return out.str();
    };
    const auto& [pool, database, events, logging] = c;
    const auto& [listen, listen_backlog, listen_mode, listen_allowed_clients, workers, max_requests,
                 request_timeout, max_queue_wait_ms, shutdown_timeout, max_body_size, pid_file] =
        pool;
    const auto& [hosts, socket, user, password, name, connect_timeout, query_timeout, retry_after] =
        database;
    const auto& [publish_url, poll_interval_ms] = events;
    const auto& [level, file] = logging;
    std::string host_list;
    for (const umkm::DatabaseHost& host : hosts) {
        const auto& [host_name, port] = host;
        host_list += (host_list.empty() ? "" : ", ") + host_name + ":" + text(port);
    }
    return {
        {"pool.listen", listen},
        {"pool.listen_backlog", text(listen_backlog)},
        {"pool.listen_mode", octal(listen_mode)},
        {"pool.listen_allowed_clients", listen_allowed_clients},
        {"pool.workers", text(workers)},
        {"pool.max_requests", text(max_requests)},
        {"pool.request_timeout", text(request_timeout)},
        {"pool.max_queue_wait_ms", text(max_queue_wait_ms)},
        {"pool.shutdown_timeout", text(shutdown_timeout)},
        {"pool.max_body_size", text(max_body_size)},
        {"pool.pid_file", pid_file},
        {"database.host and port", host_list},
        {"database.socket", socket},
        {"database.user", user},
        {"database.password", password},
        {"database.name", name},
        {"database.connect_timeout", text(connect_timeout)},
        {"database.query_timeout", text(query_timeout)},
        {"database.retry_after", text(retry_after)},
        {"events.publish_url", publish_url},
        {"events.poll_interval_ms", text(poll_interval_ms)},
        {"log.level", level},
        {"log.file", file},
    };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(defaults_apply_when_the_file_is_empty) {
    auto c = parse_config("");
    BOOST_TEST(c.pool.workers == 4);
    BOOST_TEST(c.pool.max_requests == 10000);
    BOOST_TEST(c.pool.listen_mode == 0660);
    BOOST_TEST(c.pool.max_body_size == 16384);
    BOOST_TEST(c.database.name == "umkm");
    BOOST_TEST(c.log.level == "info");
}

// conf/umkm.conf shows every key with its default: it must say exactly
// what the code does when the key is left out.
BOOST_AUTO_TEST_CASE(the_shipped_file_sets_exactly_the_defaults) {
    std::vector<std::string> warnings;
    const auto shipped = settings_of(umkm::load_config(UMKM_SHIPPED_CONFIG, &warnings));
    const auto defaults = settings_of(umkm::Config{});
    std::string said;
    for (const std::string& warning : warnings) said += "\n" + warning;
    BOOST_TEST(warnings.empty(), "the shipped file has warnings:" << said);
    BOOST_TEST_REQUIRE(shipped.size() == defaults.size());
    for (std::size_t i = 0; i < shipped.size(); ++i) {
        BOOST_TEST(shipped[i].second == defaults[i].second,
                   shipped[i].first << ": " << UMKM_SHIPPED_CONFIG << " says '" << shipped[i].second
                                    << "', fcgi-app/src/config/config.h's default is '"
                                    << defaults[i].second << "'");
    }
}

BOOST_AUTO_TEST_CASE(reads_every_section_with_comments) {
    auto c = parse_config(
        "; pool\n[pool]\nlisten = 127.0.0.1:9000\nworkers = 8\nlisten_mode = 0600\n"
        "max_requests = 0\nrequest_timeout = 7\nmax_queue_wait_ms = 40\n"
        "# db\n[database]\nsocket = /tmp/my.sock\nuser = shop\npassword = s3cret=x\n"
        "query_timeout = 3\n[log]\nlevel = debug\n");
    BOOST_TEST(c.pool.listen == "127.0.0.1:9000");
    BOOST_TEST(c.pool.workers == 8);
    BOOST_TEST(c.pool.listen_mode == 0600);
    BOOST_TEST(c.pool.max_requests == 0);
    BOOST_TEST(c.pool.request_timeout == 7);
    BOOST_TEST(c.pool.max_queue_wait_ms == 40);
    BOOST_TEST(c.database.socket == "/tmp/my.sock");
    BOOST_TEST(c.database.password == "s3cret=x");
    BOOST_TEST(c.database.query_timeout == 3);
    BOOST_TEST(c.log.level == "debug");
}

BOOST_AUTO_TEST_CASE(rejects_unknown_keys_naming_them) {
    BOOST_CHECK_EXCEPTION(
        parse_config("[pool]\nworkerz = 3\n"), std::runtime_error, [](const std::runtime_error& e) {
            return std::string(e.what()).find("pool.workerz") != std::string::npos;
        });
}

BOOST_AUTO_TEST_CASE(rejects_out_of_range_and_non_numeric_values) {
    BOOST_CHECK_THROW(parse_config("[pool]\nworkers = 0\n"), std::runtime_error);
    BOOST_CHECK_THROW(parse_config("[pool]\nworkers = 257\n"), std::runtime_error);
    BOOST_CHECK_THROW(parse_config("[pool]\nworkers = four\n"), std::runtime_error);
    BOOST_CHECK_THROW(parse_config("[pool]\nworkers = 4 workers\n"), std::runtime_error);
    BOOST_CHECK_THROW(parse_config("[database]\nport = 70000\n"), std::runtime_error);
    BOOST_CHECK_THROW(parse_config("[log]\nlevel = loud\n"), std::runtime_error);
    BOOST_CHECK_THROW(parse_config("[pool]\nlisten =\n"), std::runtime_error);
    BOOST_CHECK_THROW(parse_config("[events]\npublish_url = 127.0.0.1:8080/x/\n"),
                      std::runtime_error);
    BOOST_CHECK_NO_THROW(parse_config("[events]\npublish_url = http://127.0.0.1:8080/x/\n"));
}

BOOST_AUTO_TEST_CASE(one_host_is_the_default_and_the_port_applies_to_it) {
    auto c = parse_config("");
    BOOST_TEST(c.database.hosts.size() == 1u);
    BOOST_TEST(c.database.hosts[0].name == "localhost");
    BOOST_TEST(c.database.hosts[0].port == 3306);
    c = parse_config("[database]\nhost = db.lan\nport = 3307\n");
    BOOST_TEST(c.database.hosts.size() == 1u);
    BOOST_TEST(c.database.hosts[0].name == "db.lan");
    BOOST_TEST(c.database.hosts[0].port == 3307);
}

BOOST_AUTO_TEST_CASE(a_galera_cluster_is_a_list_of_hosts_in_the_order_tried) {
    auto c = parse_config(
        "[database]\nhost = 192.168.1.11, pi-b:3307,[fd00::8]:3308 ,[fd00::9]\nport = 3310\n");
    const auto& hosts = c.database.hosts;
    BOOST_TEST_REQUIRE(hosts.size() == 4u);
    BOOST_TEST(hosts[0].name == "192.168.1.11");
    BOOST_TEST(hosts[0].port == 3310);
    BOOST_TEST(hosts[1].name == "pi-b");
    BOOST_TEST(hosts[1].port == 3307);
    BOOST_TEST(hosts[2].name == "[fd00::8]");
    BOOST_TEST(hosts[2].port == 3308);
    BOOST_TEST(hosts[3].name == "[fd00::9]");
    BOOST_TEST(hosts[3].port == 3310);
}

BOOST_AUTO_TEST_CASE(a_bad_host_list_is_refused_naming_the_key) {
    for (const char* host : {"db1,,db2", "db1,", "db1:0", "db1:70000", "db1:x", "db1:", "fd00::8",
                             "[fd00::8", "[fd00::8]x", "db 1", "user@db1"}) {
        BOOST_TEST_CONTEXT(host) {
            BOOST_CHECK_EXCEPTION(parse_config(std::string("[database]\nhost = ") + host + "\n"),
                                  std::runtime_error, [](const std::runtime_error& e) {
                                      return std::string(e.what()).find("database.host") !=
                                             std::string::npos;
                                  });
        }
    }
    // Empty only when a socket is used instead.
    BOOST_CHECK_THROW(parse_config("[database]\nhost =\n"), std::runtime_error);
    BOOST_TEST(parse_config("[database]\nhost =\nsocket = /run/mysqld/mysqld.sock\n")
                   .database.hosts.empty());
}

BOOST_AUTO_TEST_CASE(allowed_clients_are_a_list_of_ipv4_addresses) {
    BOOST_TEST(parse_config("").pool.listen_allowed_clients.empty());
    BOOST_TEST(parse_config("[pool]\nlisten_allowed_clients = 192.168.1.10, 127.0.0.1\n")
                   .pool.listen_allowed_clients == "192.168.1.10,127.0.0.1");
    for (const char* bad : {"nginx.lan", "192.168.1.300", "::1", "10.0.0.1,,10.0.0.2"}) {
        BOOST_TEST_CONTEXT(bad) {
            BOOST_CHECK_EXCEPTION(
                parse_config(std::string("[pool]\nlisten_allowed_clients = ") + bad + "\n"),
                std::runtime_error, [](const std::runtime_error& e) {
                    return std::string(e.what()).find("pool.listen_allowed_clients") !=
                           std::string::npos;
                });
        }
    }
}

BOOST_AUTO_TEST_CASE(rejects_duplicate_keys_and_keys_outside_sections) {
    BOOST_CHECK_THROW(parse_config("[pool]\nworkers = 2\nworkers = 3\n"), std::runtime_error);
    BOOST_CHECK_THROW(parse_config("workers = 2\n"), std::runtime_error);
    BOOST_CHECK_THROW(parse_config("[pool]\nworkers = 2\n[log]\n[pool]\nlisten = x\n"),
                      std::runtime_error);
}

// The INI grammar (Boost.PropertyTree's, which conf/umkm.conf's header
// describes): an error names the line.
BOOST_AUTO_TEST_CASE(reads_the_ini_grammar_it_always_read) {
    auto c = parse_config(
        "  ; indented comment\n\n[pool]   ; after a section: ignored\n"
        "\tworkers=6\t\r\n  # hash comment\nlisten =  /tmp/a b.sock  \n[ log ]\nlevel=debug");
    BOOST_TEST(c.pool.workers == 6);
    BOOST_TEST(c.pool.listen == "/tmp/a b.sock");
    BOOST_TEST(c.log.level == "debug");
    // A section that was opened empty may be opened again.
    BOOST_TEST(parse_config("[pool]\n[pool]\nworkers = 3\n").pool.workers == 3);
    // Everything after the first '=' is the value, a trailing comment too.
    BOOST_TEST(parse_config("[database]\npassword = a=b ; c\n").database.password == "a=b ; c");
    struct Case {
        const char* text;
        const char* error;
    };
    for (const Case& bad : {
             Case{"[pool]\nworkers\n", "<config>: line 2: '=' character not found in line"},
             Case{"[pool\nworkers = 2\n", "<config>: line 1: unmatched '['"},
             Case{"[pool]\n= 2\n", "<config>: line 2: key expected"},
             Case{"[pool]\nworkers = 2\n\nworkers = 3\n", "<config>: line 4: duplicate key name"},
             Case{"[log]\nlevel = info\n[log]\n", "<config>: line 3: duplicate section name"},
         }) {
        BOOST_TEST_CONTEXT(bad.text) {
            BOOST_CHECK_EXCEPTION(parse_config(bad.text), std::runtime_error,
                                  [&](const std::runtime_error& e) {
                                      BOOST_TEST(e.what() == std::string(bad.error));
                                      return true;
                                  });
        }
    }
}

// max_queue_wait_ms was max_queue_wait before the name said its unit.
BOOST_AUTO_TEST_CASE(the_old_name_of_max_queue_wait_ms_is_read_with_a_warning) {
    std::vector<std::string> warnings;
    auto c = parse_config("[pool]\nmax_queue_wait = 40\n", "old.conf", &warnings);
    BOOST_TEST(c.pool.max_queue_wait_ms == 40);
    BOOST_TEST_REQUIRE(warnings.size() == 1u);
    BOOST_TEST(warnings[0].find("old.conf: pool.max_queue_wait") == 0u, warnings[0]);
    BOOST_TEST(warnings[0].find("max_queue_wait_ms") != std::string::npos, warnings[0]);

    warnings.clear();
    BOOST_TEST(parse_config("[pool]\nmax_queue_wait_ms = 40\n", "new.conf", &warnings)
                   .pool.max_queue_wait_ms == 40);
    BOOST_TEST(warnings.empty());
    // Range checked as the new name is.
    BOOST_CHECK_THROW(parse_config("[pool]\nmax_queue_wait = -1\n"), std::runtime_error);
    // Both at once: which one was meant is not for the pool to guess.
    BOOST_CHECK_EXCEPTION(parse_config("[pool]\nmax_queue_wait = 40\nmax_queue_wait_ms = 50\n"),
                          std::runtime_error, [](const std::runtime_error& e) {
                              return std::string(e.what()).find("pool.max_queue_wait:") !=
                                     std::string::npos;
                          });
}

BOOST_AUTO_TEST_SUITE_END()
