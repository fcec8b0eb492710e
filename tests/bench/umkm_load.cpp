// umkm-load: constant-rate (open model) HTTP load for the shop, the way the
// paper's vegeta attack sent it, plus the paper's follow-up: every cart
// whose id is a multiple of N is then paid.
//
// Why not vegeta or wrk: vegeta (not in Debian) has no response-dependent
// follow-ups; wrk is closed-loop (a slow server slows the load down, which
// hides queueing). This is the smallest generator that does both, on
// libcurl's multi interface (keep-alive connections, many transfers in
// flight on one thread).
//
// Open model: request i of a kind with rate r is due at start + i/r, sent
// then whatever the server is doing, and its latency is measured from that
// due time, so time spent waiting for a free connection (or a late
// generator) counts against the server rather than vanishing ("coordinated
// omission"). How late the generator itself started requests is reported
// separately (lateness), so a generator that could not keep up is visible.
//
//   umkm-load --url http://127.0.0.1:18500 --duration 5
//             --rate cart=100 --rate stocks=100 --pay-every 7
//             [--label "scenario 3"] [--json out.json] [--max-in-flight 4096]
//
// Kinds: stocks (GET /api/small/stocks), cart (POST /api/small/cart, a new
// cart of one unit of the next goods, round robin over the goods on sale),
// pay (POST /api/small/pay, only as a follow-up), static (GET
// /_bench/static: nginx alone, to show the generator is not the limit).
// The text report is vegeta's (`vegeta report`), per kind and for all.
#include <curl/curl.h>
#include <json/json.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using Seconds = std::chrono::duration<double>;

struct Options {
    std::string url = "http://127.0.0.1:8080";
    double duration = 5;
    std::vector<std::pair<std::string, double>> rates;  // kind, requests per second
    long pay_every = 0;                                 // 0: no follow-up pay
    std::string label;
    std::string json_path;
    long max_in_flight = 4096;
    long timeout_ms = 30000;
    long user_id = 100;
};

struct Goods {
    long long id;
    long long price;
};

// One request's life.
struct Result {
    std::string kind;
    double due = 0;    // seconds since the attack started
    double start = 0;  // when it was handed to libcurl
    double end = 0;
    long status = 0;  // 0: no answer (connection error, timeout)
    std::string error;
    std::size_t bytes_in = 0;
    std::size_t bytes_out = 0;
    bool shed_ok = true;  // a 429/503 came as JSON with Retry-After
};

struct Transfer {
    CURL* easy = nullptr;
    curl_slist* headers = nullptr;
    std::string body_out;
    std::string body_in;
    std::string retry_after;
    Result result;
};

[[noreturn]] void usage_error(const std::string& message) {
    std::cerr << "umkm-load: " << message << "\n"
              << "usage: umkm-load --url URL --duration S --rate KIND=N [--rate ...]\n"
                 "                 [--pay-every N] [--label TEXT] [--json FILE]\n"
                 "                 [--max-in-flight N] [--timeout-ms N] [--user-id N]\n"
                 "kinds: stocks, cart, static\n";
    std::exit(2);
}

Options parse_options(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage_error(arg + " needs a value");
            return argv[++i];
        };
        if (arg == "--url") {
            o.url = value();
        } else if (arg == "--duration") {
            o.duration = std::stod(value());
        } else if (arg == "--rate") {
            const std::string spec = value();
            const auto eq = spec.find('=');
            if (eq == std::string::npos) usage_error("--rate KIND=N");
            const std::string kind = spec.substr(0, eq);
            if (kind != "stocks" && kind != "cart" && kind != "static")
                usage_error("unknown kind " + kind);
            o.rates.emplace_back(kind, std::stod(spec.substr(eq + 1)));
        } else if (arg == "--pay-every") {
            o.pay_every = std::stol(value());
        } else if (arg == "--label") {
            o.label = value();
        } else if (arg == "--json") {
            o.json_path = value();
        } else if (arg == "--max-in-flight") {
            o.max_in_flight = std::stol(value());
        } else if (arg == "--timeout-ms") {
            o.timeout_ms = std::stol(value());
        } else if (arg == "--user-id") {
            o.user_id = std::stol(value());
        } else {
            usage_error("unknown argument " + arg);
        }
    }
    if (o.rates.empty()) usage_error("no --rate given");
    if (o.duration <= 0) usage_error("--duration must be positive");
    return o;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
    const std::string line(data, size * count);
    if (line.size() > 12 && strncasecmp(line.c_str(), "retry-after:", 12) == 0) {
        std::string value = line.substr(12);
        value.erase(0, value.find_first_not_of(" \t"));
        value.erase(value.find_last_not_of(" \t\r\n") + 1);
        *static_cast<std::string*>(user) = value;
    }
    return size * count;
}

