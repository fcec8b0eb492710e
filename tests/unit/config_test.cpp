#include "config/config.h"

#include <boost/test/unit_test.hpp>

using umkm::parse_config;

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

BOOST_AUTO_TEST_CASE(reads_every_section_with_comments) {
    auto c = parse_config(
        "; pool\n[pool]\nlisten = 127.0.0.1:9000\nworkers = 8\nlisten_mode = 0600\n"
        "max_requests = 0\nrequest_timeout = 7\nmax_queue_wait = 40\n"
        "# db\n[database]\nsocket = /tmp/my.sock\nuser = shop\npassword = s3cret=x\n"
        "query_timeout = 3\n[log]\nlevel = debug\n");
    BOOST_TEST(c.pool.listen == "127.0.0.1:9000");
    BOOST_TEST(c.pool.workers == 8);
    BOOST_TEST(c.pool.listen_mode == 0600);
    BOOST_TEST(c.pool.max_requests == 0);
    BOOST_TEST(c.pool.request_timeout == 7);
    BOOST_TEST(c.pool.max_queue_wait == 40);
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
}

BOOST_AUTO_TEST_SUITE_END()
