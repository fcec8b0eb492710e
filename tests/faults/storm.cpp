#include "storm.h"

#include <random>
#include <sstream>

#include "expectations.h"
#include "shop_requests.h"
#include "stack_fixture.h"

namespace umkm::test {

namespace {

// User ids of the storm's carts: far from the other tests' ids.
constexpr long long kFirstUser = 900000;

bool is_refusal(const Response& r) {
    return r.status == 503 && r.is_json && r.str("status") == "ERR_UNAVAILABLE" &&
           !r.header("Retry-After").empty() && is_envelope(r);
}

}  // namespace

Storm::Storm(int threads, std::vector<StormGoods> goods, int max_quantity, long timeout_ms,
             std::string base_url)
    : goods_(std::move(goods)),
      base_url_(base_url.empty() ? stack().base_url() : std::move(base_url)),
      max_quantity_(max_quantity),
      timeout_ms_(timeout_ms) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this, i] { run_client(i); });
}

void Storm::stop() {
    stop_ = true;
    for (auto& t : threads_)
        if (t.joinable()) t.join();
}

void Storm::run_client(int index) {
    HttpClient http(ClientOptions{base_url_, "", timeout_ms_, 2000});
    std::mt19937 random(static_cast<unsigned>(index) * 7919u + 17u);
    std::uniform_int_distribution<size_t> pick(0, goods_.size() - 1);
    std::uniform_int_distribution<int> quantity(1, max_quantity_);
    const long long user = kFirstUser + index;
    while (!stop_) {
        record(http.get(std::string(kStocks) + "?total_goods=5"));
        if (stop_) break;

        const StormGoods& g = goods_[pick(random)];
        const long long q = quantity(random);
        const Response added = add_to_cart(http, std::nullopt, user, g.id, g.price, q);
        record(added);
        if (added.status != 200 || stop_) continue;
        const long long cart_id = added.at("data.cart_id").asLargestInt();
        {
            std::lock_guard<std::mutex> lock(mutex_);
            adds_.push_back({cart_id, g.id, q});
        }

        const Response paid = pay(http, cart_id, g.price * q);
        record(paid);
        if (paid.status == 200) {
            std::lock_guard<std::mutex> lock(mutex_);
            pays_.push_back({cart_id, paid.str("data.transaction_id"),
                             paid.at("data.total_amount").asLargestInt()});
        }
    }
}

void Storm::record(const Response& r) {
    std::lock_guard<std::mutex> lock(mutex_);
    slowest_ = std::max(slowest_, r.seconds);
    if (r.status >= 200 && r.status < 300 && is_ok(r)) {
        ++counts_.ok;
    } else if (r.status == 409 && r.str("status") == "ERR_OUT_OF_STOCK" && is_envelope(r)) {
        ++counts_.declined;
    } else if (is_refusal(r)) {
        ++counts_.refused;
    } else {
        ++counts_.bad;
        if (bad_examples_.size() < 3) bad_examples_.push_back(r.describe());
    }
}

StormCounts Storm::counts() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return counts_;
}

std::vector<std::string> Storm::bad_examples() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return bad_examples_;
}

double Storm::slowest() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return slowest_;
}

bool Storm::wait_for_answers(long n, std::chrono::milliseconds limit) const {
    const long target = counts().total() + n;
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
        if (counts().total() >= target) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

}  // namespace umkm::test