Json::Value parse_json(const std::string& text) {
    Json::CharReaderBuilder builder;
    std::unique_ptr<Json::CharReader> reader(builder.newCharReader());
    Json::Value value;
    std::string errors;
    if (!reader->parse(text.data(), text.data() + text.size(), &value, &errors))
        return Json::Value();
    return value;
}

// The goods on sale with stock, and their prices: carts are filled
// round robin over them, at the price the shop asks (a wrong price would be
// a 409, which is not what is being measured).
std::vector<Goods> goods_on_sale(const std::string& url) {
    CURL* easy = curl_easy_init();
    std::string body;
    const std::string target = url + "/api/small/stocks?total_goods=100&sort_by=id&sort=ASC";
    curl_easy_setopt(easy, CURLOPT_URL, target.c_str());
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(easy, CURLOPT_NOPROXY, "*");
    const CURLcode code = curl_easy_perform(easy);
    curl_easy_cleanup(easy);
    if (code != CURLE_OK)
        throw std::runtime_error("cannot list goods: " + std::string(curl_easy_strerror(code)));
    std::vector<Goods> goods;
    const Json::Value listing = parse_json(body);  // (kept: a temporary's member would dangle)
    for (const auto& g : listing["data"])
        if (g["stock"].asInt64() > 0) goods.push_back({g["id"].asInt64(), g["price"].asInt64()});
    if (goods.empty()) throw std::runtime_error("no goods with stock to put in carts");
    return goods;
}

