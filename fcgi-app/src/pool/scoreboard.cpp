#include "pool/scoreboard.h"

#include <sys/mman.h>
#include <time.h>

#include <new>
#include <stdexcept>

namespace umkm::pool {

// One mapping: the counters, then the slots (both hold only atomics of
// at most 8 bytes, so the slots stay aligned after the counters).
std::size_t Scoreboard::bytes() const {
    return sizeof(PoolCounters) + sizeof(WorkerSlot) * size_;
}

Scoreboard::Scoreboard(std::size_t slots) : size_(slots) {
    void* memory =
        ::mmap(nullptr, bytes(), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) throw std::runtime_error("cannot map the worker scoreboard");
    counters_ = new (memory) PoolCounters();
    slots_ = reinterpret_cast<WorkerSlot*>(static_cast<char*>(memory) + sizeof(PoolCounters));
    for (std::size_t i = 0; i < slots; ++i) new (&slots_[i]) WorkerSlot();
}

Scoreboard::~Scoreboard() {
    ::munmap(counters_, bytes());
}

WorkerSlot* Scoreboard::free_slot() {
    for (std::size_t i = 0; i < size_; ++i) {
        if (slots_[i].pid.load() == 0) return &slots_[i];
    }
    return nullptr;
}

std::int64_t monotonic_ms() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace umkm::pool
