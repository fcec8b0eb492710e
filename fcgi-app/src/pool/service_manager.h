// The pool's side of systemd's notify protocol (sd_notify(3)): under a
// Type=notify unit (systemd/umkm-fcgi.service) the master tells the service
// manager when it is ready, reloading and stopping, what it is doing
// (STATUS=, shown by `systemctl status`), and that its main loop still turns
// (WATCHDOG=1, when the unit sets WatchdogSec=). Started any other way (no
// NOTIFY_SOCKET in the environment: scripts/stack, a terminal) every call
// does nothing.
#pragma once

#include <cstdint>
#include <string>

namespace umkm::pool {

class ServiceManager {
  public:
    // Reads NOTIFY_SOCKET and the watchdog's settings from the environment;
    // call it in the master, before forking anything.
    ServiceManager();

    // Start-up is complete (the workers are started), or a reload is.
    void ready(const std::string& status);
    void reloading();
    void stopping();
    // Sent only when it differs from the last one sent.
    void status(const std::string& status);
    // Called on every turn of the master's main loop; pings the watchdog
    // once half its interval has passed since the last ping. A loop that
    // stops turning stops the pings, and systemd restarts the pool.
    void keep_alive();

    bool enabled() const { return enabled_; }

  private:
    void notify(const std::string& message);

    bool enabled_ = false;
    std::int64_t ping_every_ms_ = 0;  // 0: no watchdog
    std::int64_t next_ping_ms_ = 0;
    std::string last_status_;
    bool failing_ = false;  // the last notification failed (logged once)
};

}  // namespace umkm::pool
