#include "pool/master.h"

#include <fcgiapp.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "log/log.h"
#include "pool/dispatcher.h"
#include "pool/worker.h"

namespace umkm::pool {
namespace {

// Twice the largest pool: during a reload the old and the new generation
// briefly run side by side.
constexpr std::size_t scoreboard_slots = 2 * 256 + 8;

// libfcgi's rule (FCGX_OpenSocket): "host:port" or ":port" is TCP, anything
// without a colon is a unix socket path.
bool is_unix_path(const std::string& listen) {
    return listen.find(':') == std::string::npos;
}

// A socket file may be left over from a crash, or belong to a pool that is
// still running: only the first may be removed.
void remove_stale_socket(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return;
    if (!S_ISSOCK(st.st_mode)) throw std::runtime_error(path + " exists and is not a socket");
    int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    bool alive = ::connect(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(probe);
    if (alive) throw std::runtime_error(path + " is in use by another running pool");
    ::unlink(path.c_str());
}

std::string describe_exit(int status) {
    if (WIFSIGNALED(status)) return std::string("killed by signal ") + strsignal(WTERMSIG(status));
    return "exited with status " + std::to_string(WEXITSTATUS(status));
}

}  // namespace

Master::Master(std::string config_path, Config config)
    : config_path_(std::move(config_path)), config_(std::move(config)) {}

Master::~Master() {
    cleanup();
}

void Master::open_listen_socket() {
    listen_is_unix_ = is_unix_path(config_.pool.listen);
    if (listen_is_unix_) {
        if (config_.pool.listen.size() >= sizeof(sockaddr_un{}.sun_path)) {
            throw std::runtime_error("listen path is too long for a unix socket: " +
                                     config_.pool.listen);
        }
        remove_stale_socket(config_.pool.listen);
    }
    listen_fd_ = FCGX_OpenSocket(config_.pool.listen.c_str(), config_.pool.listen_backlog);
    if (listen_fd_ < 0) {
        throw std::runtime_error("cannot listen on " + config_.pool.listen + ": " +
                                 std::strerror(errno));
    }
    if (listen_is_unix_ && ::chmod(config_.pool.listen.c_str(), config_.pool.listen_mode) != 0) {
        throw std::runtime_error("cannot chmod " + config_.pool.listen);
    }
    // Workers wait in epoll and then accept; non-blocking, the losers of a
    // wake-up race get EAGAIN instead of sleeping inside accept() where a
    // stop signal could not reach them.
    int flags = ::fcntl(listen_fd_, F_GETFL);
    ::fcntl(listen_fd_, F_SETFL, flags | O_NONBLOCK);
}

void Master::spawn() {
    WorkerSlot* slot = scoreboard_->free_slot();
    if (!slot) {
        LOG_ERROR("no free worker slot");
        return;
    }
    // Reset before forking: the child may start its first request before
    // the parent runs again.
    slot->busy_since_ms.store(0);
    slot->requests.store(0);
    pid_t master = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) {
        LOG_ERROR("fork failed: " << std::strerror(errno));
        respawn_not_before_ms_ = monotonic_ms() + 1000;
        return;
    }
    if (pid == 0) {
        ::close(signal_fd_);
        int code = 1;
        try {
            code = run_worker(config_, listen_fd_, master, *scoreboard_, *slot);
        } catch (const std::exception& e) {
            LOG_ERROR("worker failed: " << e.what());
        }
        // _exit: the parent's atexit handlers and buffers are not ours to run.
        ::_exit(code);
    }
    slot->pid.store(pid);
    children_[pid] = {generation_, slot, monotonic_ms()};
    LOG_DEBUG("started worker " << pid);
}

void Master::spawn_dispatcher() {
    pid_t master = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) {
        LOG_ERROR("fork failed: " << std::strerror(errno));
        dispatcher_not_before_ms_ = monotonic_ms() + 1000;
        return;
    }
    if (pid == 0) {
        ::close(signal_fd_);
        // It serves no requests: the listening socket is not its business.
        ::close(listen_fd_);
        int code = 1;
        try {
            code = run_dispatcher(config_, master);
        } catch (const std::exception& e) {
            LOG_ERROR("dispatcher failed: " << e.what());
        }
        ::_exit(code);
    }
    dispatcher_pid_ = pid;
    dispatcher_started_ms_ = monotonic_ms();
    dispatcher_retiring_ = false;
    LOG_INFO("started dispatcher " << pid << " publishing events to "
                                   << config_.events.publish_url);
}

