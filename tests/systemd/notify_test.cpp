// The pool's side of systemd's notify protocol (sd_notify(3)), which the
// Type=notify unit in systemd/ relies on. No systemd runs here, so the test
// plays the service manager: it binds a unix datagram socket, starts the
// umkm-fcgi of this build with NOTIFY_SOCKET pointing at it (and
// WATCHDOG_USEC and WATCHDOG_PID, as systemd does for WatchdogSec=), and
// reads what the master says as it starts, reloads and stops.
//
// The pool needs no database for this: its workers connect on their first
// request, and none is sent.
#define BOOST_TEST_MODULE systemd_notify
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// One datagram from the pool: "KEY=value" lines.
struct Message {
    Clock::time_point at;
    std::vector<std::string> lines;

    bool has(const std::string& line) const {
        for (const auto& l : lines) {
            if (l == line) return true;
        }
        return false;
    }
    std::optional<std::string> value(const std::string& key) const {
        for (const auto& l : lines) {
            if (l.compare(0, key.size() + 1, key + "=") == 0) return l.substr(key.size() + 1);
        }
        return std::nullopt;
    }
};

class NotifiedPool {
  public:
    NotifiedPool() {
        char dir_template[] = "/tmp/umkm-notify.XXXXXX";
        // Short on purpose: a unix socket's path must fit in 108 bytes.
        BOOST_REQUIRE(::mkdtemp(dir_template) != nullptr);
        dir_ = dir_template;
        notify_path_ = dir_ + "/notify";
        listen_path_ = dir_ + "/umkm-fcgi.sock";
        config_path_ = dir_ + "/umkm.conf";
        log_path_ = dir_ + "/umkm-fcgi.log";
        write_config(2, "");

        notify_fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        BOOST_REQUIRE(notify_fd_ >= 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, notify_path_.c_str(), sizeof(addr.sun_path) - 1);
        BOOST_REQUIRE(::bind(notify_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    }

    ~NotifiedPool() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        ::close(notify_fd_);
        // The workers stop on their own once the master is gone
        // (PR_SET_PDEATHSIG); their files go with the directory.
        std::string rm = "rm -rf '" + dir_ + "'";
        if (std::system(rm.c_str()) != 0) BOOST_TEST_MESSAGE("could not remove " << dir_);
    }

    // `extra` is appended to the [pool] section.
    void write_config(int workers, const std::string& extra) {
        std::ofstream(config_path_) << "[pool]\n"
                                    << "listen = " << listen_path_ << "\n"
                                    << "workers = " << workers << "\n"
                                    << "shutdown_timeout = 5\n"
                                    << extra << "[log]\n"
                                    << "file = " << log_path_ << "\n";
    }

    // Starts the pool as systemd would: WATCHDOG_PID names the process that
    // is to ping, here the pool itself unless `watchdog_pid` says otherwise.
    void start(long watchdog_usec, pid_t watchdog_pid = 0) {
        pid_ = ::fork();
        BOOST_REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::setenv("NOTIFY_SOCKET", notify_path_.c_str(), 1);
            if (watchdog_usec > 0) {
                ::setenv("WATCHDOG_USEC", std::to_string(watchdog_usec).c_str(), 1);
                pid_t owner = watchdog_pid != 0 ? watchdog_pid : ::getpid();
                ::setenv("WATCHDOG_PID", std::to_string(owner).c_str(), 1);
            }
            ::execl(UMKM_FCGI_BINARY, "umkm-fcgi", "-c", config_path_.c_str(),
                    static_cast<char*>(nullptr));
            ::_exit(127);
        }
    }

    // The next message, or nothing within `timeout`.
    std::optional<Message> receive(milliseconds timeout) {
        pollfd ready{notify_fd_, POLLIN, 0};
        if (::poll(&ready, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
        char buffer[4096];
        ssize_t n = ::recv(notify_fd_, buffer, sizeof buffer, 0);
        if (n <= 0) return std::nullopt;
        Message message{Clock::now(), {}};
        std::istringstream text(std::string(buffer, static_cast<std::size_t>(n)));
        for (std::string line; std::getline(text, line);) {
            if (!line.empty()) message.lines.push_back(line);
        }
        history_.push_back(message);
        return message;
    }

    // Reads messages until one has `line`, for up to `timeout`.
    std::optional<Message> wait_for(const std::string& line, milliseconds timeout) {
        auto deadline = Clock::now() + timeout;
        while (Clock::now() < deadline) {
            auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
            auto message = receive(left);
            if (message && message->has(line)) return message;
        }
        BOOST_TEST_MESSAGE("no " << line << " within " << timeout.count() << " ms; received:\n"
                                 << received() << "pool log:\n"
                                 << pool_log());
        return std::nullopt;
    }

    // Every message so far, one per line, for failure messages.
    std::string received() const {
        std::string all;
        for (const auto& message : history_) {
            for (std::size_t i = 0; i < message.lines.size(); ++i) {
                all += (i == 0 ? "  " : " | ") + message.lines[i];
            }
            all += "\n";
        }
        return all;
    }

    std::string pool_log() const {
        std::ifstream in(log_path_);
        std::ostringstream text;
        text << in.rdbuf();
        return text.str();
    }

    // The pool's exit status once it has ended, waiting up to `timeout`.
    std::optional<int> wait_exit(milliseconds timeout) {
        auto deadline = Clock::now() + timeout;
        while (Clock::now() < deadline) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = 0;
                return status;
            }
            ::usleep(20000);
        }
        return std::nullopt;
    }