class Attack {
  public:
    Attack(Options options, std::vector<Goods> goods)
        : options_(std::move(options)), goods_(std::move(goods)) {
        multi_ = curl_multi_init();
        curl_multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS, options_.max_in_flight);
    }
    ~Attack() {
        for (auto* t : idle_) destroy(t);
        curl_multi_cleanup(multi_);
    }

    std::vector<Result> run() {
        struct Stream {
            std::string kind;
            double interval;
            long sent = 0;
            long total;
        };
        std::vector<Stream> streams;
        for (const auto& [kind, rate] : options_.rates) {
            if (rate <= 0) continue;
            streams.push_back({kind, 1.0 / rate, 0, std::lround(rate * options_.duration)});
        }
        start_ = Clock::now();
        int running = 0;
        for (;;) {
            const double now = elapsed();
            // Everything due by now goes out now, oldest first.
            double next_due = INFINITY;
            bool more = false;
            for (auto& s : streams) {
                while (s.sent < s.total && s.sent * s.interval <= now) {
                    launch(s.kind, s.sent * s.interval);
                    ++s.sent;
                }
                if (s.sent < s.total) {
                    more = true;
                    next_due = std::min(next_due, s.sent * s.interval);
                }
            }
            while (!follow_ups_.empty()) {
                const Pending p = follow_ups_.front();
                follow_ups_.pop_front();
                launch(p.kind, p.due, p.body);
            }
            curl_multi_perform(multi_, &running);
            collect();
            // A pay due now (its cart just answered) goes out at once.
            if (!follow_ups_.empty()) continue;
            // Done when nothing is due, queued or in flight (collect() may
            // just have started the last waiting ones).
            if (!more && in_flight_ == 0 && waiting_.empty()) break;
            // Sleep until the next request is due or a transfer moves;
            // under a millisecond, do not sleep at all.
            const double wait = more ? next_due - elapsed() : 0.05;
            const int wait_ms = wait < 0.001 ? 0 : static_cast<int>(wait * 1000);
            if (wait_ms > 0 || running > 0) curl_multi_poll(multi_, nullptr, 0, wait_ms, nullptr);
        }
        return std::move(results_);
    }

  private:
    double elapsed() const { return Seconds(Clock::now() - start_).count(); }

    Transfer* take_transfer() {
        if (!idle_.empty()) {
            Transfer* t = idle_.back();
            idle_.pop_back();
            return t;
        }
        auto* t = new Transfer();
        t->easy = curl_easy_init();
        return t;
    }

    void destroy(Transfer* t) {
        curl_slist_free_all(t->headers);
        curl_easy_cleanup(t->easy);
        delete t;
    }

    std::string cart_body() {
        const Goods& g = goods_[next_goods_++ % goods_.size()];
        // The paper's generator names the quantity total_goods.
        return "{\"user_id\":" + std::to_string(options_.user_id) +
               ",\"goods_id\":" + std::to_string(g.id) +
               ",\"goods_price\":" + std::to_string(g.price) + ",\"total_goods\":1}";
    }

    void launch(const std::string& kind, double due, std::string body = "") {
        if (in_flight_ >= options_.max_in_flight) {
            waiting_.push_back({kind, due, body});
            return;
        }
        Transfer* t = take_transfer();
        t->result = Result{};
        t->result.kind = kind;
        t->result.due = due;
        t->result.start = elapsed();
        t->body_in.clear();
        t->retry_after.clear();
        std::string path;
        if (kind == "stocks") {
            path = "/api/small/stocks";
        } else if (kind == "static") {
            path = "/_bench/static";
        } else if (kind == "cart") {
            path = "/api/small/cart";
            t->body_out = cart_body();
        } else {
            path = "/api/small/pay";
            t->body_out = body;
        }
        const std::string url = options_.url + path;
        CURL* e = t->easy;
        curl_easy_reset(e);
        curl_easy_setopt(e, CURLOPT_URL, url.c_str());
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, options_.timeout_ms);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &t->body_in);
        curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(e, CURLOPT_HEADERDATA, &t->retry_after);
        curl_easy_setopt(e, CURLOPT_PRIVATE, t);
        if (!t->headers) t->headers = curl_slist_append(nullptr, "Expect:");
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
        if (kind == "cart" || kind == "pay") {
            curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body_out.c_str());
            curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(t->body_out.size()));
            t->result.bytes_out = t->body_out.size();
        }
        curl_multi_add_handle(multi_, e);
        ++in_flight_;
    }

    void collect() {
        int left = 0;
        while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
            if (message->msg != CURLMSG_DONE) continue;
            CURL* e = message->easy_handle;
            Transfer* t = nullptr;
            curl_easy_getinfo(e, CURLINFO_PRIVATE, &t);
            Result& r = t->result;
            r.end = elapsed();
            if (message->data.result == CURLE_OK) {
                curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r.status);
            } else {
                r.error = curl_easy_strerror(message->data.result);
            }
            r.bytes_in = t->body_in.size();
            if (r.status == 429 || r.status == 503)
                r.shed_ok = !t->retry_after.empty() && t->body_in.rfind("{\"code\":", 0) == 0;
            if (r.kind == "cart" && r.status == 200 && options_.pay_every > 0)
                follow_up(t->body_in, r.end);
            curl_multi_remove_handle(multi_, e);
            --in_flight_;
            results_.push_back(r);
            idle_.push_back(t);
            // A slot is free: the oldest waiting request goes first.
            if (!waiting_.empty()) {
                const Pending p = waiting_.front();
                waiting_.pop_front();
                launch(p.kind, p.due, p.body);
            }
        }
    }

    // The paper's generator pays every cart whose id is a multiple of N, for
    // exactly its total, as soon as the cart answers.
    void follow_up(const std::string& body, double now) {
        const Json::Value answer = parse_json(body);
        const Json::Value& data = answer["data"];
        if (!data.isObject() || !data["cart_id"].isIntegral()) return;
        const long long cart_id = data["cart_id"].asInt64();
        if (cart_id % options_.pay_every != 0) return;
        const std::string pay = "{\"cart_id\":" + std::to_string(cart_id) + ",\"payment_amount\":" +
                                std::to_string(data["total_amount"].asInt64()) + "}";
        follow_ups_.push_back({"pay", now, pay});
    }

    struct Pending {
        std::string kind;
        double due;
        std::string body;
    };

    Options options_;
    std::vector<Goods> goods_;
    std::size_t next_goods_ = 0;
    CURLM* multi_ = nullptr;
    Clock::time_point start_;
    long in_flight_ = 0;
    std::vector<Transfer*> idle_;
    std::deque<Pending> waiting_;
    std::deque<Pending> follow_ups_;
    std::vector<Result> results_;
};

