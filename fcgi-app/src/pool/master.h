// The pool's master, in php-fpm's manner: opens the listening socket, forks
// `workers` processes that accept on it, replaces any that die, kills any
// that overrun request_timeout, stops gracefully on SIGTERM/SIGINT/SIGQUIT
// and reloads on SIGHUP by starting a new generation of workers before
// retiring the old one, so no request is dropped; SIGUSR1 reopens the log.
// With events.publish_url set it also runs the events dispatcher
// (pool/dispatcher.h), outside the worker slots, restarted when it dies.
// Under systemd it reports its state and feeds the watchdog
// (pool/service_manager.h).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "config/config.h"
#include "pool/scoreboard.h"
#include "pool/service_manager.h"

namespace umkm::pool {

class Master {
  public:
    Master(std::string config_path, Config config);
    ~Master();
    // Runs until stopped; returns the process exit code.
    int run();

  private:
    struct Child {
        int generation;
        WorkerSlot* slot;
        std::int64_t started_ms;
    };

    void open_listen_socket();
    void spawn_missing();
    void spawn();
    void reap();
    void enforce_request_timeout();
    void reload();
    void reopen_log();
    void begin_shutdown();
    void signal_generation_below(int generation, int signal);
    void manage_dispatcher();
    void spawn_dispatcher();
    void retire_dispatcher();
    void dispatcher_ended(pid_t pid, int status);
    void cleanup();
    std::string describe_state() const;

    std::string config_path_;
    Config config_;
    int listen_fd_ = -1;
    bool listen_is_unix_ = false;
    bool socket_removed_ = false;
    int signal_fd_ = -1;
    int generation_ = 0;
    bool stopping_ = false;
    std::int64_t stop_deadline_ms_ = 0;
    std::int64_t respawn_not_before_ms_ = 0;
    std::uint64_t restarts_ = 0;
    int quick_deaths_ = 0;  // consecutive deaths within a second of starting
    // The dispatcher: at most one at any time (a reload stops the old one
    // before starting the new), so events leave in order.
    pid_t dispatcher_pid_ = 0;
    std::int64_t dispatcher_started_ms_ = 0;
    bool dispatcher_retiring_ = false;        // told to stop by a reload
    std::int64_t dispatcher_kill_at_ms_ = 0;  // when a retiring one is killed
    std::int64_t dispatcher_not_before_ms_ = 0;
    int dispatcher_quick_deaths_ = 0;
    std::unique_ptr<Scoreboard> scoreboard_;
    std::map<pid_t, Child> children_;
    ServiceManager service_manager_;
};

}  // namespace umkm::pool
