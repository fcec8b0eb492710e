#include "sse_client.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "contract_log.h"
#include "http_client.h"

namespace umkm::test {

namespace {

struct SlistDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

double seconds_between(SteadyClock::time_point from, SteadyClock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
}

}  // namespace

SseClient::SseClient(SseOptions options) : options_(std::move(options)) {
    global_http_init();
    handle_ = curl_easy_init();
    if (!handle_) throw std::runtime_error("curl_easy_init failed");
    started_ = SteadyClock::now();
    thread_ = std::thread([this] { run(); });
}

SseClient::~SseClient() {
    stop();
    if (handle_) curl_easy_cleanup(handle_);
}

void SseClient::stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
}

void SseClient::run() {
    char error_buffer[CURL_ERROR_SIZE] = {0};
    const std::string url = options_.base_url + options_.target;
    const std::string interface = "host!" + options_.source_address;

    curl_easy_setopt(handle_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(handle_, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(handle_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle_, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(handle_, CURLOPT_HTTPGET, 1L);
    // No overall timeout: the stream stays open until stop().
    curl_easy_setopt(handle_, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
    curl_easy_setopt(handle_, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(handle_, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(handle_, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(handle_, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(handle_, CURLOPT_HEADERDATA, this);
    // The progress callback runs at least once a second while idle: that is
    // where stop() is noticed.
    curl_easy_setopt(handle_, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(handle_, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(handle_, CURLOPT_XFERINFODATA, this);
    if (!options_.source_address.empty())
        curl_easy_setopt(handle_, CURLOPT_INTERFACE, interface.c_str());

    // What a browser's EventSource sends.
    curl_slist* raw_headers = curl_slist_append(nullptr, "Accept: text/event-stream");
    raw_headers = curl_slist_append(raw_headers, "Cache-Control: no-cache");
    const std::string last_event_id = "Last-Event-ID: " + options_.last_event_id;
    if (!options_.last_event_id.empty())
        raw_headers = curl_slist_append(raw_headers, last_event_id.c_str());
    std::unique_ptr<curl_slist, SlistDeleter> header_list(raw_headers);
    curl_easy_setopt(handle_, CURLOPT_HTTPHEADER, header_list.get());

    const CURLcode code = curl_easy_perform(handle_);
    long status = 0;
    curl_easy_getinfo(handle_, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_setopt(handle_, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(handle_, CURLOPT_ERRORBUFFER, nullptr);

    std::lock_guard<std::mutex> lock(mutex_);
    if (status != 0) status_ = status;
    curl_code_ = code;
    curl_error_ = error_buffer;
    headers_done_ = true;
    finished_ = true;
    changed_.notify_all();

    RecordedStream recorded{options_.target, status_, headers_, raw_, {}};
    for (const auto& event : events_) recorded.events.push_back(event.data);
    record_stream(recorded);
}

size_t SseClient::on_body(char* data, size_t size, size_t count, void* user) {
    auto* self = static_cast<SseClient*>(user);
    if (self->stop_) return 0;  // aborts the transfer
    self->feed(data, size * count);
    return size * count;
}

size_t SseClient::on_header(char* data, size_t size, size_t count, void* user) {
    auto* self = static_cast<SseClient*>(user);
    const std::string text(data, size * count);
    std::lock_guard<std::mutex> lock(self->mutex_);
    if (text.rfind("HTTP/", 0) == 0) {
        self->headers_.clear();
        std::istringstream status_line(text);
        std::string version;
        long status = 0;
        status_line >> version >> status;
        self->status_ = status;
    } else if (trim(text).empty()) {
        self->headers_done_ = true;
        self->changed_.notify_all();
    } else {
        const auto colon = text.find(':');
        if (colon != std::string::npos)
            self->headers_.emplace(lower(trim(text.substr(0, colon))),
                                   trim(text.substr(colon + 1)));
    }
    return size * count;
}

int SseClient::on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<SseClient*>(user)->stop_ ? 1 : 0;
}

// Splits the bytes into lines (ended by "\n", "\r\n" or a lone "\r") and
// interprets each.
void SseClient::feed(const char* data, std::size_t size) {
    std::lock_guard<std::mutex> lock(mutex_);
    raw_.append(data, size);
    // An error answer (the JSON 404) is kept in raw_ only.
    if (status_ < 200 || status_ > 299) return;
    pending_.append(data, size);
    std::size_t start = 0;
    for (;;) {
        const auto end = pending_.find_first_of("\r\n", start);
        if (end == std::string::npos) break;
        // A "\r" at the very end may be the first half of "\r\n": wait.
        if (pending_[end] == '\r' && end + 1 == pending_.size()) break;
        line(pending_.substr(start, end - start));
        start = end + 1;
        if (pending_[end] == '\r' && pending_[start] == '\n') ++start;
    }
    pending_.erase(0, start);
}

// One line of the stream (mutex_ held).
void SseClient::line(const std::string& text) {
    if (text.empty()) {
        // A blank line ends the block: an event if it had data.
        if (block_has_data_) {
            SseEvent event;
            event.has_id = block_has_id_;
            event.id = block_id_;
            event.has_event_field = block_has_event_;
            event.event = block_event_;
            event.data = block_data_;
            event.received = SteadyClock::now();
            std::string error;
            event.is_json = parse_json_strict(event.data, event.json, error);
            events_.push_back(std::move(event));
            changed_.notify_all();
        }
        block_data_.clear();
        block_has_data_ = false;
        block_has_id_ = false;
        block_id_.clear();
        block_has_event_ = false;
        block_event_.clear();
        return;
    }
    if (text[0] == ':') {
        comments_.push_back(text.substr(1));
        return;
    }
    const auto colon = text.find(':');
    const std::string field = text.substr(0, colon);
    std::string value = colon == std::string::npos ? std::string() : text.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    if (field == "data") {
        if (block_has_data_) block_data_ += "\n";
        block_data_ += value;
        block_has_data_ = true;
    } else if (field == "id") {
        block_has_id_ = true;
        block_id_ = value;
    } else if (field == "event") {
        block_has_event_ = true;
        block_event_ = value;
    }
    // "retry" and unknown fields are ignored, as a browser does.
}

bool SseClient::wait_for_headers(double seconds) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::duration<double>(seconds),
                             [this] { return headers_done_ || finished_; });
}

bool SseClient::wait_for_events(std::size_t n, double seconds) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::duration<double>(seconds),
                             [&] { return events_.size() >= n; });
}

bool SseClient::wait_until(const std::function<bool(const std::vector<SseEvent>&)>& done,
                           double seconds) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::duration<double>(seconds),
                             [&] { return done(events_); });
}

std::vector<SseEvent> SseClient::events() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_;
}

std::size_t SseClient::event_count() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_.size();
}

std::vector<std::string> SseClient::comments() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return comments_;
}

long SseClient::status() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return status_;
}

std::string SseClient::header(const std::string& name) const {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = headers_.find(lower(name));
    return it == headers_.end() ? std::string() : it->second;
}

bool SseClient::finished() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return finished_;
}