// Called on every turn of the main loop: starts the dispatcher when one is
// configured and none runs, and kills a retiring one that overstays.
void Master::manage_dispatcher() {
    if (stopping_) return;
    std::int64_t now = monotonic_ms();
    if (dispatcher_pid_ != 0) {
        if (dispatcher_retiring_ && now >= dispatcher_kill_at_ms_) {
            LOG_WARN("dispatcher " << dispatcher_pid_ << " did not stop within shutdown_timeout ("
                                   << config_.pool.shutdown_timeout << " s); killing it");
            ::kill(dispatcher_pid_, SIGKILL);
            dispatcher_kill_at_ms_ = INT64_MAX;
        }
        return;
    }
    if (config_.events.publish_url.empty() || now < dispatcher_not_before_ms_) return;
    spawn_dispatcher();
}

// On reload: the running dispatcher finishes the event it is publishing and
// exits; manage_dispatcher() starts its successor with the new settings
// once it is gone. Never two at once, so that no event of a transaction
// overtakes an earlier one (each publishes the pending rows in id order).
void Master::retire_dispatcher() {
    if (dispatcher_pid_ == 0 || dispatcher_retiring_) return;
    dispatcher_retiring_ = true;
    dispatcher_kill_at_ms_ = monotonic_ms() + config_.pool.shutdown_timeout * 1000LL;
    ::kill(dispatcher_pid_, SIGTERM);
}

void Master::dispatcher_ended(pid_t pid, int status) {
    bool expected = stopping_ || dispatcher_retiring_;
    dispatcher_pid_ = 0;
    dispatcher_retiring_ = false;
    if (expected) {
        LOG_DEBUG("dispatcher " << pid << " " << describe_exit(status));
        return;
    }
    ++restarts_;
    LOG_WARN("dispatcher " << pid << " " << describe_exit(status)
                           << "; restarting it (restarts: " << restarts_ << ")");
    // As for the workers: one death is answered at once, a second one right
    // after starting pauses restarts for a second (no fork loop).
    if (monotonic_ms() - dispatcher_started_ms_ >= 1000) {
        dispatcher_quick_deaths_ = 0;
    } else if (++dispatcher_quick_deaths_ > 1) {
        LOG_ERROR("the dispatcher keeps dying at start; pausing its restarts for a second");
        dispatcher_not_before_ms_ = monotonic_ms() + 1000;
    }
}

void Master::spawn_missing() {
    if (stopping_ || monotonic_ms() < respawn_not_before_ms_) return;
    int current = 0;
    for (const auto& [pid, child] : children_) current += child.generation == generation_;
    for (; current < config_.pool.workers; ++current) spawn();
}

void Master::reap() {
    int status = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
        if (pid == dispatcher_pid_) {
            dispatcher_ended(pid, status);
            continue;
        }
        auto it = children_.find(pid);
        if (it == children_.end()) continue;
        Child child = it->second;
        child.slot->busy_since_ms.store(0);
        child.slot->pid.store(0);
        children_.erase(it);
        bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (stopping_ || child.generation != generation_) continue;
        if (clean) {  // recycled after max_requests: replaced silently
            scoreboard_->counters().workers_recycled.fetch_add(1);
            continue;
        }
        ++restarts_;
        scoreboard_->counters().worker_restarts.fetch_add(1);
        LOG_WARN("worker " << pid << " " << describe_exit(status)
                           << "; replacing it (restarts: " << restarts_ << ")");
        // Workers that keep dying right after starting will die again: after
        // more such deaths in a row than there are workers, pause respawning
        // so a broken setup does not become a fork loop. One killed worker is
        // replaced at once.
        if (monotonic_ms() - child.started_ms >= 1000) {
            quick_deaths_ = 0;
        } else if (++quick_deaths_ > config_.pool.workers) {
            LOG_ERROR("workers keep dying at start; pausing respawns for a second");
            respawn_not_before_ms_ = monotonic_ms() + 1000;
        }
    }
}

