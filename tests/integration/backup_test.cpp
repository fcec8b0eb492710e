// Backups and restores (scripts/backup, scripts/restore), against two private
// stacks: the shop's, and a fresh one to restore into. A backup taken while
// payments and the owner's decisions keep coming is one consistent snapshot:
// restored into the fresh stack, every payment acknowledged before the backup
// began is back with the same totals and lines, stock plus what was sold
// adds up for every goods, the goods counts match the catalog, and a new
// cart can be paid, although the account that defined the goods' triggers
// on the shop's stack does not exist on the other. Admin tokens are
// deliberately not in backups (a restore must not revive a revoked one).
// Also: the file's name, mode and rotation; a restore refusing a database
// with rows, a running shop and a damaged file, and failing loudly when the
// load breaks part-way.
#define BOOST_TEST_MODULE backup
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "admin_requests.h"
#include "expectations.h"
#include "shop_requests.h"
#include "stack_fixture.h"

using namespace umkm::test;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

// The shop's stack, whose database is backed up.
struct ShopStack : StackFixture {
    ShopStack() : StackFixture(config()) {}
    static StackConfig config() {
        StackConfig c;
        c.name = UMKM_TEST_STACK_NAME;
        c.http_port = UMKM_TEST_HTTP_PORT;
        return c;
    }
};

// A second, fresh stack (the next port) that backups are restored into: a
// new Pi after the old one's SD card died.
Stack* target_stack = nullptr;

struct TargetStack {
    TargetStack() {
        StackConfig c;
        c.name = std::string(UMKM_TEST_STACK_NAME) + "-restored";
        c.http_port = UMKM_TEST_HTTP_PORT + 1;
        auto stack = std::make_unique<Stack>(c);
        stack->start();
        target_stack = stack.release();
    }
    ~TargetStack() {
        if (!target_stack) return;
        target_stack->stop();
        delete target_stack;
        target_stack = nullptr;
    }
    TargetStack(const TargetStack&) = delete;
    TargetStack& operator=(const TargetStack&) = delete;
};

Stack& target() {
    return *target_stack;
}

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

std::string source_dir() {
    const char* dir = std::getenv("UMKM_SOURCE_DIR");
    return dir && *dir ? dir : UMKM_SOURCE_DIR;
}

// A shell command's standard output and exit status.
struct ShellResult {
    int status = -1;
    std::string out;
};

ShellResult shell(const std::string& command) {
    ShellResult result;
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) return result;
    char buffer[8192];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.out.append(buffer, n);
    result.status = pclose(pipe);
    return result;
}

// `scripts/stack sql` reading the statements from stdin, where, unlike with
// an argument, the client knows DELIMITER (trigger bodies hold semicolons).
void sql_from_stdin(const Stack& s, const std::string& statements) {
    const std::string command = "UMKM_STATE_DIR=" + shell_quote(s.state_dir()) + " " +
                                shell_quote(source_dir() + "/scripts/stack") + " sql >/dev/null";
    FILE* pipe = popen(command.c_str(), "w");
    BOOST_REQUIRE(pipe);
    fwrite(statements.data(), 1, statements.size(), pipe);
    BOOST_REQUIRE_MESSAGE(pclose(pipe) == 0, "scripts/stack sql failed on:\n" << statements);
}

// A value of the client's batch output, unescaped (\n, \t, \\, \0).
std::string unescape_batch(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 == s.size()) {
            out += s[i];
            continue;
        }
        const char c = s[++i];
        out += c == 'n' ? '\n' : c == 't' ? '\t' : c == '0' ? '\0' : c;
    }
    return out;
}

CommandResult run_backup(const Stack& s, const std::vector<std::string>& args = {}) {
    return s.script("backup", args, 300);
}

CommandResult run_restore(const Stack& s, const std::vector<std::string>& args) {
    return s.script("restore", args, 300);
}

bool succeeded(const CommandResult& r) {
    return !r.timed_out && r.exit_code == 0;
}

// The backup's path: scripts/backup prints it alone on the last line.
std::string backup_path(const CommandResult& r) {
    std::istringstream lines(r.out);
    std::string line;
    std::string last;
    while (std::getline(lines, line))
        if (!line.empty()) last = line;
    return last;
}

std::string take_backup(const Stack& s, const std::vector<std::string>& args = {}) {
    const CommandResult r = run_backup(s, args);
    BOOST_REQUIRE_MESSAGE(succeeded(r), r.describe());
    const std::string path = backup_path(r);
    BOOST_REQUIRE_MESSAGE(fs::is_regular_file(path), "no backup at '" << path << "'\n"
                                                                      << r.describe());
    return path;
}