std::string SseClient::raw() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return raw_;
}

std::string SseClient::describe() const {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto now = SteadyClock::now();
    std::ostringstream out;
    out << "\n  sent: GET " << options_.base_url << printable(options_.target, 600);
    if (!options_.source_address.empty()) out << "  (from " << options_.source_address << ")";
    out << "\n    Accept: text/event-stream";
    if (!options_.last_event_id.empty())
        out << "\n    Last-Event-ID: " << printable(options_.last_event_id, 200);
    out << "\n  got (" << seconds_between(started_, now) << " s after connecting): ";
    if (status_ == 0)
        out << "no status line yet";
    else
        out << "HTTP " << status_;
    if (finished_) {
        out << ", transfer ended";
        if (curl_code_ != CURLE_OK && !stop_)
            out << " with curl error " << curl_code_ << " (" << curl_easy_strerror(curl_code_)
                << ") " << curl_error_;
    } else {
        out << ", still open";
    }
    for (const auto& [name, value] : headers_) {
        if (name == "date" || name == "server" || name == "connection") continue;
        out << "\n    " << name << ": " << printable(value, 200);
    }
    out << "\n    " << events_.size() << " event(s):";
    for (std::size_t i = 0; i < events_.size(); ++i) {
        const SseEvent& e = events_[i];
        out << "\n      #" << i + 1 << " at +" << seconds_between(started_, e.received) << " s";
        out << (e.has_id ? " id: " + printable(e.id, 100) : std::string(" (no id)"));
        if (e.has_event_field) out << " event: " << printable(e.event, 100);
        out << " data: " << printable(e.data, 400);
    }
    out << "\n    body so far (" << raw_.size() << " bytes): " << printable(raw_, 4000);
    return out.str();
}

std::ostream& operator<<(std::ostream& out, const SseClient& client) {
    return out << client.describe();
}

}  // namespace umkm::test
