// Client threads sending a mix of requests (listing, add to cart) to the
// test's stack until stopped, counting what came back; shared by the tests
// that disturb a running pool.
#pragma once

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "http_client.h"

namespace umkm::test {

// Every answer is counted as a 200, a JSON 503 (failed: allowed where a
// test kills processes), or anything else (bad: always a defect).
class Traffic {
  public:
    Traffic(int threads, long long goods, long long price);
    ~Traffic() { stop(); }

    void stop();

    // Call after stop().
    long ok() const { return ok_; }
    long failed() const { return failed_; }
    long bad_count() const { return bad_count_; }
    const std::vector<Response>& bad() const { return bad_; }  // the first few

  private:
    void record(Response r);

    std::atomic<bool> stop_{false};
    std::vector<std::thread> threads_;
    std::mutex mutex_;
    long ok_ = 0;
    long failed_ = 0;
    long bad_count_ = 0;
    std::vector<Response> bad_;
};

}  // namespace umkm::test
