// A steady load of mixed shop requests for the fault tests: client threads
// that list the goods, add goods to a new cart and pay that cart for exactly
// its total, over and over, against the test's stack, until stopped.
//
// Every answer is sorted into what a client may see while a fault happens
// (a 2xx, an out-of-stock 409, a JSON 503 with Retry-After to retry) or a
// defect (anything else: a 500, a 502/504, an HTML page, a hang cut off by
// the client's timeout, a closed connection). Every add and pay acknowledged
// with 200 is kept: that is the client's log the durability checks read.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http_client.h"

namespace umkm::test {

struct StormGoods {
    long long id;
    long long price;
};

struct AcknowledgedAdd {
    long long cart_id;
    long long goods_id;
    long long quantity;
};

struct AcknowledgedPay {
    long long cart_id;
    std::string transaction_id;
    long long total_amount;
};

struct StormCounts {
    long ok = 0;        // 2xx
    long declined = 0;  // 409 ERR_OUT_OF_STOCK: a correct answer when goods sell out
    long refused = 0;   // JSON 503 ERR_UNAVAILABLE with Retry-After: retry later
    long bad = 0;       // anything else
    long total() const { return ok + declined + refused + bad; }
};

class Storm {
  public:
    using Clock = std::chrono::steady_clock;

    // `threads` clients, each buying 1..max_quantity of a random goods from
    // `goods`. Client timeout: `timeout_ms` (a hang longer than that is bad).
    // `base_url`: the shop to storm; empty: the test's stack.
    Storm(int threads, std::vector<StormGoods> goods, int max_quantity = 1, long timeout_ms = 10000,
          std::string base_url = "");
    ~Storm() { stop(); }
    Storm(const Storm&) = delete;
    Storm& operator=(const Storm&) = delete;

    void stop();

    // Answers so far (any time; the counts only grow).
    StormCounts counts() const;
    // The first few bad answers, described.
    std::vector<std::string> bad_examples() const;
    // Slowest answer so far, in seconds.
    double slowest() const;

    // The client's log; call after stop().
    const std::vector<AcknowledgedAdd>& adds() const { return adds_; }
    const std::vector<AcknowledgedPay>& pays() const { return pays_; }

    // Blocks until `n` more answers than now have come back (or `limit`
    // passed); true when they did.
    bool wait_for_answers(long n, std::chrono::milliseconds limit) const;

  private:
    void run_client(int index);
    void record(const Response& r);

    std::vector<StormGoods> goods_;
    std::string base_url_;
    int max_quantity_;
    long timeout_ms_;
    std::atomic<bool> stop_{false};
    std::vector<std::thread> threads_;

    mutable std::mutex mutex_;
    StormCounts counts_;
    std::vector<std::string> bad_examples_;
    double slowest_ = 0.0;
    std::vector<AcknowledgedAdd> adds_;
    std::vector<AcknowledgedPay> pays_;
};

}  // namespace umkm::test
