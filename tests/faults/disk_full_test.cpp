// The database's disk fills up: the test puts MariaDB's data directory on a
// small tmpfs of its own, fills what is left with a file, and keeps the shop
// busy. Writes are then answered with a JSON 503 and Retry-After, whole or
// not at all; reads keep working; when the file is removed, writes succeed
// again without a restart, and every table checks out.
//
// Mounting needs CAP_SYS_ADMIN (root on a normal machine, as CI runs). Where
// the mount is refused, the test says so and is skipped.
#define BOOST_TEST_MODULE disk_full
#include <sys/mount.h>

#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "expectations.h"
#include "ledger.h"
#include "shop_requests.h"
#include "stack_fixture.h"

using namespace umkm::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// A fresh MariaDB data directory takes about 115 MiB (most of it the
// 96 MiB redo log, allocated up front): this leaves some room to fill.
constexpr const char* kVolumeSize = "size=160m,mode=0700";

const std::string& volume() {
    static const std::string path = std::string(UMKM_BUILD_DIR) + "/test-stacks/disk_full-volume";
    return path;
}

std::string mount_failure;  // why the volume could not be mounted; empty: mounted

struct DiskFullStack {
    DiskFullStack() {
        // A run killed halfway may have left its volume mounted.
        ::umount2(volume().c_str(), MNT_DETACH);
        fs::create_directories(volume());
        if (::mount("tmpfs", volume().c_str(), "tmpfs", 0, kVolumeSize) != 0) {
            mount_failure =
                std::string("cannot mount a tmpfs at ") + volume() + ": " + std::strerror(errno);
            return;
        }
        StackConfig c;
        c.name = UMKM_TEST_STACK_NAME;
        c.http_port = UMKM_TEST_HTTP_PORT;
        c.db_datadir = volume() + "/mysql";
        try {
            stack_ = std::make_unique<StackFixture>(c);
        } catch (...) {
            // The destructor does not run when the constructor throws.
            ::umount2(volume().c_str(), MNT_DETACH);
            throw;
        }
    }
    ~DiskFullStack() {
        stack_.reset();
        if (mount_failure.empty()) ::umount2(volume().c_str(), MNT_DETACH);
    }
    std::unique_ptr<StackFixture> stack_;
};

boost::test_tools::assertion_result volume_mounted(boost::unit_test::test_unit_id) {
    boost::test_tools::assertion_result r(mount_failure.empty());
    r.message() << mount_failure << " (needs CAP_SYS_ADMIN)";
    return r;
}

// Writes a file of zeroes until the volume has no space left; returns its size.
long long fill_the_volume(const std::string& path) {
    std::ofstream out(path, std::ios::binary);
    const std::vector<char> block(1 << 20, '\0');
    long long written = 0;
    while (out.write(block.data(), static_cast<std::streamsize>(block.size()))) {
        out.flush();
        if (!out) break;
        written += static_cast<long long>(block.size());
    }
    return written;
}

