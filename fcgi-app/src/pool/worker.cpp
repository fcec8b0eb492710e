#include "pool/worker.h"

#include <fcgiapp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "controller/app.h"
#include "http/message.h"
#include "http/query.h"
#include "http/response.h"
#include "log/log.h"
#include "store/database.h"

namespace umkm::pool {
namespace {

volatile sig_atomic_t stop_requested = 0;

void on_stop_signal(int) {
    stop_requested = 1;
}

std::string param(FCGX_Request& request, const char* name) {
    const char* value = FCGX_GetParam(name, request.envp);
    return value ? value : "";
}

// Reads at most `limit` + 1 bytes so an oversized body is detected without
// buffering it (nginx limits it first; this is the second line).
std::string read_body(FCGX_Request& request, long limit) {
    // nginx always sends CONTENT_LENGTH with a body (it buffers chunked
    // uploads); without one there is nothing to read.
    auto length = http::parse_plain_integer(param(request, "CONTENT_LENGTH"), 0, INT64_MAX);
    if (!length || *length == 0) return "";
    long want = static_cast<long>(std::min<std::int64_t>(*length, limit + 1));
    std::string body(static_cast<std::size_t>(want), '\0');
    long got = 0;
    while (got < want) {
        int n = FCGX_GetStr(&body[static_cast<std::size_t>(got)], static_cast<int>(want - got),
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
    head += "\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n";
    for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
    head += "Content-Length: " + std::to_string(response.body.size()) + "\r\n\r\n";
    FCGX_PutStr(head.data(), static_cast<int>(head.size()), request.out);
    FCGX_PutStr(response.body.data(), static_cast<int>(response.body.size()), request.out);
}

void serve(FCGX_Request& fcgi, controller::App& app, long max_body_size) {
    http::Request request;
    request.method = param(fcgi, "REQUEST_METHOD");
    // DOCUMENT_URI is nginx's normalised, decoded path without the query.
    request.path = param(fcgi, "DOCUMENT_URI");
    if (request.path.empty()) request.path = param(fcgi, "SCRIPT_NAME");
    request.query_string = param(fcgi, "QUERY_STRING");
    request.request_id = param(fcgi, "REQUEST_ID");
    request.body = read_body(fcgi, max_body_size);
    write_response(fcgi, app.handle(request));
}

void install_signal_handlers(sigset_t& wait_mask) {
    struct sigaction stop {};
    stop.sa_handler = on_stop_signal;
    sigemptyset(&stop.sa_mask);
    stop.sa_flags = 0;  // no SA_RESTART: the signal must interrupt the wait
    for (int s : {SIGTERM, SIGINT, SIGQUIT}) ::sigaction(s, &stop, nullptr);
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    // A reload is the master's business; a vanished nginx connection must
    // fail the write, not kill the worker.
    for (int s : {SIGHUP, SIGPIPE}) ::sigaction(s, &ignore, nullptr);
    struct sigaction deflt {};
    deflt.sa_handler = SIG_DFL;
    sigemptyset(&deflt.sa_mask);
    ::sigaction(SIGCHLD, &deflt, nullptr);

    // Stop signals stay blocked except inside epoll_pwait(): a stop that arrives
    // mid-request is acted on only after the response is sent, and one that
    // arrives between requests wakes the wait at once. No window loses it.
    sigset_t blocked;
    sigemptyset(&blocked);
    for (int s : {SIGTERM, SIGINT, SIGQUIT}) sigaddset(&blocked, s);
    ::sigprocmask(SIG_SETMASK, &blocked, nullptr);
    sigemptyset(&wait_mask);
}

}  // namespace

int run_worker(const Config& config, int listen_fd, WorkerSlot& slot) {
    // If the master dies, stop like on SIGTERM instead of serving forever as
    // an orphan nobody supervises.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    sigset_t wait_mask;
    install_signal_handlers(wait_mask);

    store::Database db(config.database);
    controller::App app(db, config.pool.max_body_size);
    FCGX_Request request;
    if (FCGX_InitRequest(&request, listen_fd, 0) != 0) {
        LOG_ERROR("FCGX_InitRequest failed");
        return 1;
    }
    // EPOLLEXCLUSIVE: a new connection wakes one idle worker, not all of
    // them (with plain poll every worker woke per request and all but one
    // went back to sleep empty-handed).
    int waiter = ::epoll_create1(EPOLL_CLOEXEC);
    epoll_event interest{};
    interest.events = EPOLLIN | EPOLLEXCLUSIVE;
    if (waiter < 0 || ::epoll_ctl(waiter, EPOLL_CTL_ADD, listen_fd, &interest) != 0) {
        LOG_ERROR("epoll set-up failed: " << std::strerror(errno));
        return 1;
    }
    long served = 0;
    while (!stop_requested) {
        epoll_event event{};
        int ready = ::epoll_pwait(waiter, &event, 1, -1, &wait_mask);
        if (ready < 0) {
            if (errno == EINTR) continue;
            LOG_ERROR("waiting for connections failed: " << std::strerror(errno));
            return 1;
        }
        // The listening socket is non-blocking: when another worker took the
        // connection first, accept fails with EAGAIN and we wait again.
        int accepted = FCGX_Accept_r(&request);
        if (accepted < 0) {
            int error = -accepted;
            if (error != EAGAIN && error != EWOULDBLOCK && error != EINTR) {
                LOG_WARN("accept failed: " << std::strerror(error));
                ::usleep(10000);
            }
            continue;
        }
        slot.busy_since_ms.store(monotonic_ms());
        serve(request, app, config.pool.max_body_size);
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
    return 0;
}

}  // namespace umkm::pool