    bool accepts_connections() const {
        int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, listen_path_.c_str(), sizeof(addr.sun_path) - 1);
        bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        ::close(fd);
        return ok;
    }

    pid_t pid() const { return pid_; }

  private:
    std::string dir_, notify_path_, listen_path_, config_path_, log_path_;
    int notify_fd_ = -1;
    pid_t pid_ = 0;
    std::vector<Message> history_;
};

constexpr milliseconds start_timeout{10000};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(systemd_notify, NotifiedPool)

BOOST_AUTO_TEST_CASE(ready_once_the_workers_are_started) {
    start(0);
    auto ready = wait_for("READY=1", start_timeout);
    BOOST_REQUIRE(ready);
    // What `systemctl status` shows beside the unit.
    BOOST_TEST(ready->value("STATUS").value_or("") == "workers 2/2, restarts 0");
    // systemd starts nginx after a ready pool: its first request must be
    // let in, not refused.
    BOOST_TEST(accepts_connections());
}

BOOST_AUTO_TEST_CASE(watchdog_pinged_while_the_main_loop_turns) {
    // 400 ms: a ping at least every 200 ms or so (half the interval; the
    // loop turns at least every 200 ms), so 2 s holds several.
    start(400000);
    BOOST_REQUIRE(wait_for("READY=1", start_timeout));
    auto until = Clock::now() + milliseconds(2000);
    int pings = 0;
    while (Clock::now() < until) {
        auto message = receive(std::chrono::duration_cast<milliseconds>(until - Clock::now()));
        if (message && message->has("WATCHDOG=1")) ++pings;
    }
    BOOST_TEST(pings >= 2, pings << " pings in 2 s; received:\n" << received());
}

BOOST_AUTO_TEST_CASE(no_watchdog_pings_when_the_watchdog_is_another_process) {
    // WATCHDOG_PID names who systemd watches; a pool started by a wrapper
    // that is watched itself must not ping in its name.
    start(400000, ::getpid());
    BOOST_REQUIRE(wait_for("READY=1", start_timeout));
    auto until = Clock::now() + milliseconds(1000);
    int pings = 0;
    while (Clock::now() < until) {
        auto message = receive(std::chrono::duration_cast<milliseconds>(until - Clock::now()));
        if (message && message->has("WATCHDOG=1")) ++pings;
    }
    BOOST_TEST(pings == 0, pings << " pings; received:\n" << received());
}

BOOST_AUTO_TEST_CASE(reload_says_reloading_then_ready) {
    start(0);
    BOOST_REQUIRE(wait_for("READY=1", start_timeout));
    write_config(3, "");
    BOOST_REQUIRE(::kill(pid(), SIGHUP) == 0);
    auto reloading = wait_for("RELOADING=1", start_timeout);
    BOOST_REQUIRE(reloading);
    // Type=notify-reload (systemd 253 and later) needs the time with it.
    BOOST_TEST(reloading->value("MONOTONIC_USEC").has_value());
    auto ready = wait_for("READY=1", start_timeout);
    BOOST_REQUIRE(ready);
    BOOST_TEST(ready->value("STATUS").value_or("") == "workers 3/3, restarts 0");
}

BOOST_AUTO_TEST_CASE(refused_reload_ends_ready_with_the_running_configuration) {
    start(0);
    BOOST_REQUIRE(wait_for("READY=1", start_timeout));
    write_config(3, "no_such_knob = 1\n");
    BOOST_REQUIRE(::kill(pid(), SIGHUP) == 0);
    BOOST_REQUIRE(wait_for("RELOADING=1", start_timeout));
    // Otherwise systemd would show the pool reloading forever.
    auto ready = wait_for("READY=1", start_timeout);
    BOOST_REQUIRE(ready);
    BOOST_TEST(ready->value("STATUS").value_or("") == "workers 2/2, restarts 0");
    BOOST_TEST(accepts_connections());
}

BOOST_AUTO_TEST_CASE(graceful_stop_says_stopping_and_exits_cleanly) {
    start(400000);
    BOOST_REQUIRE(wait_for("READY=1", start_timeout));
    BOOST_REQUIRE(::kill(pid(), SIGTERM) == 0);
    BOOST_REQUIRE(wait_for("STOPPING=1", start_timeout));
    auto status = wait_exit(start_timeout);
    BOOST_REQUIRE(status);
    // Exit 0 after a stop: Restart=on-failure leaves it stopped.
    BOOST_TEST((WIFEXITED(*status) && WEXITSTATUS(*status) == 0), "pool log:\n" << pool_log());
}

BOOST_AUTO_TEST_CASE(a_replaced_worker_shows_in_the_status) {
    start(0);
    BOOST_REQUIRE(wait_for("READY=1", start_timeout));
    // A worker of the pool: a child of the master (pgrep would find other
    // tests' pools too).
    std::string children =
        "/proc/" + std::to_string(pid()) + "/task/" + std::to_string(pid()) + "/children";
    pid_t worker = 0;
    std::ifstream(children) >> worker;
    BOOST_REQUIRE(worker > 0);
    BOOST_REQUIRE(::kill(worker, SIGKILL) == 0);
    auto restarted = wait_for("STATUS=workers 2/2, restarts 1", start_timeout);
    BOOST_TEST(restarted.has_value());
}

BOOST_AUTO_TEST_SUITE_END()
