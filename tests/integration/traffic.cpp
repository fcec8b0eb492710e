#include "traffic.h"

#include "expectations.h"
#include "shop_requests.h"
#include "stack_fixture.h"

namespace umkm::test {

Traffic::Traffic(int threads, long long goods, long long price) {
    for (int i = 0; i < threads; ++i) {
        threads_.emplace_back([this, i, goods, price] {
            HttpClient http(ClientOptions{stack().base_url(), "", 15000, 5000});
            for (long n = 0; !stop_; ++n) {
                Response r = n % 2 == 0
                                 ? http.get(std::string(kStocks) + "?total_goods=5")
                                 : add_to_cart(http, std::nullopt, 50000 + i, goods, price, 1);
                record(std::move(r));
            }
        });
    }
}

void Traffic::stop() {
    stop_ = true;
    for (auto& t : threads_)
        if (t.joinable()) t.join();
}

void Traffic::record(Response r) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (r.status == 200 && is_ok(r)) {
        ++ok_;
    } else if (r.status == 503 && is_envelope(r)) {
        ++failed_;
    } else {
        ++bad_count_;
        if (bad_.size() < 3) bad_.push_back(std::move(r));
    }
}

}  // namespace umkm::test
