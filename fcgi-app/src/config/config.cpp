#include "config/config.h"

#include <arpa/inet.h>

#include <boost/property_tree/ini_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "log/log.h"

namespace umkm {
namespace {

namespace pt = boost::property_tree;

class Reader {
  public:
    Reader(const pt::ptree& tree, std::string origin) : tree_(tree), origin_(std::move(origin)) {}

    bool has(const std::string& key) const {
        return tree_.get_optional<std::string>(key).has_value();
    }

    void text(const std::string& key, std::string& out) {
        known_.insert(key);
        if (auto v = tree_.get_optional<std::string>(key)) out = trim(*v);
    }

    void integer(const std::string& key, long min, long max, long& out, int base = 10) {
        known_.insert(key);
        auto v = tree_.get_optional<std::string>(key);
        if (!v) return;
        std::string s = trim(*v);
        std::size_t used = 0;
        long parsed = 0;
        try {
            parsed = std::stol(s, &used, base);
        } catch (const std::exception&) {
            used = 0;
        }
        if (s.empty() || used != s.size() || parsed < min || parsed > max) {
            fail(key, "must be an integer from " + std::to_string(min) + " to " +
                          std::to_string(max) + ", got '" + s + "'");
        }
        out = parsed;
    }

    void integer(const std::string& key, long min, long max, int& out, int base = 10) {
        long wide = out;
        integer(key, min, max, wide, base);
        out = static_cast<int>(wide);
    }

    // Every key in the file must be one we read: a misspelt knob is an error.
    void reject_unknown() const {
        for (const auto& section : tree_) {
            if (section.second.empty()) fail(section.first, "keys must be inside a [section]");
            for (const auto& key : section.second) {
                std::string full = section.first + "." + key.first;
                if (!known_.count(full)) fail(full, "unknown key");
            }
        }
    }

    [[noreturn]] void fail(const std::string& key, const std::string& why) const {
        throw std::runtime_error(origin_ + ": " + key + ": " + why);
    }

  private:
    static std::string trim(const std::string& s) {
        auto b = s.find_first_not_of(" \t\r");
        if (b == std::string::npos) return "";
        auto e = s.find_last_not_of(" \t\r");
        return s.substr(b, e - b + 1);
    }

    const pt::ptree& tree_;
    std::string origin_;
    std::set<std::string> known_;
};

// "a, b,c" -> {"a", "b", "c"}; "" -> {}.
std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> items;
    std::istringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        auto b = item.find_first_not_of(" \t");
        auto e = item.find_last_not_of(" \t");
        items.push_back(b == std::string::npos ? "" : item.substr(b, e - b + 1));
    }
    return items;
}

// "db1, db2:3307, [fd00::8]:3306" -> hosts; a host without a port gets
// `default_port`. Throws std::invalid_argument saying what is wrong.
std::vector<DatabaseHost> parse_hosts(const std::string& text, int default_port) {
    constexpr std::size_t max_hosts = 16;
    std::vector<DatabaseHost> hosts;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t comma = text.find(',', start);
        if (comma == std::string::npos) comma = text.size();
        std::string item = text.substr(start, comma - start);
        start = comma + 1;
        auto b = item.find_first_not_of(" \t");
        auto e = item.find_last_not_of(" \t");
        item = b == std::string::npos ? "" : item.substr(b, e - b + 1);
        if (item.empty()) throw std::invalid_argument("an empty host in '" + text + "'");
        DatabaseHost host{item, default_port};
        // The port follows the last colon, outside an IPv6 address's brackets.
        std::size_t colon = item.rfind(':');
        std::size_t bracket = item.rfind(']');
        bool ipv6 = item.front() == '[';
        if (ipv6 && (bracket == std::string::npos ||
                     (bracket + 1 < item.size() && item[bracket + 1] != ':'))) {
            throw std::invalid_argument("'" + item + "' is not '[address]' or '[address]:port'");
        }
        if (!ipv6 && item.find(':') != colon) {
            throw std::invalid_argument("'" + item + "': write an IPv6 address in brackets");
        }
        if (colon != std::string::npos && (!ipv6 || colon > bracket)) {
            std::string port = item.substr(colon + 1);
            host.name = item.substr(0, colon);
            std::size_t used = 0;
            long parsed = 0;
            try {
                parsed = std::stol(port, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (port.empty() || used != port.size() || parsed < 1 || parsed > 65535) {
                throw std::invalid_argument("'" + item + "' has no port from 1 to 65535 after ':'");
            }
            host.port = static_cast<int>(parsed);
        }
        if (host.name.empty() || host.name.find_first_of(" \t/@") != std::string::npos) {
            throw std::invalid_argument("'" + item + "' is not a host name or address");
        }
        hosts.push_back(host);
        if (hosts.size() > max_hosts) {
            throw std::invalid_argument("more than " + std::to_string(max_hosts) + " hosts");
        }
        if (comma == text.size()) break;
    }
    return hosts;
}

}  // namespace

