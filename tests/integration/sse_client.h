// A server-sent events subscriber for the tests: one libcurl GET held open
// in a thread of its own, its body parsed into events as it arrives
// (https://html.spec.whatwg.org/multipage/server-sent-events.html, "event
// stream interpretation"), so that a test can wait for the n-th event with a
// timeout and look at when each one came.
//
//     SseClient events({stack().base_url(), events_path(tx)});
//     BOOST_REQUIRE_MESSAGE(events.wait_for_events(1, 5), "no first event" << events);
//     BOOST_TEST(events.events()[0].json["status"] == "PAID", events);
//
// Failure messages print the whole exchange (describe()): what was sent,
// the status and headers, and every byte received so far.
#pragma once

#include <curl/curl.h>
#include <json/json.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

namespace umkm::test {

using SteadyClock = std::chrono::steady_clock;

struct SseEvent {
    bool has_id = false;           // the event's block had an `id:` line
    std::string id;                // its value
    bool has_event_field = false;  // the block had an `event:` line
    std::string event;             // its value
    std::string data;              // the `data:` lines joined by "\n"
    bool is_json = false;          // data parsed strictly as JSON
    Json::Value json;
    SteadyClock::time_point received;  // when its closing blank line arrived
};

struct SseOptions {
    std::string base_url;        // "http://127.0.0.1:18107"
    std::string target;          // "/api/small/transactions/<id>/events"
    std::string last_event_id;   // sent as Last-Event-ID when not empty
    std::string source_address;  // bind the client socket to this address
    long connect_timeout_ms = 5000;
};

class SseClient {
  public:
    // Connects at once, in a thread of its own.
    explicit SseClient(SseOptions options);
    ~SseClient();
    SseClient(const SseClient&) = delete;
    SseClient& operator=(const SseClient&) = delete;

    // Closes the connection (within about a second) and joins the thread.
    void stop();

    // True once the response's headers are all in (or the transfer ended).
    bool wait_for_headers(double seconds);
    // True once at least `n` events came.
    bool wait_for_events(std::size_t n, double seconds);
    // True once `done(events so far)` holds; checked on every event.
    bool wait_until(const std::function<bool(const std::vector<SseEvent>&)>& done, double seconds);

    std::vector<SseEvent> events() const;
    std::size_t event_count() const;
    std::vector<std::string> comments() const;          // comment lines, without the ':'
    long status() const;                                // 0 until the status line came
    std::string header(const std::string& name) const;  // case-insensitive; "" if absent
    bool finished() const;    // the transfer ended (the server closed, or an error)
    std::string raw() const;  // every body byte received

    // What was sent and what came back so far, for failure messages.
    std::string describe() const;

  private:
    void run();
    void feed(const char* data, std::size_t size);
    void line(const std::string& text);

    static size_t on_body(char* data, size_t size, size_t count, void* user);
    static size_t on_header(char* data, size_t size, size_t count, void* user);
    static int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t);

    SseOptions options_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    CURL* handle_ = nullptr;

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    long status_ = 0;
    bool headers_done_ = false;
    bool finished_ = false;
    CURLcode curl_code_ = CURLE_OK;
    std::string curl_error_;
    std::multimap<std::string, std::string> headers_;
    std::string raw_;
    std::string pending_;  // bytes of an unfinished line
    std::vector<SseEvent> events_;
    std::vector<std::string> comments_;
    // The block being read (up to its blank line).
    std::string block_data_;
    bool block_has_data_ = false;
    bool block_has_id_ = false;
    std::string block_id_;
    bool block_has_event_ = false;
    std::string block_event_;
    SteadyClock::time_point started_;
};

std::ostream& operator<<(std::ostream& out, const SseClient& client);

}  // namespace umkm::test
