#include "pool/worker.h"

#include <fcgiapp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>

#include "controller/app.h"
#include "http/message.h"
#include "http/response.h"
#include "log/log.h"
#include "pool/metrics.h"
#include "pool/request_params.h"
#include "pool/stop_signals.h"
#include "store/database.h"

namespace umkm::pool {
namespace {

std::string param(FCGX_Request& request, const char* name) {
    const char* value = FCGX_GetParam(name, request.envp);
    return value ? value : "";
}

// Reads at most `limit` + 1 bytes so an oversized body is detected without
// buffering it (nginx limits it first; this is the second line).
std::string read_body(FCGX_Request& request, long limit) {
    const auto want = body_length(param(request, "CONTENT_LENGTH"), limit);
    if (!want) return "";
    std::string body(static_cast<std::size_t>(*want), '\0');
    long got = 0;
    while (got < *want) {
        int n = FCGX_GetStr(&body[static_cast<std::size_t>(got)], static_cast<int>(*want - got),
                            request.in);
        if (n <= 0) break;
        got += n;
    }
    body.resize(static_cast<std::size_t>(got));
    return body;
}

void write_response(FCGX_Request& request, const http::Response& response) {
    std::string head = "Status: ";
    head += http::reason_phrase(response.status);
    head += "\r\nCache-Control: no-store\r\n";
    bool typed = false;  // JSON unless the response says otherwise (metrics)
    for (const auto& [name, value] : response.headers) {
        head += name + ": " + value + "\r\n";
        typed = typed || name == "Content-Type";
    }
    if (!typed) head += "Content-Type: application/json\r\n";
    head += "Content-Length: " + std::to_string(response.body.size()) + "\r\n\r\n";
    FCGX_PutStr(head.data(), static_cast<int>(head.size()), request.out);
    FCGX_PutStr(response.body.data(), static_cast<int>(response.body.size()), request.out);
}

// How long the request waited for this worker, in milliseconds; -1 when
// nginx's REQUEST_START is missing or unreadable.
double queue_wait_ms(FCGX_Request& fcgi) {
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    return pool::queue_wait_ms(param(fcgi, "REQUEST_START"),
                               static_cast<double>(now.tv_sec) + now.tv_nsec / 1e9)
        .value_or(-1);
}

// Admission control (umkm.conf max_queue_wait_ms): true when the request
// waited too long for a worker and is to be turned away before it touches
// anything (App::handle asks, except for a route never shed: the health
// check). The wait compares nginx's clock with ours: on one box that is one
// clock, but a pool on another box may run ahead or behind. A wait below
// zero or beyond request_timeout can only be clocks that disagree (or a
// clock step), and then the request is let in rather than shedding
// everything.
bool waited_too_long(FCGX_Request& fcgi, const PoolConfig& pool) {
    if (pool.max_queue_wait_ms <= 0) return false;
    const double waited = queue_wait_ms(fcgi);
    const double plausible = pool.request_timeout > 0 ? pool.request_timeout * 1000.0 : 3600e3;
    return waited > pool.max_queue_wait_ms && waited <= plausible;
}

http::Response answer(FCGX_Request& fcgi, controller::App& app, Scoreboard& board,
                      const Config& config) {
    http::Request request = request_from([&](const char* name) { return param(fcgi, name); });
    request.body = read_body(fcgi, config.pool.max_body_size);
    return app.handle(request, [&] {
        if (!waited_too_long(fcgi, config.pool)) return false;
        board.counters().shed.fetch_add(1, std::memory_order_relaxed);
        return true;
    });
}

void serve(FCGX_Request& fcgi, controller::App& app, Scoreboard& board, const Config& config) {
    const http::Response response = answer(fcgi, app, board, config);
    write_response(fcgi, response);
    board.counters().count_answer(response.status);
}

}  // namespace

int run_worker(const Config& config, int listen_fd, pid_t master, Scoreboard& board,
               WorkerSlot& slot) {
    // If the master dies, stop like on SIGTERM instead of serving forever as
    // an orphan nobody supervises; if it died before this line, stop now.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != master) return 0;
    int stop_fd = open_stop_signals();

    store::Database db(config.database);
    // GET /api/small/metrics: the pool's numbers from the shared scoreboard,
    // whichever worker takes the request.
    controller::App app(db, config.pool.max_body_size,
                        [&] { return prometheus_text(board, config.pool); });
    FCGX_Request request;
    if (stop_fd < 0 || FCGX_InitRequest(&request, listen_fd, 0) != 0) {
        LOG_ERROR("worker set-up failed");
        return 1;
    }
    // EPOLLEXCLUSIVE: a new connection wakes one idle worker, not all of
    // them (with plain poll every worker woke per request and all but one
    // went back to sleep empty-handed).
    int waiter = ::epoll_create1(EPOLL_CLOEXEC);
    epoll_event on_connection{};
    on_connection.events = EPOLLIN | EPOLLEXCLUSIVE;
    on_connection.data.fd = listen_fd;
    epoll_event on_stop{};
    on_stop.events = EPOLLIN;
    on_stop.data.fd = stop_fd;
    if (waiter < 0 || ::epoll_ctl(waiter, EPOLL_CTL_ADD, listen_fd, &on_connection) != 0 ||
        ::epoll_ctl(waiter, EPOLL_CTL_ADD, stop_fd, &on_stop) != 0) {
        LOG_ERROR("epoll set-up failed: " << std::strerror(errno));
        return 1;
    }
    long served = 0;
    int code = 0;
    while (true) {
        epoll_event events[2];
        int ready = ::epoll_wait(waiter, events, 2, -1);
        if (ready < 0) {
            if (errno == EINTR) continue;
            LOG_ERROR("waiting for connections failed: " << std::strerror(errno));
            code = 1;
            break;
        }
        bool stop = false;
        for (int i = 0; i < ready; ++i) stop = stop || events[i].data.fd == stop_fd;
        if (stop) break;

        // Timed from here, so that a client slow to send its request counts
        // against request_timeout too.
        slot.busy_since_ms.store(monotonic_ms());
        // The listening socket is non-blocking: when another worker took the
        // connection first, accept fails with EAGAIN and we wait again.
        int accepted = FCGX_Accept_r(&request);
        if (accepted < 0) {
            slot.busy_since_ms.store(0);
            int error = -accepted;
            if (error == EAGAIN || error == EWOULDBLOCK || error == EINTR) continue;
            // Anything else will not fix itself here: exit, and the master
            // starts a fresh worker (pausing if that keeps happening).
            LOG_ERROR("accept failed (" << accepted << "); worker exits");
            code = 1;
            break;
        }
        serve(request, app, board, config);
        FCGX_Finish_r(&request);
        slot.busy_since_ms.store(0);
        slot.requests.fetch_add(1);
        if (config.pool.max_requests > 0 && ++served >= config.pool.max_requests) {
            LOG_DEBUG("served " << served << " requests; recycling");
            break;
        }
    }
    FCGX_Free(&request, 0);
    ::close(waiter);
    ::close(stop_fd);
    return code;
}

}  // namespace umkm::pool