Config parse_config(const std::string& text, const std::string& origin,
                    std::vector<std::string>* warnings) {
    pt::ptree tree;
    std::istringstream in(text);
    try {
        pt::read_ini(in, tree);
    } catch (const pt::ini_parser_error& e) {
        throw std::runtime_error(origin + ": line " + std::to_string(e.line()) + ": " +
                                 e.message());
    }
    Config c;
    Reader r(tree, origin);
    r.text("pool.listen", c.pool.listen);
    r.integer("pool.listen_backlog", 1, 65535, c.pool.listen_backlog);
    r.integer("pool.listen_mode", 0, 0777, c.pool.listen_mode, 8);
    r.text("pool.listen_allowed_clients", c.pool.listen_allowed_clients);
    r.integer("pool.workers", 1, 256, c.pool.workers);
    r.integer("pool.max_requests", 0, 1000000000L, c.pool.max_requests);
    r.integer("pool.request_timeout", 0, 86400, c.pool.request_timeout);
    r.integer("pool.max_queue_wait_ms", 0, 600000, c.pool.max_queue_wait_ms);
    // Its name before it said its unit: still read, for the files written
    // then, and each start and check says what to rename.
    if (r.has("pool.max_queue_wait")) {
        if (r.has("pool.max_queue_wait_ms")) {
            r.fail("pool.max_queue_wait",
                   "the old name of pool.max_queue_wait_ms, which is set too; keep only "
                   "max_queue_wait_ms");
        }
        r.integer("pool.max_queue_wait", 0, 600000, c.pool.max_queue_wait_ms);
        if (warnings) {
            warnings->push_back(origin +
                                ": pool.max_queue_wait is deprecated, rename it "
                                "max_queue_wait_ms (the same milliseconds)");
        }
    }
    r.integer("pool.shutdown_timeout", 0, 3600, c.pool.shutdown_timeout);
    r.integer("pool.max_body_size", 1024, 16L * 1024 * 1024, c.pool.max_body_size);
    r.text("pool.pid_file", c.pool.pid_file);
    std::string host = "localhost";
    int port = 3306;
    r.text("database.host", host);
    r.integer("database.port", 1, 65535, port);
    r.text("database.socket", c.database.socket);
    r.text("database.user", c.database.user);
    r.text("database.password", c.database.password);
    r.text("database.name", c.database.name);
    r.integer("database.connect_timeout", 1, 600, c.database.connect_timeout);
    r.integer("database.query_timeout", 1, 3600, c.database.query_timeout);
    r.integer("database.retry_after", 1, 3600, c.database.retry_after);
    r.text("events.publish_url", c.events.publish_url);
    r.integer("events.poll_interval_ms", 10, 60000, c.events.poll_interval_ms);
    r.text("log.level", c.log.level);
    r.text("log.file", c.log.file);
    r.reject_unknown();

    if (c.pool.listen.empty()) r.fail("pool.listen", "must not be empty");
    // Kept as libfcgi wants it: "a,b", no spaces.
    std::string clients;
    for (const std::string& client : split_list(c.pool.listen_allowed_clients)) {
        in_addr address{};
        if (::inet_pton(AF_INET, client.c_str(), &address) != 1) {
            r.fail("pool.listen_allowed_clients",
                   "'" + client + "' is not an IPv4 address (a comma-separated list of them)");
        }
        clients += (clients.empty() ? "" : ",") + client;
    }
    c.pool.listen_allowed_clients = clients;
    if (host.empty()) {
        // A socket-only setup may leave host empty.
        if (c.database.socket.empty()) r.fail("database.host", "must not be empty without socket");
        c.database.hosts.clear();
    } else {
        try {
            c.database.hosts = parse_hosts(host, port);
        } catch (const std::invalid_argument& e) {
            r.fail("database.host", e.what());
        }
    }
    if (c.database.name.empty()) r.fail("database.name", "must not be empty");
    if (c.database.user.empty()) r.fail("database.user", "must not be empty");
    const std::string& url = c.events.publish_url;
    if (!url.empty() && url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
        r.fail("events.publish_url", "must start with http:// or https:// (or be empty)");
    }
    try {
        log::parse_level(c.log.level);
    } catch (const std::invalid_argument& e) {
        r.fail("log.level", e.what());
    }
    return c;
}

Config load_config(const std::string& path, std::vector<std::string>* warnings) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path + ": cannot open configuration file");
    std::stringstream text;
    text << in.rdbuf();
    return parse_config(text.str(), path, warnings);
}

}  // namespace umkm
