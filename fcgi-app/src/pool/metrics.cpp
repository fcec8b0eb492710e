#include "pool/metrics.h"

#include <sstream>

namespace umkm::pool {
namespace {

void family(std::ostringstream& out, const char* name, const char* type, const char* help) {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
}

}  // namespace

std::string prometheus_text(const Scoreboard& board, const PoolConfig& pool) {
    long alive = 0, busy = 0;
    std::uint64_t served = 0;
    for (std::size_t i = 0; i < board.size(); ++i) {
        const WorkerSlot& slot = board.slot(i);
        if (slot.pid.load() == 0) continue;
        ++alive;
        busy += slot.busy_since_ms.load() != 0;
        served += slot.requests.load();
    }
    const PoolCounters& c = board.counters();
    std::ostringstream out;
    family(out, "umkm_workers", "gauge", "Worker processes the configuration asks for.");
    out << "umkm_workers " << pool.workers << '\n';
    family(out, "umkm_workers_alive", "gauge",
           "Worker processes running (during a reload, old and new).");
    out << "umkm_workers_alive " << alive << '\n';
    family(out, "umkm_workers_busy", "gauge", "Workers serving a request at this moment.");
    out << "umkm_workers_busy " << busy << '\n';
    family(out, "umkm_requests_total", "counter",
           "Requests the pool answered since its master started, by status class.");
    out << "umkm_requests_total{code=\"2xx\"} " << c.answered_2xx.load() << '\n'
        << "umkm_requests_total{code=\"4xx\"} " << c.answered_4xx.load() << '\n'
        << "umkm_requests_total{code=\"5xx\"} " << c.answered_5xx.load() << '\n';
    family(out, "umkm_requests_shed_total", "counter",
           "Requests answered 503 at once for waiting longer than max_queue_wait_ms.");
    out << "umkm_requests_shed_total " << c.shed.load() << '\n';
    family(out, "umkm_worker_restarts_total", "counter",
           "Workers that died (crash, kill, request_timeout) and were replaced.");
    out << "umkm_worker_restarts_total " << c.worker_restarts.load() << '\n';
    family(out, "umkm_workers_recycled_total", "counter",
           "Workers replaced after serving max_requests.");
    out << "umkm_workers_recycled_total " << c.workers_recycled.load() << '\n';
    family(out, "umkm_worker_requests", "gauge",
           "Requests served by the workers running now, since each started.");
    out << "umkm_worker_requests " << served << '\n';
    return out.str();
}

}  // namespace umkm::pool