void Master::enforce_request_timeout() {
    if (config_.pool.request_timeout <= 0) return;
    std::int64_t now = monotonic_ms();
    for (const auto& [pid, child] : children_) {
        std::int64_t since = child.slot->busy_since_ms.load();
        if (since == 0 || now - since <= config_.pool.request_timeout * 1000LL) continue;
        // Only if the worker is still on that same request: had it finished
        // (0) or begun another (a new start time) since the load above, the
        // exchange fails and the worker is left alone.
        if (!child.slot->busy_since_ms.compare_exchange_strong(since, 0)) continue;
        LOG_WARN("worker " << pid << " exceeded request_timeout (" << config_.pool.request_timeout
                           << " s); killing it");
        ::kill(pid, SIGKILL);
    }
}

void Master::signal_generation_below(int generation, int signal) {
    for (const auto& [pid, child] : children_) {
        if (child.generation < generation) ::kill(pid, signal);
    }
}

void Master::reload() {
    Config fresh;
    std::vector<std::string> warnings;
    try {
        fresh = load_config(config_path_, &warnings);
    } catch (const std::exception& e) {
        LOG_ERROR("reload refused, keeping the running configuration: " << e.what());
        return;
    }
    for (const std::string& warning : warnings) LOG_WARN(warning);
    if (fresh.pool.listen != config_.pool.listen) {
        LOG_WARN("pool.listen changed; a new address needs a restart, keeping "
                 << config_.pool.listen);
        fresh.pool.listen = config_.pool.listen;
    }
    log::set_level(log::parse_level(fresh.log.level));
    config_ = fresh;
    // New workers first, then the old ones finish what they hold and leave:
    // the socket always has someone accepting.
    ++generation_;
    respawn_not_before_ms_ = 0;
    spawn_missing();
    signal_generation_below(generation_, SIGTERM);
    dispatcher_not_before_ms_ = 0;
    retire_dispatcher();
    LOG_INFO("reloaded " << config_path_ << "; " << config_.pool.workers << " workers");
}

void Master::reopen_log() {
    try {
        log::open_file(config_.log.file);
    } catch (const std::exception& e) {
        LOG_ERROR("cannot reopen the log: " << e.what());
        return;
    }
    LOG_INFO("log reopened; replacing workers so that they write to it too");
    reload();
}

void Master::begin_shutdown() {
    if (stopping_) return;
    stopping_ = true;
    service_manager_.stopping();
    stop_deadline_ms_ = monotonic_ms() + config_.pool.shutdown_timeout * 1000LL;
    // Refuse new connections at once (nginx answers them with its JSON 503)
    // instead of letting them queue for workers that are leaving; the
    // requests the workers hold still finish.
    ::shutdown(listen_fd_, SHUT_RD);
    if (listen_is_unix_ && !socket_removed_) {
        ::unlink(config_.pool.listen.c_str());
        socket_removed_ = true;
    }
    LOG_INFO("stopping: waiting for " << children_.size() << " workers"
                                      << (dispatcher_pid_ != 0 ? " and the dispatcher" : "")
                                      << " to finish");
    signal_generation_below(generation_ + 1, SIGTERM);
    if (dispatcher_pid_ != 0) ::kill(dispatcher_pid_, SIGTERM);
}

void Master::cleanup() {
    if (listen_fd_ >= 0) {
        ::close(listen_fd_);
        listen_fd_ = -1;
        // Once only: a pool started after our stop may own the path by now.
        if (listen_is_unix_ && !socket_removed_) ::unlink(config_.pool.listen.c_str());
        socket_removed_ = true;
    }
    if (!config_.pool.pid_file.empty()) ::unlink(config_.pool.pid_file.c_str());
    if (signal_fd_ >= 0) {
        ::close(signal_fd_);
        signal_fd_ = -1;
    }
}