double percentile(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    // Nearest rank, as vegeta's report.
    const std::size_t rank = static_cast<std::size_t>(std::ceil(p / 100.0 * sorted.size()));
    return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

std::string ms(double seconds) {
    char buffer[32];
    if (seconds >= 1)
        std::snprintf(buffer, sizeof buffer, "%.3fs", seconds);
    else
        std::snprintf(buffer, sizeof buffer, "%.3fms", seconds * 1000);
    return buffer;
}

struct Summary {
    long requests = 0;
    double rate = 0, throughput = 0;
    double total = 0, attack = 0, wait = 0;
    double min = 0, mean = 0, p50 = 0, p90 = 0, p95 = 0, p99 = 0, max = 0;
    double late_mean = 0, late_p99 = 0;
    std::size_t bytes_in = 0, bytes_out = 0;
    double success = 0;
    long shed = 0;        // answered 429 or 503: load shed, retry later
    double shed_p99 = 0;  // how fast the shed answers came
    double ok_p99 = 0;    // latency of the successful ones alone
    long shed_bad = 0;
    std::map<long, long> codes;
    std::map<std::string, long> errors;
};

Summary summarize(const std::vector<Result>& results) {
    Summary s;
    s.requests = static_cast<long>(results.size());
    if (results.empty()) return s;
    std::vector<double> latency, lateness, shed_latency, ok_latency;
    double first_due = INFINITY, last_due = 0, last_end = 0;
    long ok = 0;
    for (const auto& r : results) {
        latency.push_back(r.end - r.due);
        lateness.push_back(std::max(0.0, r.start - r.due));
        first_due = std::min(first_due, r.due);
        last_due = std::max(last_due, r.due);
        last_end = std::max(last_end, r.end);
        s.bytes_in += r.bytes_in;
        s.bytes_out += r.bytes_out;
        ++s.codes[r.status];
        if (!r.error.empty())
            ++s.errors[r.error];
        else if (r.status >= 400)
            ++s.errors[std::to_string(r.status)];
        if (r.status >= 200 && r.status < 400) {
            ++ok;
            ok_latency.push_back(r.end - r.due);
        }
        if (r.status == 429 || r.status == 503) shed_latency.push_back(r.end - r.due);
        if (!r.shed_ok) ++s.shed_bad;
    }
    std::sort(latency.begin(), latency.end());
    std::sort(lateness.begin(), lateness.end());
    s.attack = std::max(last_due - first_due, 1e-9);
    s.total = last_end - first_due;
    s.wait = s.total - s.attack;
    // vegeta: rate = requests / attack time (first to last send), throughput
    // = successes / (attack + wait).
    s.rate = s.requests > 1 ? (s.requests - 1) / s.attack : s.requests;
    s.throughput = ok / std::max(s.total, 1e-9);
    double sum = 0;
    for (double l : latency) sum += l;
    s.mean = sum / latency.size();
    s.min = latency.front();
    s.max = latency.back();
    s.p50 = percentile(latency, 50);
    s.p90 = percentile(latency, 90);
    s.p95 = percentile(latency, 95);
    s.p99 = percentile(latency, 99);
    double late_sum = 0;
    for (double l : lateness) late_sum += l;
    s.late_mean = late_sum / lateness.size();
    s.late_p99 = percentile(lateness, 99);
    s.success = static_cast<double>(ok) / s.requests;
    std::sort(shed_latency.begin(), shed_latency.end());
    std::sort(ok_latency.begin(), ok_latency.end());
    s.shed = static_cast<long>(shed_latency.size());
    s.shed_p99 = percentile(shed_latency, 99);
    s.ok_p99 = percentile(ok_latency, 99);
    return s;
}

void print_report(const std::string& title, const Summary& s) {
    std::printf("%s\n", title.c_str());
    std::printf("Requests      [total, rate, throughput]         %ld, %.2f, %.2f\n", s.requests,
                s.rate, s.throughput);
    std::printf("Duration      [total, attack, wait]             %s, %s, %s\n", ms(s.total).c_str(),
                ms(s.attack).c_str(), ms(s.wait).c_str());
    std::printf("Latencies     [min, mean, 50, 90, 95, 99, max]  %s, %s, %s, %s, %s, %s, %s\n",
                ms(s.min).c_str(), ms(s.mean).c_str(), ms(s.p50).c_str(), ms(s.p90).c_str(),
                ms(s.p95).c_str(), ms(s.p99).c_str(), ms(s.max).c_str());
    std::printf("Bytes In      [total, mean]                     %zu, %.2f\n", s.bytes_in,
                s.requests ? static_cast<double>(s.bytes_in) / s.requests : 0.0);
    std::printf("Bytes Out     [total, mean]                     %zu, %.2f\n", s.bytes_out,
                s.requests ? static_cast<double>(s.bytes_out) / s.requests : 0.0);
    std::printf("Success       [ratio]                           %.2f%%\n", s.success * 100);
    std::printf("Status Codes  [code:count]                      ");
    for (const auto& [code, count] : s.codes) std::printf("%ld:%ld  ", code, count);
    std::printf("\nError Set:\n");
    for (const auto& [error, count] : s.errors) std::printf("%s (%ld)\n", error.c_str(), count);
    std::printf("Generator     [late mean, late 99]              %s, %s\n", ms(s.late_mean).c_str(),
                ms(s.late_p99).c_str());
    if (s.shed)
        std::printf("Shed          [429/503, their p99, 2xx p99]     %ld, %s, %s\n", s.shed,
                    ms(s.shed_p99).c_str(), ms(s.ok_p99).c_str());
    if (s.shed_bad) std::printf("Shed answers without JSON or Retry-After: %ld\n", s.shed_bad);
}

Json::Value to_json(const Summary& s) {
    Json::Value j;
    j["requests"] = static_cast<Json::Int64>(s.requests);
    j["rate"] = s.rate;
    j["throughput"] = s.throughput;
    j["duration_s"] = Json::Value(Json::objectValue);
    j["duration_s"]["total"] = s.total;
    j["duration_s"]["attack"] = s.attack;
    j["duration_s"]["wait"] = s.wait;
    Json::Value l;
    l["min"] = s.min * 1000;
    l["mean"] = s.mean * 1000;
    l["p50"] = s.p50 * 1000;
    l["p90"] = s.p90 * 1000;
    l["p95"] = s.p95 * 1000;
    l["p99"] = s.p99 * 1000;
    l["max"] = s.max * 1000;
    j["latency_ms"] = l;
    j["generator_late_ms"]["mean"] = s.late_mean * 1000;
    j["generator_late_ms"]["p99"] = s.late_p99 * 1000;
    j["bytes_in"] = static_cast<Json::UInt64>(s.bytes_in);
    j["bytes_out"] = static_cast<Json::UInt64>(s.bytes_out);
    j["success_ratio"] = s.success;
    j["successful"] = static_cast<Json::Int64>(std::lround(s.success * s.requests));
    j["shed"] = static_cast<Json::Int64>(s.shed);
    j["shed_p99_ms"] = s.shed_p99 * 1000;
    j["ok_p99_ms"] = s.ok_p99 * 1000;
    j["shed_without_json_or_retry_after"] = static_cast<Json::Int64>(s.shed_bad);
    Json::Value codes(Json::objectValue);
    for (const auto& [code, count] : s.codes)
        codes[std::to_string(code)] = static_cast<Json::Int64>(count);
    j["status_codes"] = codes;
    Json::Value errors(Json::objectValue);
    for (const auto& [error, count] : s.errors) errors[error] = static_cast<Json::Int64>(count);
    j["errors"] = errors;
    return j;
}

}  // namespace