unsigned file_mode(const std::string& path) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) return 0;
    return st.st_mode & 07777;
}

std::string gunzip(const std::string& path) {
    const ShellResult r = shell("gzip -dc " + shell_quote(path));
    BOOST_REQUIRE_MESSAGE(r.status == 0, "gzip -dc " << path << " failed");
    return r.out;
}

// The shop stopped, its database running: how a restore is done.
void shop_down(const Stack& s) {
    s.run_checked({"stop"}, 120);
    s.run_checked({"db-start"}, 120);
}

CommandResult shop_up(const Stack& s) {
    return s.run_checked({"start"}, 300);
}

long long goods_named(const Stack& s, const std::string& name) {
    return s.sql_int("SELECT COUNT(*) FROM goods WHERE name = '" + name + "'");
}

// Re-creates the goods' triggers with `user`@localhost as their DEFINER, as
// if that account had run migration 003 (the stack's own migrations run as
// the OS user's account, which the restoring stack has too).
void redefine_triggers(const Stack& s, const std::string& user) {
    s.sql("CREATE USER IF NOT EXISTS '" + user + "'@'localhost'; GRANT ALL ON umkm.* TO '" + user +
          "'@'localhost'");
    const auto triggers = s.sql_rows(
        "SELECT TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION, EVENT_OBJECT_TABLE, "
        "ACTION_STATEMENT FROM information_schema.TRIGGERS "
        "WHERE TRIGGER_SCHEMA = DATABASE()");
    BOOST_REQUIRE_EQUAL(triggers.size(), 3u);
    std::string ddl = "DELIMITER //\n";
    for (const auto& t : triggers) {
        BOOST_REQUIRE_EQUAL(t.size(), 5u);
        ddl += "CREATE OR REPLACE DEFINER = `" + user + "`@`localhost` TRIGGER " + t[0] + " " +
               t[1] + " " + t[2] + " ON " + t[3] + " FOR EACH ROW " + unescape_batch(t[4]) +
               " //\n";
    }
    ddl += "DELIMITER ;\n";
    sql_from_stdin(s, ddl);
}

// ---- The storm ---------------------------------------------------------------

struct Goods {
    long long id;
    long long price;
};

// A payment the shop acknowledged with 200, and when the client had the answer.
struct Sale {
    std::string transaction_id;
    long long cart_id = 0;
    long long user_id = 0;
    long long total_amount = 0;
    long long payment_amount = 0;
    std::vector<CartLine> lines;
    Clock::time_point acknowledged;
};

// An approval or rejection the owner had answered with 200.
struct Decision {
    std::string status;  // VERIFIED or REJECTED
    Clock::time_point acknowledged;
};

bool is_json_503(const Response& r) {
    return r.status == 503 && r.is_json;
}

// Customers paying new carts of 1-3 lines on `payers` threads, and the owner
// approving or rejecting the newest payments and adding (and hiding) goods
// on another, until stopped. Threads only record; the test asserts
// afterwards (Boost.Test is not thread-safe). A JSON 503 (admission control
// under load) is allowed; any other answer is kept as unexpected.
class Storm {
  public:
    Storm(std::string base_url, std::vector<Goods> goods, std::string token, int payers)
        : base_url_(std::move(base_url)), goods_(std::move(goods)), token_(std::move(token)) {
        for (int i = 0; i < payers; ++i) threads_.emplace_back([this, i] { pay_loop(i); });
        threads_.emplace_back([this] { owner_loop(); });
    }
    ~Storm() { stop(); }
    Storm(const Storm&) = delete;
    Storm& operator=(const Storm&) = delete;

    void stop() {
        stop_ = true;
        for (auto& t : threads_)
            if (t.joinable()) t.join();
    }

