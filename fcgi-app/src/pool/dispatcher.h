// The events dispatcher: a process under the master (not one of the worker
// slots) that empties the transactional outbox. It reads the rows of
// transaction_events not yet published, in id order, POSTs each payload to
// nginx's nchan publisher at events.publish_url + transaction id, and marks
// the row published once nchan has accepted it. Delivery is at least once:
// a row is marked only after it was published, so an event is never lost,
// and dying in between publishes it again (subscribers de-duplicate).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "config/config.h"

struct curl_slist;

namespace umkm::pool {

// Runs in the forked child of `master` until SIGTERM/SIGINT/SIGQUIT (or the
// master's death); returns the process exit code. Its process name (comm)
// is "umkm-dispatcher", which tells it apart from the workers.
int run_dispatcher(const Config& config, pid_t master);

namespace dispatch {

// Process name of the dispatcher (/proc/PID/comm), at most 15 characters.
inline constexpr const char* process_name = "umkm-dispatcher";

// How long one publish may take, connecting included.
inline constexpr long publish_timeout_ms = 3000;

// `base` followed by the transaction id, percent-encoding anything in the
// id outside RFC 3986's unreserved characters (a UUID never has any).
std::string publish_url_for(const std::string& base, const std::string& transaction_id);

// nchan's publisher answers 201 (delivered to subscribers) or 202 (stored,
// nobody listening yet); any 2xx counts as accepted.
bool is_accepted_status(long http_status);

// Lets a repeated complaint through at most once per `interval_ms`, and
// counts the ones it held back.
class LogLimiter {
  public:
    explicit LogLimiter(std::int64_t interval_ms) : interval_ms_(interval_ms) {}
    // True when the caller should log now; then suppressed() tells how many
    // were held back since the last time.
    bool allow(std::int64_t now_ms);
    long suppressed() const { return reported_suppressed_; }

  private:
    std::int64_t interval_ms_;
    std::int64_t last_ms_ = 0;
    bool logged_ = false;
    long suppressed_ = 0;
    long reported_suppressed_ = 0;
};

// One libcurl easy handle, kept for the life of the dispatcher so that the
// connection to nginx is reused (keep-alive) from one publish to the next.
class Publisher {
  public:
    explicit Publisher(long timeout_ms = publish_timeout_ms);
    ~Publisher();
    Publisher(const Publisher&) = delete;
    Publisher& operator=(const Publisher&) = delete;

    // POSTs `body` as application/json to `url`. Returns an empty string when
    // the publisher accepted it, otherwise what went wrong.
    std::string publish(const std::string& url, const std::string& body);

    // How many messages nchan holds on the channel at `url` (its publisher
    // location answers a GET with the channel's info; 404: no channel, 0),
    // or nothing when that cannot be learnt.
    std::optional<long> channel_messages(const std::string& url);

  private:
    void* handle_ = nullptr;  // CURL*
    curl_slist* headers_ = nullptr;
    std::string response_;  // the start of the answer, for error messages
    char error_[256] = {};
};

}  // namespace dispatch
}  // namespace umkm::pool