int main(int argc, char** argv) {
    Options options = parse_options(argc, argv);
    // Each transfer in flight holds a socket: raise the open-file limit to
    // its hard maximum and keep the in-flight cap under it, so that a
    // generator out of descriptors never looks like a server failing.
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0) {
        files.rlim_cur = files.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &files);
        ::getrlimit(RLIMIT_NOFILE, &files);
        const long usable = static_cast<long>(files.rlim_cur) - 64;
        if (usable > 0 && options.max_in_flight > usable) options.max_in_flight = usable;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    try {
        std::vector<Goods> goods;
        bool needs_goods = false;
        for (const auto& [kind, rate] : options.rates) needs_goods |= kind == "cart" && rate > 0;
        if (needs_goods) goods = goods_on_sale(options.url);

        Attack attack(options, goods);
        const std::vector<Result> results = attack.run();

        std::map<std::string, std::vector<Result>> by_kind;
        for (const auto& r : results) by_kind[r.kind].push_back(r);
        Json::Value report;
        report["label"] = options.label;
        report["duration_s"] = options.duration;
        Json::Value rates(Json::objectValue);
        for (const auto& [kind, rate] : options.rates) rates[kind] = rate;
        report["offered_rates"] = rates;
        const std::string heading = options.label.empty() ? "" : options.label + ": ";
        for (const auto& [kind, list] : by_kind) {
            const Summary s = summarize(list);
            print_report("== " + heading + kind, s);
            report["kinds"][kind] = to_json(s);
        }
        const Summary all = summarize(results);
        print_report("== " + heading + "all", all);
        report["all"] = to_json(all);
        if (!options.json_path.empty()) {
            std::ofstream out(options.json_path);
            Json::StreamWriterBuilder builder;
            builder["indentation"] = "  ";
            out << Json::writeString(builder, report) << "\n";
        }
    } catch (const std::exception& e) {
        std::cerr << "umkm-load: " << e.what() << "\n";
        return 1;
    }
    curl_global_cleanup();
    return 0;
}