// One line for `systemctl status`: what runs against what should.
std::string Master::describe_state() const {
    int current = 0;
    for (const auto& [pid, child] : children_) current += child.generation == generation_;
    if (stopping_) {
        return "stopping, workers left " + std::to_string(children_.size());
    }
    std::string state = "workers " + std::to_string(current) + "/" +
                        std::to_string(config_.pool.workers) + ", restarts " +
                        std::to_string(restarts_);
    if (!config_.events.publish_url.empty()) {
        state += dispatcher_pid_ != 0 ? ", dispatcher running" : ", dispatcher down";
    }
    return state;
}

int Master::run() {
    // Signals are read from a signalfd in the main loop, never handled
    // asynchronously: the master's state changes in one place only.
    sigset_t handled;
    sigemptyset(&handled);
    for (int s : {SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1}) sigaddset(&handled, s);
    ::sigprocmask(SIG_BLOCK, &handled, nullptr);
    signal_fd_ = ::signalfd(-1, &handled, SFD_CLOEXEC);
    ::signal(SIGPIPE, SIG_IGN);

    scoreboard_ = std::make_unique<Scoreboard>(scoreboard_slots);
    // libfcgi reads its TCP client allow-list from the environment, once,
    // in FCGX_Init; the workers inherit it. FastCGI has no authentication:
    // this keeps anyone but nginx's box off a pool listening on the LAN.
    if (!config_.pool.listen_allowed_clients.empty()) {
        ::setenv("FCGI_WEB_SERVER_ADDRS", config_.pool.listen_allowed_clients.c_str(), 1);
    }
    FCGX_Init();
    open_listen_socket();
    if (!config_.pool.pid_file.empty()) {
        std::ofstream(config_.pool.pid_file) << ::getpid() << "\n";
    }
    LOG_INFO("listening on " << config_.pool.listen << " with " << config_.pool.workers
                             << " workers");
    spawn_missing();
    manage_dispatcher();
    // Ready once the workers are forked: the socket was listening before
    // them, so a connection made from now on is queued and then served.
    service_manager_.ready(describe_state());

    while (true) {
        pollfd wait{signal_fd_, POLLIN, 0};
        // Wake at least every 200 ms for request timeouts and delayed respawns.
        ::poll(&wait, 1, 200);
        signalfd_siginfo info{};
        while (::poll(&wait, 1, 0) > 0 && ::read(signal_fd_, &info, sizeof info) == sizeof info) {
            switch (info.ssi_signo) {
                case SIGCHLD:
                    reap();
                    break;
                case SIGHUP:
                    if (stopping_) break;
                    // READY=1 follows even a refused reload: the pool keeps
                    // serving with its running configuration.
                    service_manager_.reloading();
                    reload();
                    service_manager_.ready(describe_state());
                    break;
                case SIGUSR1:
                    // php-fpm's habit: reopen the log (after logrotate moved
                    // it); new workers inherit the new file.
                    if (!stopping_) reopen_log();
                    break;
                default:
                    begin_shutdown();
                    break;
            }
        }
        reap();  // SIGCHLDs coalesce: always collect everything that ended
        // Fed from here, the watchdog proves that this loop turns; it cannot
        // see a worker that hangs, which request_timeout takes care of.
        if (service_manager_.enabled()) {
            service_manager_.status(describe_state());
            service_manager_.keep_alive();
        }
        if (stopping_) {
            if (children_.empty() && dispatcher_pid_ == 0) break;
            if (monotonic_ms() > stop_deadline_ms_) {
                LOG_WARN("shutdown_timeout reached; killing " << children_.size() << " workers");
                signal_generation_below(generation_ + 1, SIGKILL);
                if (dispatcher_pid_ != 0) ::kill(dispatcher_pid_, SIGKILL);
                stop_deadline_ms_ = INT64_MAX;
            }
            continue;
        }
        enforce_request_timeout();
        spawn_missing();
        manage_dispatcher();
    }
    LOG_INFO("stopped");
    cleanup();
    return 0;
}

}  // namespace umkm::pool