bool is_unavailable(const Response& r) {
    return is_error(r, 503, "ERR_UNAVAILABLE") && !r.header("Retry-After").empty();
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(DiskFullStack);

BOOST_AUTO_TEST_SUITE(disk_full, *boost::unit_test::precondition(volume_mounted))

BOOST_AUTO_TEST_CASE(writes_get_503_reads_keep_working_and_writes_resume_when_space_returns) {
    std::vector<StormGoods> goods;
    for (long long price : {1000, 4500})
        goods.push_back(
            {stack().create_goods(stack().unique_name("disk full"), 100000, price), price});
    const StockBefore before = stock_of(goods);
    HttpClient http(stack().base_url());
    std::vector<AcknowledgedAdd> adds;
    std::vector<AcknowledgedPay> pays;

    // One sale before the disk fills, to read back while it is full.
    const long long first_cart = open_cart(http, 900001, goods[0].id, goods[0].price, 1);
    adds.push_back({first_cart, goods[0].id, 1});
    const Response first_pay = pay(http, first_cart, goods[0].price);
    BOOST_REQUIRE(is_ok(first_pay));
    pays.push_back({first_cart, first_pay.str("data.transaction_id"),
                    first_pay.at("data.total_amount").asLargestInt()});

    const std::string filler = volume() + "/filler";
    const long long filled = fill_the_volume(filler);
    BOOST_TEST_MESSAGE("filled the database's volume with " << (filled >> 20) << " MiB");

    // Buy until the database cannot save any more: InnoDB first uses the
    // free pages its files already have.
    int refused = 0, bad = 0, attempts = 0;
    const auto deadline = std::chrono::steady_clock::now() + 90s;
    for (int i = 0; refused < 20 && attempts < 20000 && std::chrono::steady_clock::now() < deadline;
         ++i) {
        const StormGoods& g = goods[static_cast<size_t>(i) % goods.size()];
        ++attempts;
        const Response added = add_to_cart(http, std::nullopt, 900002, g.id, g.price, 2);
        if (is_unavailable(added)) {
            ++refused;
            continue;
        }
        if (!is_ok(added)) {
            if (++bad <= 3) BOOST_ERROR("an add with the disk full got" << added);
            continue;
        }
        const long long cart = added.at("data.cart_id").asLargestInt();
        adds.push_back({cart, g.id, 2});
        const Response paid = pay(http, cart, g.price * 2);
        if (is_unavailable(paid)) {
            ++refused;
        } else if (is_ok(paid)) {
            pays.push_back({cart, paid.str("data.transaction_id"),
                            paid.at("data.total_amount").asLargestInt()});
        } else if (++bad <= 3) {
            BOOST_ERROR("a pay with the disk full got" << paid);
        }
    }
    BOOST_TEST_MESSAGE(attempts << " adds tried, " << adds.size() << " saved, " << refused
                                << " refused with 503");
    BOOST_TEST(refused >= 20, "the disk never filled up for the database");
    BOOST_TEST(bad == 0);

    // Reads keep working while nothing can be written.
    BOOST_TEST(is_ok(http.get(kHealth)));
    BOOST_TEST(is_ok(http.get(std::string(kStocks) + "?total_goods=5")));
    const Response view =
        http.get("/api/small/transactions/" + first_pay.str("data.transaction_id"));
    BOOST_TEST(is_ok(view), view);

    // Space returns: writes succeed again, with no restart.
    fs::remove(filler);
    bool resumed = false;
    for (int i = 0; i < 50 && !resumed; ++i) {
        const Response added =
            add_to_cart(http, std::nullopt, 900003, goods[1].id, goods[1].price, 1);
        if (is_ok(added)) {
            const long long cart = added.at("data.cart_id").asLargestInt();
            adds.push_back({cart, goods[1].id, 1});
            const Response paid = pay(http, cart, goods[1].price);
            BOOST_TEST(is_ok(paid), paid);
            if (is_ok(paid)) {
                pays.push_back({cart, paid.str("data.transaction_id"),
                                paid.at("data.total_amount").asLargestInt()});
                resumed = true;
            }
        } else {
            BOOST_TEST(is_unavailable(added), added);
            std::this_thread::sleep_for(200ms);
        }
    }
    BOOST_TEST(resumed, "writes did not resume after the space returned");

    // Nothing is corrupted and nothing half-written.
    for (const char* table : {"goods", "goods_counts", "carts", "cart_items", "transactions"}) {
        const auto rows = stack().sql_rows(std::string("CHECK TABLE ") + table);
        BOOST_TEST_REQUIRE(!rows.empty());
        BOOST_TEST(rows.back().back() == "OK",
                   "CHECK TABLE " << table << ": " << rows.back().back());
    }
    check_the_books(before, adds, pays);
}

BOOST_AUTO_TEST_SUITE_END()
