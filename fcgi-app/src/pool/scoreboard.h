// Shared memory between the master and its workers: one slot per worker
// saying whether it is busy and since when, so the master can enforce
// request_timeout without any message passing on the request path; and the
// pool's counters, which any worker reads for /api/small/metrics.
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

// Counters of the whole pool since the master started (Prometheus
// counters: they only grow, and a master restart starts them again).
struct PoolCounters {
    std::atomic<std::uint64_t> answered_2xx{0};
    std::atomic<std::uint64_t> answered_4xx{0};
    std::atomic<std::uint64_t> answered_5xx{0};
    std::atomic<std::uint64_t> shed{0};              // turned away by max_queue_wait_ms
    std::atomic<std::uint64_t> worker_restarts{0};   // workers that died and were replaced
    std::atomic<std::uint64_t> workers_recycled{0};  // left after max_requests

    void count_answer(int status) {
        auto& counter = status < 400 ? answered_2xx : status < 500 ? answered_4xx : answered_5xx;
        counter.fetch_add(1, std::memory_order_relaxed);
    }
};

// Shared between processes, so the atomics must not fall back to
// libatomic's locks, which are private to each process (a 32-bit ARMv6
// userland would; ARMv7 and arm64 do not).
static_assert(std::atomic<std::uint64_t>::is_always_lock_free &&
                  std::atomic<std::int64_t>::is_always_lock_free,
              "the scoreboard needs lock-free 64-bit atomics");
static_assert(sizeof(PoolCounters) % alignof(WorkerSlot) == 0,
              "the slots follow the counters in one mapping");

class Scoreboard {
  public:
    // Anonymous shared mapping, inherited by every forked worker.
    explicit Scoreboard(std::size_t slots);
    ~Scoreboard();
    Scoreboard(const Scoreboard&) = delete;
    Scoreboard& operator=(const Scoreboard&) = delete;

    std::size_t size() const { return size_; }
    WorkerSlot& slot(std::size_t i) { return slots_[i]; }
    const WorkerSlot& slot(std::size_t i) const { return slots_[i]; }
    // A slot with no worker, or nullptr when all are taken.
    WorkerSlot* free_slot();
    PoolCounters& counters() { return *counters_; }
    const PoolCounters& counters() const { return *counters_; }

  private:
    std::size_t bytes() const;
    PoolCounters* counters_;
    WorkerSlot* slots_;
    std::size_t size_;
};

std::int64_t monotonic_ms();

}  // namespace umkm::pool
