#include "pool/dispatcher.h"

#include <curl/curl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>
#include <stdexcept>
#include <vector>

#include "log/log.h"
#include "pool/scoreboard.h"
#include "pool/stop_signals.h"
#include "store/database.h"
#include "store/event_store.h"

namespace umkm::pool {
namespace dispatch {

std::string publish_url_for(const std::string& base, const std::string& transaction_id) {
    static const char hex[] = "0123456789ABCDEF";
    std::string url = base;
    for (unsigned char c : transaction_id) {
        bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            url += static_cast<char>(c);
        } else {
            url += '%';
            url += hex[c >> 4];
            url += hex[c & 0x0f];
        }
    }
    return url;
}

bool is_accepted_status(long http_status) {
    return http_status >= 200 && http_status <= 299;
}

bool LogLimiter::allow(std::int64_t now_ms) {
    if (logged_ && now_ms - last_ms_ < interval_ms_) {
        ++suppressed_;
        return false;
    }
    logged_ = true;
    last_ms_ = now_ms;
    reported_suppressed_ = suppressed_;
    suppressed_ = 0;
    return true;
}

namespace {

std::size_t keep_start_of_answer(char* data, std::size_t size, std::size_t count, void* user) {
    auto* answer = static_cast<std::string*>(user);
    std::size_t bytes = size * count;
    if (answer->size() < 200) answer->append(data, std::min(bytes, 200 - answer->size()));
    return bytes;
}

}  // namespace

Publisher::Publisher(long timeout_ms) {
    CURL* curl = ::curl_easy_init();
    if (!curl) throw std::runtime_error("curl_easy_init failed");
    handle_ = curl;
    headers_ = ::curl_slist_append(nullptr, "Content-Type: application/json");
    // No "Expect: 100-continue" round trip for larger payloads.
    headers_ = ::curl_slist_append(headers_, "Expect:");
    ::curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers_);
    ::curl_easy_setopt(curl, CURLOPT_POST, 1L);
    ::curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    // No SIGALRM for name look-ups: signals are read from a signalfd here.
    ::curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    // The publisher is our own nginx: never through an http_proxy from the
    // environment, never redirected elsewhere, never another protocol.
    ::curl_easy_setopt(curl, CURLOPT_PROXY, "");
    ::curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
    ::curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
    ::curl_easy_setopt(curl, CURLOPT_USERAGENT, "umkm-dispatcher");
    ::curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_);
    ::curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_start_of_answer);
    ::curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response_);
}

Publisher::~Publisher() {
    ::curl_easy_cleanup(static_cast<CURL*>(handle_));
    ::curl_slist_free_all(headers_);
}

std::string Publisher::publish(const std::string& url, const std::string& body) {
    CURL* curl = static_cast<CURL*>(handle_);
    response_.clear();
    error_[0] = '\0';
    ::curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    ::curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    ::curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    CURLcode result = ::curl_easy_perform(curl);
    // The body pointer must not outlive this call.
    ::curl_easy_setopt(curl, CURLOPT_POSTFIELDS, nullptr);
    if (result != CURLE_OK) {
        return std::string(::curl_easy_strerror(result)) +
               (error_[0] ? std::string(": ") + error_ : "");
    }
    long status = 0;
    ::curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (is_accepted_status(status)) return "";
    std::string answer = response_;
    for (char& c : answer) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    while (!answer.empty() && answer.back() == ' ') answer.pop_back();
    return "HTTP " + std::to_string(status) + (answer.empty() ? "" : " (" + answer + ")");
}

