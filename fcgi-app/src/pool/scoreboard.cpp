#include "pool/scoreboard.h"

#include <sys/mman.h>
#include <time.h>

#include <new>
#include <stdexcept>

namespace umkm::pool {

Scoreboard::Scoreboard(std::size_t slots) : size_(slots) {
    void* memory = ::mmap(nullptr, sizeof(WorkerSlot) * slots, PROT_READ | PROT_WRITE,
                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) throw std::runtime_error("cannot map the worker scoreboard");
    slots_ = static_cast<WorkerSlot*>(memory);
    for (std::size_t i = 0; i < slots; ++i) new (&slots_[i]) WorkerSlot();
}

Scoreboard::~Scoreboard() {
    ::munmap(slots_, sizeof(WorkerSlot) * size_);
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
