#include "pool/service_manager.h"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <cstdlib>
#include <cstring>

#include "log/log.h"
#include "pool/scoreboard.h"

namespace umkm::pool {

ServiceManager::ServiceManager() {
    const char* socket = std::getenv("NOTIFY_SOCKET");
    enabled_ = socket != nullptr && *socket != '\0';
    if (!enabled_) return;
    // sd_watchdog_enabled also checks WATCHDOG_PID: a watchdog meant for
    // another process (a wrapper that started the pool as its child) is not
    // ours to feed. The variables are unset afterwards so that nothing the
    // master starts mistakes the watchdog for its own.
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(1, &usec) > 0 && usec > 0) {
        // Half the interval, as sd_watchdog_enabled(3) advises: one late
        // turn of the loop does not get the pool killed.
        ping_every_ms_ = static_cast<std::int64_t>(usec / 2000);
        if (ping_every_ms_ == 0) ping_every_ms_ = 1;
    }
}

void ServiceManager::notify(const std::string& message) {
    // Keep NOTIFY_SOCKET (unset_environment 0): the master speaks again at
    // every reload and at its stop.
    int sent = sd_notify(0, message.c_str());
    // Logged once per outage, not at every watchdog ping. systemd restarts
    // a pool whose pings do not arrive; nothing else here can be done.
    if (sent < 0 && !failing_) LOG_WARN("cannot notify systemd: " << std::strerror(-sent));
    failing_ = sent < 0;
}

void ServiceManager::ready(const std::string& status) {
    if (!enabled_) return;
    last_status_ = status;
    notify("READY=1\nSTATUS=" + status);
}

void ServiceManager::reloading() {
    if (!enabled_) return;
    // MONOTONIC_USEC: Type=notify-reload (systemd 253 and later) takes a
    // RELOADING=1 only with the time it began; older managers ignore it.
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    std::uint64_t usec = static_cast<std::uint64_t>(now.tv_sec) * 1000000 +
                         static_cast<std::uint64_t>(now.tv_nsec) / 1000;
    notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec) + "\nSTATUS=reloading");
    last_status_ = "reloading";
}

void ServiceManager::stopping() {
    if (!enabled_) return;
    notify("STOPPING=1");
}

void ServiceManager::status(const std::string& status) {
    if (!enabled_ || status == last_status_) return;
    last_status_ = status;
    notify("STATUS=" + status);
}

void ServiceManager::keep_alive() {
    if (!enabled_ || ping_every_ms_ == 0) return;
    std::int64_t now = monotonic_ms();
    if (now < next_ping_ms_) return;
    notify("WATCHDOG=1");
    next_ping_ms_ = now + ping_every_ms_;
}

}  // namespace umkm::pool