std::optional<long> Publisher::channel_messages(const std::string& url) {
    CURL* curl = static_cast<CURL*>(handle_);
    response_.clear();
    curl_slist* ask_json = ::curl_slist_append(nullptr, "Accept: text/json");
    ::curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    ::curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    ::curl_easy_setopt(curl, CURLOPT_HTTPHEADER, ask_json);
    CURLcode result = ::curl_easy_perform(curl);
    long status = 0;
    ::curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    // Back to what publish() expects.
    ::curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers_);
    ::curl_easy_setopt(curl, CURLOPT_POST, 1L);
    ::curl_slist_free_all(ask_json);
    if (result != CURLE_OK) return std::nullopt;
    if (status == 404) return 0;
    if (status != 200) return std::nullopt;
    // {"messages": 1, "requested": ..., "subscribers": ..., ...}
    const std::string key = "\"messages\":";
    auto at = response_.find(key);
    if (at == std::string::npos) return std::nullopt;
    return std::strtol(response_.c_str() + at + key.size(), nullptr, 10);
}

}  // namespace dispatch

namespace {

constexpr int batch_size = 100;
// A failure that repeats every poll interval is logged once per this long.
constexpr std::int64_t complaint_interval_ms = 5000;

// Stop signals stay blocked and are read from a signalfd, as in the workers:
// waits poll it, so a SIGTERM ends an idle wait at once, and one that comes
// during a publish is acted on as soon as that event is done.
class StopSignal {
  public:
    StopSignal() : fd_(open_stop_signals()) {}
    ~StopSignal() {
        if (fd_ >= 0) ::close(fd_);
    }
    StopSignal(const StopSignal&) = delete;
    StopSignal& operator=(const StopSignal&) = delete;

    bool ok() const { return fd_ >= 0; }

    // Waits up to `timeout_ms` (0: just looks); true once a stop arrived.
    bool wait(int timeout_ms) {
        if (stopped_) return true;
        std::int64_t deadline = monotonic_ms() + timeout_ms;
        while (true) {
            pollfd ready{fd_, POLLIN, 0};
            int left = static_cast<int>(std::max<std::int64_t>(0, deadline - monotonic_ms()));
            int n = ::poll(&ready, 1, left);
            if (n > 0) {
                signalfd_siginfo info{};
                while (::read(fd_, &info, sizeof info) == sizeof info) {
                }
                stopped_ = true;
                return true;
            }
            if (n == 0 || errno != EINTR) return false;
        }
    }

  private:
    int fd_ = -1;
    bool stopped_ = false;
};

std::vector<store::OutboxEvent> pending_events(store::Database& db) {
    return db.read([&] { return store::pending_events(db, batch_size); });
}

// Marks a batch's published events in one transaction: one log flush for
// the batch instead of one per event (each flush is a disk write that a
// payment already paid for once).
void mark_published(store::Database& db, const std::vector<std::int64_t>& ids) {
    if (ids.empty()) return;
    db.transaction([&] {
        store::mark_events_published(db, ids);
        return 0;
    });
}

class Dispatcher {
  public:
    Dispatcher(const Config& config, StopSignal& stop)
        : config_(config),
          stop_(stop),
          db_(config.database),
          outbox_complaints_(complaint_interval_ms),
          publish_complaints_(complaint_interval_ms) {}

    void run() {
        while (!stop_.wait(0)) {
            bool busy = false;
            try {
                busy = publish_batch();
                if (outbox_failures_ > 0) {
                    LOG_INFO("outbox readable again after " << outbox_failures_
                                                            << " failed attempts");
                    outbox_failures_ = 0;
                }
            } catch (const std::exception& e) {
                // The database is down (ShopError 503) or the outbox is not
                // there yet (a migration not applied): wait and look again.
                ++outbox_failures_;
                if (outbox_complaints_.allow(monotonic_ms())) {
                    LOG_WARN("cannot read or update the outbox: "
                             << e.what() << suppressed_note(outbox_complaints_)
                             << "; retrying every " << config_.events.poll_interval_ms << " ms");
                }
            }
            // A full batch published: more may wait, look again at once.
            if (!busy) stop_.wait(config_.events.poll_interval_ms);
        }
        LOG_DEBUG("dispatcher stopping");
    }

  private:
    static std::string suppressed_note(const dispatch::LogLimiter& limiter) {
        if (limiter.suppressed() == 0) return "";
        return " (" + std::to_string(limiter.suppressed()) + " more like it not logged)";
    }