    size_t sale_count() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return sales_.size();
    }
    // Call after stop().
    const std::vector<Sale>& sales() const { return sales_; }
    const std::map<std::string, Decision>& decisions() const { return decisions_; }
    const std::vector<Response>& unexpected() const { return unexpected_; }
    long unexpected_count() const { return unexpected_count_; }
    long refused() const { return refused_; }

  private:
    void note(Response r) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (is_json_503(r)) {
            ++refused_;
            return;
        }
        ++unexpected_count_;
        if (unexpected_.size() < 3) unexpected_.push_back(std::move(r));
    }

    void pay_loop(int thread) {
        HttpClient http(ClientOptions{base_url_, "", 15000, 5000});
        const long long user_id = 70000 + thread;
        for (size_t n = 0; !stop_; ++n) {
            Sale sale;
            sale.user_id = user_id;
            const size_t count = 1 + (n + static_cast<size_t>(thread)) % 3;
            for (size_t k = 0; k < count; ++k) {
                // Distinct goods in one cart (steps of 2 over 5 goods), so
                // that each line is one item of the transaction.
                const Goods& g = goods_[(static_cast<size_t>(thread) + n + 2 * k) % goods_.size()];
                sale.lines.push_back({g.id, g.price, static_cast<long long>(1 + (n + k) % 3)});
            }
            std::optional<long long> cart;
            bool added_all = true;
            for (const CartLine& line : sale.lines) {
                Response added =
                    add_to_cart(http, cart, user_id, line.goods_id, line.price, line.total);
                if (added.status != 200) {
                    note(std::move(added));
                    added_all = false;
                    break;
                }
                cart = added.at("data.cart_id").asInt64();
                sale.total_amount = added.at("data.total_amount").asInt64();
            }
            if (!added_all) continue;
            sale.cart_id = *cart;
            sale.payment_amount = sale.total_amount + 500;
            Response paid = pay(http, sale.cart_id, sale.payment_amount);
            if (paid.status != 200) {
                note(std::move(paid));
                continue;
            }
            sale.acknowledged = Clock::now();
            sale.transaction_id = paid.str("data.transaction_id");
            std::lock_guard<std::mutex> lock(mutex_);
            sales_.push_back(std::move(sale));
        }
    }

    void owner_loop() {
        AdminClient admin(base_url_, token_);
        for (long n = 0; !stop_; ++n) {
            std::string newest;
            {
                std::lock_guard<std::mutex> lock(mutex_);
                for (auto it = sales_.rbegin(); it != sales_.rend() && newest.empty(); ++it)
                    if (!decisions_.count(it->transaction_id)) newest = it->transaction_id;
            }
            if (!newest.empty()) {
                const bool approve = n % 2 == 0;
                Response r = admin.post(verify_path(newest), approve ? R"({"decision":"approve"})"
                                                                     : R"({"decision":"reject"})");
                if (r.status == 200) {
                    std::lock_guard<std::mutex> lock(mutex_);
                    decisions_[newest] = {approve ? "VERIFIED" : "REJECTED", Clock::now()};
                } else {
                    note(std::move(r));
                }
            }
            // The goods counts change while the backup runs, too.
            if (n % 5 == 0) {
                Response created = admin.post(
                    kAdminGoods, goods_body(stack().unique_name("storm goods"), 100, 10));
                if (created.status != 201) {
                    note(std::move(created));
                } else if (n % 10 == 0) {
                    Response hidden =
                        admin.send("DELETE", admin_goods_path(created.at("data.id").asInt64()));
                    if (hidden.status != 200) note(std::move(hidden));
                }
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }

    const std::string base_url_;
    const std::vector<Goods> goods_;
    const std::string token_;
    std::atomic<bool> stop_{false};
    std::vector<std::thread> threads_;
    mutable std::mutex mutex_;
    std::vector<Sale> sales_;
    std::map<std::string, Decision> decisions_;
    std::vector<Response> unexpected_;
    long unexpected_count_ = 0;
    long refused_ = 0;
};

// ---- Checks ------------------------------------------------------------------

// What the restored shop answers for a sale, compared with what the shop
// answered when it was made; "" when they agree. `statuses`: those allowed.
std::string view_mismatch(const Response& r, const Sale& sale,
                          const std::set<std::string>& statuses) {
    std::ostringstream why;
    if (r.status != 200) return "not 200";
    if (r.at("data.transaction_id").asString() != sale.transaction_id) why << " transaction_id";
    if (r.at("data.cart_id") != J(sale.cart_id)) why << " cart_id";
    if (r.at("data.user_id") != J(sale.user_id)) why << " user_id";
    if (r.at("data.total_amount") != J(sale.total_amount)) why << " total_amount";
    if (r.at("data.payment_amount") != J(sale.payment_amount)) why << " payment_amount";
    if (r.at("data.return_amount") != J(sale.payment_amount - sale.total_amount))
        why << " return_amount";
    if (!statuses.count(r.str("data.status"))) why << " status";
    std::vector<std::tuple<long long, long long, long long>> expected;
    for (const CartLine& l : sale.lines) expected.emplace_back(l.goods_id, l.price, l.total);
    std::vector<std::tuple<long long, long long, long long>> items;
    for (const auto& item : r.at("data.items"))
        items.emplace_back(item["goods_id"].asInt64(), item["price"].asInt64(),
                           item["total"].asInt64());
    std::sort(expected.begin(), expected.end());
    std::sort(items.begin(), items.end());
    if (items != expected) why << " items";
    return why.str();
}

// Rows of a query keyed by their first column, the rest joined by tabs.
std::map<std::string, std::string> keyed_rows(const Stack& s, const std::string& query) {
    std::map<std::string, std::string> rows;
    for (const auto& row : s.sql_rows(query)) {
        std::string rest;
        for (size_t i = 1; i < row.size(); ++i) rest += (i > 1 ? "\t" : "") + row[i];
        rows[row[0]] = rest;
    }
    return rows;
}

// The sold quantities of each cart's lines, "goods:price:quantity ...", for
// paid carts.
std::map<std::string, std::string> paid_cart_lines(const Stack& s) {
    std::map<std::string, std::string> lines;
    for (const auto& row :
         s.sql_rows("SELECT ci.cart_id, ci.goods_id, ci.price, ci.quantity FROM cart_items ci "
                    "JOIN transactions t ON t.cart_id = ci.cart_id ORDER BY 1, 2, 3"))
        lines[row[0]] += row[1] + ":" + row[2] + ":" + row[3] + " ";
    return lines;
}

// Goods whose stock plus what paid, unrejected transactions took from it is
// not `initial`: "id: stock + sold", empty when every one adds up.
std::string stock_not_adding_up(const Stack& s, const std::vector<Goods>& goods,
                                long long initial) {
    std::string ids;
    for (const Goods& g : goods) ids += (ids.empty() ? "" : ",") + std::to_string(g.id);
    std::string out;
    for (const auto& row :
         s.sql_rows("SELECT g.id, g.stock, COALESCE((SELECT SUM(ci.quantity) FROM cart_items ci "
                    "JOIN transactions t ON t.cart_id = ci.cart_id "
                    "WHERE ci.goods_id = g.id AND t.status <> 'REJECTED'), 0) "
                    "FROM goods g WHERE g.id IN (" +
                    ids + ") ORDER BY g.id"))
        if (std::stoll(row[1]) + std::stoll(row[2]) != initial)
            out += " " + row[0] + ": " + row[1] + " + " + row[2];
    return out;
}

// goods_counts against a count of the catalog: "" when they agree.
std::string goods_counts_mismatch(const Stack& s) {
    const std::string counted = s.sql(
        "SELECT f.deleted, (SELECT COUNT(*) FROM goods g WHERE g.deleted = f.deleted) "
        "FROM (SELECT 0 AS deleted UNION ALL SELECT 1) f ORDER BY 1");
    const std::string kept = s.sql("SELECT deleted, total FROM goods_counts ORDER BY deleted");
    return counted == kept ? "" : "counted:\n" + counted + "goods_counts:\n" + kept;
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(ShopStack);
BOOST_TEST_GLOBAL_FIXTURE(TargetStack);

BOOST_AUTO_TEST_SUITE(backup)

BOOST_AUTO_TEST_CASE(a_backup_is_one_private_gzip_file_named_for_its_utc_time) {
    // A token exists, so that leaving its row out is seen.
    stack().create_token("it-backup-file");
    const CommandResult r = run_backup(stack());
    BOOST_REQUIRE_MESSAGE(succeeded(r), r.describe());
    const fs::path path = backup_path(r);
    const fs::path dir = fs::path(stack().state_dir()) / "backups";
    BOOST_TEST(path.parent_path() == dir, "not in <state>/backups: " << path);
    std::smatch name;
    const std::string file = path.filename().string();
    BOOST_REQUIRE_MESSAGE(
        std::regex_match(file, name, std::regex(R"(umkm-(\d{8}T\d{6}Z)\.sql\.gz)")),
        "not named umkm-<UTC time>.sql.gz: " << file);
    std::tm when{};
    BOOST_REQUIRE(strptime(name[1].str().c_str(), "%Y%m%dT%H%M%SZ", &when));
    const long long skew = static_cast<long long>(timegm(&when)) - std::time(nullptr);
    BOOST_TEST(std::llabs(skew) <= 120, file << " is " << skew << " s from now (UTC)");

    BOOST_TEST(file_mode(path) == 0600u, "mode " << std::oct << file_mode(path));
    BOOST_TEST(file_mode(dir) == 0700u, "directory mode " << std::oct << file_mode(dir));
    for (const auto& entry : fs::directory_iterator(dir)) {
        const std::string n = entry.path().filename().string();
        BOOST_TEST((n == file || n == ".backup.lock"), "left in the directory: " << n);
    }

    const std::string dump = gunzip(path);
    BOOST_TEST(dump.find("\n-- Dump completed") != std::string::npos, "incomplete dump");
    BOOST_TEST(dump.find("DEFINER=") == std::string::npos, "a DEFINER clause in the dump");
    BOOST_TEST(dump.find("TRIGGER goods_counts_after_insert") != std::string::npos);
    BOOST_TEST(dump.find("INSERT INTO `schema_version`") != std::string::npos);
    BOOST_TEST(dump.find("CREATE TABLE `admin_tokens`") != std::string::npos);
    BOOST_TEST(dump.find("INSERT INTO `admin_tokens`") == std::string::npos,
               "admin tokens are in the backup");
}

BOOST_AUTO_TEST_CASE(rotation_keeps_the_newest_backups_and_nothing_else_is_deleted) {
    const fs::path dir = fs::path(stack().state_dir()) / "rotation";
    fs::create_directories(dir);
    std::ofstream(dir / "notes.txt") << "the owner's own file\n";
    std::ofstream(dir / "other-20000101T000000Z.sql.gz") << "another database's backup\n";

    std::vector<std::string> made;
    for (int i = 0; i < 3; ++i)
        made.push_back(take_backup(stack(), {"--dir", dir.string(), "--keep", "2"}));
    BOOST_TEST(made[0] < made[1]);
    BOOST_TEST(made[1] < made[2]);

    std::set<std::string> left;
    for (const auto& entry : fs::directory_iterator(dir)) left.insert(entry.path().string());
    const std::set<std::string> expected = {made[1], made[2], (dir / "notes.txt").string(),
                                            (dir / "other-20000101T000000Z.sql.gz").string(),
                                            (dir / ".backup.lock").string()};
    BOOST_TEST(left == expected, boost::test_tools::per_element());
    for (const std::string& path : {made[1], made[2]}) BOOST_TEST(file_mode(path) == 0600u);

    for (const std::string bad : {"0", "-1", "two", ""}) {
        const CommandResult r = run_backup(stack(), {"--dir", dir.string(), "--keep", bad});
        BOOST_TEST(r.exit_code != 0, "--keep '" << bad << "' accepted");
    }
}

BOOST_AUTO_TEST_CASE(restore_refuses_a_running_shop_a_database_with_rows_and_a_damaged_file) {
    const std::string path = take_backup(stack(), {"--dir", stack().state_dir() + "/refusals"});
    // The target is a fresh stack: the demo catalog, and this marker.
    const std::string marker = target().unique_name("target marker");
    target().create_goods(marker, 5, 100);

    CommandResult r = run_restore(target(), {"--force", path});
    BOOST_TEST(r.exit_code != 0, "restored under a running shop\n" << r.describe());
    BOOST_TEST(r.err.find("stop it first") != std::string::npos, r.describe());
    BOOST_TEST(goods_named(target(), marker) == 1);

    shop_down(target());
    r = run_restore(target(), {path});
    BOOST_TEST(r.exit_code != 0, "replaced a database with rows without --force\n" << r.describe());
    BOOST_TEST(r.err.find("--force") != std::string::npos, r.describe());
    BOOST_TEST(goods_named(target(), marker) == 1);

    // Cut short, and not a backup at all: refused before anything changes.
    const std::string truncated = stack().state_dir() + "/truncated.sql.gz";
    fs::copy_file(path, truncated, fs::copy_options::overwrite_existing);
    fs::resize_file(truncated, fs::file_size(truncated) / 2);
    const std::string not_a_dump = stack().state_dir() + "/not-a-dump.sql.gz";
    BOOST_REQUIRE(shell("echo 'SELECT 1;' | gzip >" + shell_quote(not_a_dump)).status == 0);
    for (const std::string& bad : {truncated, not_a_dump}) {
        r = run_restore(target(), {"--force", bad});
        BOOST_TEST(r.exit_code != 0, bad << " restored\n" << r.describe());
        BOOST_TEST(r.err.find("nothing was changed") != std::string::npos, r.describe());
        BOOST_TEST(goods_named(target(), marker) == 1);
    }

    // A database that does not exist needs no --force: a backup can be tried
    // out under another name without touching the shop's.
    r = run_restore(target(), {"--database", "umkm_tryout", path});
    BOOST_TEST(succeeded(r), r.describe());
    BOOST_TEST(target().sql_int("SELECT COUNT(*) FROM umkm_tryout.schema_version") > 0);
    BOOST_TEST(goods_named(target(), marker) == 1);
    target().sql("DROP DATABASE umkm_tryout");
    shop_up(target());
}

BOOST_AUTO_TEST_CASE(
    a_restore_into_a_fresh_stack_brings_back_every_payment_acknowledged_before_the_backup) {
    constexpr long long kInitialStock = 1000000;
    constexpr const char* kMigrator = "it_migrator";
    // The pitfall: triggers keep the account that created them. Here that
    // account exists on the shop's server only.
    redefine_triggers(stack(), kMigrator);
    BOOST_REQUIRE(stack().sql("SELECT DISTINCT DEFINER FROM information_schema.TRIGGERS "
                              "WHERE TRIGGER_SCHEMA = DATABASE()") ==
                  std::string(kMigrator) + "@localhost\n");

    const std::string token = stack().create_token("it-owner");
    AdminClient admin(stack().base_url(), token);
    std::vector<Goods> goods;
    for (int i = 0; i < 5; ++i) {
        const long long price = 1000 + 250 * i;
        goods.push_back(
            {admin_create_goods(admin, stack().unique_name("backup goods"), price, kInitialStock),
             price});
    }
    const long long hidden = admin_create_goods(admin, stack().unique_name("hidden"), 500, 3);
    BOOST_REQUIRE(is_ok(admin.send("DELETE", admin_goods_path(hidden))));

    // Two decided before the storm, one left paid.
    HttpClient http(stack().base_url());
    std::vector<Sale> early;
    std::map<std::string, Decision> early_decisions;
    for (int i = 0; i < 3; ++i) {
        const std::vector<CartLine> lines = {{goods[0].id, goods[0].price, 2},
                                             {goods[3].id, goods[3].price, 1}};
        const Purchase p = buy(http, 69000 + i, lines, 1000);
        early.push_back({p.transaction_id, p.cart_id, p.user_id, p.total_amount, p.payment_amount,
                         lines, Clock::now()});
    }
    BOOST_REQUIRE(is_ok(admin.post(verify_path(early[0].transaction_id),
                                   R"({"decision":"approve","note":"uang diterima"})")));
    early_decisions[early[0].transaction_id] = {"VERIFIED", Clock::now()};
    BOOST_REQUIRE(is_ok(admin.post(verify_path(early[1].transaction_id),
                                   R"({"decision":"reject","note":"uang palsu"})")));
    early_decisions[early[1].transaction_id] = {"REJECTED", Clock::now()};

    // The backup, in the middle of the storm.
    const std::string dir = stack().state_dir() + "/storm-backups";
    Storm storm(stack().base_url(), goods, token, 4);
    const auto storm_deadline = Clock::now() + std::chrono::seconds(30);
    while (storm.sale_count() < 60 && Clock::now() < storm_deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const auto backup_started = Clock::now();
    const CommandResult backed_up = run_backup(stack(), {"--dir", dir});
    const auto backup_finished = Clock::now();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    storm.stop();

    BOOST_REQUIRE_MESSAGE(succeeded(backed_up), backed_up.describe());
    const std::string path = backup_path(backed_up);
    BOOST_TEST(storm.unexpected_count() == 0,
               storm.unexpected_count()
                   << " unexpected answers in the storm; the first:"
                   << (storm.unexpected().empty() ? Response() : storm.unexpected().front()));
    std::vector<Sale> sales = early;
    sales.insert(sales.end(), storm.sales().begin(), storm.sales().end());
    std::map<std::string, Decision> decisions = early_decisions;
    decisions.insert(storm.decisions().begin(), storm.decisions().end());
    const auto before = [&](Clock::time_point t) { return t < backup_started; };
    const long acknowledged_before = std::count_if(
        sales.begin(), sales.end(), [&](const Sale& s) { return before(s.acknowledged); });
    const long during = std::count_if(sales.begin(), sales.end(), [&](const Sale& s) {
        return !before(s.acknowledged) && s.acknowledged < backup_finished;
    });
    BOOST_TEST_MESSAGE("storm: " << sales.size() << " payments (" << acknowledged_before
                                 << " before the backup, " << during << " while it ran), "
                                 << decisions.size() << " decisions, " << storm.refused()
                                 << " JSON 503; the backup took "
                                 << std::chrono::duration_cast<std::chrono::milliseconds>(
                                        backup_finished - backup_started)
                                        .count()
                                 << " ms");
    BOOST_REQUIRE(acknowledged_before >= 60);
    BOOST_TEST(during > 0, "no payment was acknowledged while the backup ran");
    BOOST_TEST(decisions.size() > 2);
    // The shop's own books add up, or the comparison below would mean nothing.
    BOOST_REQUIRE_EQUAL(stock_not_adding_up(stack(), goods, kInitialStock), "");

    // The restore, as on a new machine: the shop stopped, its database up.
    shop_down(target());
    const CommandResult restored = run_restore(target(), {"--force", path});
    BOOST_REQUIRE_MESSAGE(succeeded(restored), restored.describe());
    BOOST_TEST(restored.err.find("rows") != std::string::npos, "no row counts printed\n"
                                                                   << restored.describe());
    // schema_version came back: scripts/stack start migrates and applies nothing.
    const CommandResult started = shop_up(target());
    BOOST_TEST(started.err.find("migration: up to date") != std::string::npos, started.describe());
    BOOST_TEST(started.err.find("applied") == std::string::npos, started.describe());
    BOOST_TEST(target().sql("SELECT * FROM schema_version ORDER BY kind, version") ==
               stack().sql("SELECT * FROM schema_version ORDER BY kind, version"));

    // Every payment acknowledged before the backup began, as the customer
    // sees it on the restored shop.
    HttpClient restored_http(target().base_url());
    std::vector<std::string> wrong;
    for (const Sale& sale : sales) {
        if (!before(sale.acknowledged)) continue;
        const auto decided = decisions.find(sale.transaction_id);
        std::set<std::string> statuses = {"PAID"};
        if (decided != decisions.end()) {
            // Decided before the backup: decided in it. After: either.
            if (before(decided->second.acknowledged)) statuses.clear();
            statuses.insert(decided->second.status);
        }
        const Response view = restored_http.get(transaction_path(sale.transaction_id));
        const std::string why = view_mismatch(view, sale, statuses);
        if (!why.empty() && wrong.size() < 5)
            wrong.push_back(sale.transaction_id + ":" + why + view.describe());
        else if (!why.empty())
            wrong.push_back(sale.transaction_id + ":" + why);
    }
    BOOST_TEST(wrong.empty(), wrong.size() << " payments acknowledged before the backup are "
                                              "missing or different after the restore; the first: "
                                           << (wrong.empty() ? "" : wrong.front()));

    // Whatever else the snapshot holds is exactly as the shop has it (a
    // decision may have come since), and no more than the shop has.
    const std::string columns =
        "SELECT id, cart_id, user_id, total_amount, payment_amount, return_amount, paid_at "
        "FROM transactions";
    const auto shop_rows = keyed_rows(stack(), columns);
    const auto restored_rows = keyed_rows(target(), columns);
    BOOST_TEST(restored_rows.size() >= static_cast<size_t>(acknowledged_before));
    long differing = 0;
    for (const auto& [id, row] : restored_rows) {
        const auto it = shop_rows.find(id);
        if (it == shop_rows.end() || it->second != row) ++differing;
    }
    BOOST_TEST(differing == 0, differing << " restored transactions differ from the shop's");
    const auto shop_lines = paid_cart_lines(stack());
    long lines_differing = 0;
    for (const auto& [cart, lines] : paid_cart_lines(target())) {
        const auto it = shop_lines.find(cart);
        if (it == shop_lines.end() || it->second != lines) ++lines_differing;
    }
    BOOST_TEST(lines_differing == 0, lines_differing << " paid carts' lines differ");
    BOOST_TEST(target().sql_int("SELECT COUNT(*) FROM transactions t JOIN carts c "
                                "ON c.id = t.cart_id WHERE c.status <> 'PAID'") == 0);
    BOOST_TEST(target().sql_int("SELECT COUNT(*) FROM transactions t WHERE NOT EXISTS ("
                                "SELECT 1 FROM transaction_events e WHERE e.transaction_id = t.id "
                                "AND e.status = t.status)") == 0,
               "a restored transaction without the event of its status");

    // One snapshot: for every goods, stock plus what was sold is what it
    // started with, and the counts kept by triggers match the catalog.
    BOOST_TEST(stock_not_adding_up(target(), goods, kInitialStock) == "");
    BOOST_TEST(goods_counts_mismatch(target()) == "");
    BOOST_TEST(target().sql_int("SELECT total FROM goods_counts WHERE deleted = 1") >= 1);

    // The triggers are the restoring account's; the shop's definer is unknown here.
    const std::string restorer = target().sql("SELECT CURRENT_USER()");
    BOOST_TEST(target().sql("SELECT DISTINCT DEFINER FROM information_schema.TRIGGERS "
                            "WHERE TRIGGER_SCHEMA = 'umkm'") == restorer);
    BOOST_TEST(target().sql_int("SELECT COUNT(*) FROM information_schema.TRIGGERS "
                                "WHERE TRIGGER_SCHEMA = 'umkm'") == 3);
    BOOST_TEST(target().sql_int(std::string("SELECT COUNT(*) FROM mysql.user WHERE User = '") +
                                kMigrator + "'") == 0);

    // The restored shop sells: a new cart is paid (its stock update fires
    // the goods' update trigger).
    const long long stock =
        target().sql_int("SELECT stock FROM goods WHERE id = " + std::to_string(goods[1].id));
    const Purchase after = buy(restored_http, 69100, {{goods[1].id, goods[1].price, 3}});
    BOOST_TEST(target().sql_int("SELECT stock FROM goods WHERE id = " +
                                std::to_string(goods[1].id)) == stock - 3);
    BOOST_TEST(is_ok(restored_http.get(transaction_path(after.transaction_id))));

    // Tokens are not restored: the shop's token is unknown here, and a new
    // one made on the restored stack works, through the goods' insert and
    // update triggers and a decision on a restored payment.
    BOOST_TEST(target().sql_int("SELECT COUNT(*) FROM admin_tokens") == 0);
    AdminClient old_owner(target().base_url(), token);
    BOOST_TEST(is_error(old_owner.get(kAdminGoods), 401, "ERR_UNAUTHORIZED"));
    AdminClient new_owner(target().base_url(), target().create_token("it-owner"));
    const long long on_sale = target().sql_int("SELECT total FROM goods_counts WHERE deleted = 0");
    const long long added = admin_create_goods(new_owner, target().unique_name("after"), 700, 9);
    BOOST_TEST(target().sql_int("SELECT total FROM goods_counts WHERE deleted = 0") == on_sale + 1);
    BOOST_TEST(is_ok(new_owner.send("DELETE", admin_goods_path(added))));
    BOOST_TEST(target().sql_int("SELECT total FROM goods_counts WHERE deleted = 0") == on_sale);
    BOOST_TEST(goods_counts_mismatch(target()) == "");
    const auto still_paid =
        target().sql_rows("SELECT id FROM transactions WHERE status = 'PAID' AND id <> '" +
                          after.transaction_id + "' LIMIT 1");
    BOOST_REQUIRE(!still_paid.empty());
    BOOST_TEST(is_ok(new_owner.post(verify_path(still_paid[0][0]), R"({"decision":"approve"})")));
}

BOOST_AUTO_TEST_CASE(a_load_failing_part_way_is_an_error_that_says_the_database_is_incomplete) {
    const std::string path = take_backup(stack(), {"--dir", stack().state_dir() + "/broken"});
    // Intact as a file (gzip, the dump's first and last lines) but with a
    // statement the server rejects after the first tables were loaded.
    const std::string broken = stack().state_dir() + "/broken/broken.sql.gz";
    BOOST_REQUIRE(
        shell("gzip -dc " + shell_quote(path) +
              " | sed '/^-- Table structure for table `goods`/i THIS IS NOT SQL;' | gzip >" +
              shell_quote(broken))
            .status == 0);

    shop_down(target());
    CommandResult r = run_restore(target(), {"--force", broken});
    BOOST_TEST(r.exit_code != 0, "a broken load was reported as restored\n" << r.describe());
    BOOST_TEST(r.err.find("INCOMPLETE") != std::string::npos, r.describe());
    BOOST_TEST(r.err.find("restored ") == std::string::npos, r.describe());

    // The same restore from the intact file repairs it.
    r = run_restore(target(), {"--force", path});
    BOOST_TEST(succeeded(r), r.describe());
    shop_up(target());
    HttpClient http(target().base_url());
    BOOST_TEST(is_ok(http.get(kHealth)));
}

BOOST_AUTO_TEST_SUITE_END()
