// Shared memory between the master and its workers: one slot per worker
// saying whether it is busy and since when, so the master can enforce
// request_timeout without any message passing on the request path.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace umkm::pool {

struct WorkerSlot {
    std::atomic<pid_t> pid{0};
    std::atomic<std::int64_t> busy_since_ms{0};  // 0: waiting for a request
    std::atomic<std::uint64_t> requests{0};
};

class Scoreboard {
  public:
    // Anonymous shared mapping, inherited by every forked worker.
    explicit Scoreboard(std::size_t slots);
    ~Scoreboard();
    Scoreboard(const Scoreboard&) = delete;
    Scoreboard& operator=(const Scoreboard&) = delete;

    std::size_t size() const { return size_; }
    WorkerSlot& slot(std::size_t i) { return slots_[i]; }
    // A slot with no worker, or nullptr when all are taken.
    WorkerSlot* free_slot();

  private:
    WorkerSlot* slots_;
    std::size_t size_;
};

std::int64_t monotonic_ms();

}  // namespace umkm::pool