    // Publishes pending events in id order; true when a whole batch went
    // out and more may be waiting.
    bool publish_batch() {
        std::vector<store::OutboxEvent> events = pending_events(db_);
        // Transactions with an event that failed in this batch: their later
        // events wait (order matters within one transaction), while other
        // customers' events still go out.
        std::set<std::string> held_back;
        std::vector<std::int64_t> published;
        std::set<std::string> published_transactions;
        bool failed = false;
        for (const store::OutboxEvent& event : events) {
            // Between two events, not during one: a stop finishes at most
            // the event being published, and marks what went out.
            if (stop_.wait(0)) {
                mark_published(db_, published);
                return false;
            }
            if (held_back.count(event.transaction_id)) continue;
            // A second event of a transaction in this batch: mark what went
            // out first, so that a crash before the batch's mark can never
            // publish this transaction's older state again after its newer.
            if (published_transactions.count(event.transaction_id)) {
                mark_published(db_, published);
                published.clear();
                published_transactions.clear();
            }
            std::string url =
                dispatch::publish_url_for(config_.events.publish_url, event.transaction_id);
            // A resend is only needed when nchan lost the channel's message
            // (nginx reloaded or restarted); otherwise the channel already
            // holds this state and publishing again would only repeat it.
            std::string problem;
            if (!event.resend || publisher_.channel_messages(url).value_or(0) == 0) {
                problem = publisher_.publish(url, event.payload);
            }
            if (!problem.empty()) {
                // A later event of the same transaction (seq 2) must never
                // reach subscribers before this one: hold that transaction
                // back until the next try.
                held_back.insert(event.transaction_id);
                failed = true;
                ++publish_failures_;
                if (publish_complaints_.allow(monotonic_ms())) {
                    LOG_WARN("publishing event "
                             << event.id << " (transaction " << event.transaction_id << " seq "
                             << event.seq << ") to " << url << " failed: " << problem
                             << suppressed_note(publish_complaints_) << "; retrying every "
                             << config_.events.poll_interval_ms << " ms");
                }
                continue;
            }
            if (publish_failures_ > 0) {
                LOG_INFO("publishing again after " << publish_failures_ << " failed attempts");
                publish_failures_ = 0;
            }
            // Published, and marked only after, in a separate step on
            // purpose: nchan and the database cannot share a transaction.
            // Dying (or losing the database) before the batch is marked
            // leaves its rows pending, so they are published again after
            // the restart: at least once, never lost; each event is the
            // whole transaction, so a repeat only repeats a state.
            // The other order (mark, then publish) could lose an event.
            published.push_back(event.id);
            published_transactions.insert(event.transaction_id);
            LOG_DEBUG("published event " << event.id << " (transaction " << event.transaction_id
                                         << " seq " << event.seq << ")");
        }
        mark_published(db_, published);
        return !failed && events.size() == static_cast<std::size_t>(batch_size);
    }

    const Config& config_;
    StopSignal& stop_;
    store::Database db_;
    dispatch::Publisher publisher_;
    dispatch::LogLimiter outbox_complaints_;
    dispatch::LogLimiter publish_complaints_;
    long outbox_failures_ = 0;
    long publish_failures_ = 0;
};

}  // namespace

int run_dispatcher(const Config& config, pid_t master) {
    // As the workers: stop when the master dies, and at once if it already
    // has.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != master) return 0;
    ::prctl(PR_SET_NAME, dispatch::process_name, 0, 0, 0);
    StopSignal stop;
    if (!stop.ok()) {
        LOG_ERROR("dispatcher set-up failed: " << std::strerror(errno));
        return 1;
    }
    // In the child, never in the master: each dispatcher starts with a fresh
    // libcurl (and OpenSSL) state of its own.
    if (::curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        LOG_ERROR("curl_global_init failed");
        return 1;
    }
    int code = 0;
    try {
        Dispatcher dispatcher(config, stop);
        dispatcher.run();
    } catch (const std::exception& e) {
        LOG_ERROR("dispatcher failed: " << e.what());
        code = 1;
    }
    ::curl_global_cleanup();
    return code;
}

}  // namespace umkm::pool
