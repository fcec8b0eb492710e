#include "pool/dispatcher.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace dispatch = umkm::pool::dispatch;

namespace {

// A tiny HTTP/1.1 server on 127.0.0.1 for the publisher to talk to: it
// answers `statuses` in turn (keeping the connection open between them),
// records what it received, and gives up after a few seconds of silence.
class FakePublisher {
  public:
    struct Received {
        std::string head;
        std::string body;
    };

    explicit FakePublisher(std::vector<int> statuses, bool answer = true)
        : statuses_(std::move(statuses)), answer_(answer) {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        BOOST_TEST_REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) ==
                           0);
        socklen_t length = sizeof addr;
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &length);
        port_ = ntohs(addr.sin_port);
        ::listen(listen_fd_, 8);
        thread_ = std::thread([this] { serve(); });
    }
    ~FakePublisher() {
        ::shutdown(listen_fd_, SHUT_RDWR);
        if (thread_.joinable()) thread_.join();
        ::close(listen_fd_);
    }
    // Waits until every status was answered (or the server gave up).
    void finish() {
        if (thread_.joinable()) thread_.join();
    }

    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/pub/"; }
    // Read after finish().
    const std::vector<Received>& received() const { return received_; }
    int connections() const { return connections_; }

  private:
    void serve() {
        std::size_t answered = 0;
        while (answered < statuses_.size()) {
            int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) return;
            ++connections_;
            timeval limit{3, 0};
            ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
            std::string buffer;
            while (answered < statuses_.size()) {
                Received request;
                if (!read_request(fd, buffer, request)) break;
                received_.push_back(request);
                if (!answer_) {
                    // Hold the connection without answering until the client
                    // gives up.
                    char sink[256];
                    while (::read(fd, sink, sizeof sink) > 0) {
                    }
                    answered = statuses_.size();
                    break;
                }
                std::string reply = "HTTP/1.1 " + std::to_string(statuses_[answered]) +
                                    " X\r\nContent-Length: 12\r\n\r\nqueued: yes\n";
                ++answered;
                if (::write(fd, reply.data(), reply.size()) < 0) break;
            }
            ::close(fd);
        }
    }

    static bool read_request(int fd, std::string& buffer, Received& request) {
        char chunk[4096];
        std::size_t end;
        while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
            ssize_t n = ::read(fd, chunk, sizeof chunk);
            if (n <= 0) return false;
            buffer.append(chunk, static_cast<std::size_t>(n));
        }
        request.head = buffer.substr(0, end + 4);
        buffer.erase(0, end + 4);
        std::size_t length = 0;
        auto at = request.head.find("Content-Length: ");
        if (at != std::string::npos) length = std::stoul(request.head.substr(at + 16));
        while (buffer.size() < length) {
            ssize_t n = ::read(fd, chunk, sizeof chunk);
            if (n <= 0) return false;
            buffer.append(chunk, static_cast<std::size_t>(n));
        }
        request.body = buffer.substr(0, length);
        buffer.erase(0, length);
        return true;
    }

    std::vector<int> statuses_;
    bool answer_;
    int listen_fd_ = -1;
    int port_ = 0;
    int connections_ = 0;
    std::vector<Received> received_;
    std::thread thread_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(dispatcher)

BOOST_AUTO_TEST_CASE(url_is_the_base_followed_by_the_transaction_id) {
    BOOST_TEST(dispatch::publish_url_for("http://127.0.0.1:8080/internal/publish/",
                                         "3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60") ==
               "http://127.0.0.1:8080/internal/publish/3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60");
    BOOST_TEST(dispatch::publish_url_for("http://h/pub?id=", "ab-CD_9.~") ==
               "http://h/pub?id=ab-CD_9.~");
    // Never anything that could change the URL's meaning.
    BOOST_TEST(dispatch::publish_url_for("http://h/p/", "a/../b?c#d e%") ==
               "http://h/p/a%2F..%2Fb%3Fc%23d%20e%25");
    BOOST_TEST(dispatch::publish_url_for("http://h/p/", std::string("\xff\n", 2)) ==
               "http://h/p/%FF%0A");
    BOOST_TEST(dispatch::publish_url_for("http://h/p/", "") == "http://h/p/");
}

BOOST_AUTO_TEST_CASE(any_2xx_is_accepted) {
    BOOST_TEST(dispatch::is_accepted_status(201));
    BOOST_TEST(dispatch::is_accepted_status(202));
    BOOST_TEST(dispatch::is_accepted_status(200));
    for (long status : {0L, 100L, 199L, 301L, 304L, 400L, 403L, 404L, 409L, 500L, 502L, 503L}) {
        BOOST_TEST(!dispatch::is_accepted_status(status), status);
    }
}

BOOST_AUTO_TEST_CASE(log_limiter_lets_one_through_per_interval_and_counts_the_rest) {
    dispatch::LogLimiter limiter(5000);
    BOOST_TEST(limiter.allow(100000));
    BOOST_TEST(limiter.suppressed() == 0);
    BOOST_TEST(!limiter.allow(100200));
    BOOST_TEST(!limiter.allow(104999));
    BOOST_TEST(limiter.allow(105000));
    BOOST_TEST(limiter.suppressed() == 2);
    BOOST_TEST(limiter.allow(111000));
    BOOST_TEST(limiter.suppressed() == 0);
    // The first complaint always passes, whatever the clock says.
    dispatch::LogLimiter fresh(5000);
    BOOST_TEST(fresh.allow(0));
}

BOOST_AUTO_TEST_CASE(publisher_posts_json_and_keeps_the_connection) {
    FakePublisher server({201, 202, 500});
    dispatch::Publisher publisher;
    const std::string id = "3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60";
    const std::string body = R"({"transaction_id":")" + id + R"(","status":"PAID"})";
    BOOST_TEST(publisher.publish(dispatch::publish_url_for(server.base_url(), id), body) == "");
    std::string big(5000, 'x');
    BOOST_TEST(publisher.publish(server.base_url() + "two", "\"" + big + "\"") == "");
    std::string problem = publisher.publish(server.base_url() + "three", "{}");
    BOOST_TEST(problem.find("HTTP 500") == 0, problem);
    BOOST_TEST(problem.find("queued: yes") != std::string::npos, problem);

    server.finish();
    const auto& got = server.received();
    BOOST_TEST_REQUIRE(got.size() == 3u);
    BOOST_TEST(got[0].head.find("POST /pub/" + id + " HTTP/1.1\r\n") == 0, got[0].head);
    BOOST_TEST(got[0].head.find("\r\nContent-Type: application/json\r\n") != std::string::npos,
               got[0].head);
    BOOST_TEST(got[0].body == body);
    BOOST_TEST(got[1].body == "\"" + big + "\"");
    BOOST_TEST(got[1].head.find("Expect:") == std::string::npos, got[1].head);
    // One easy handle: all three over the same kept-alive connection.
    BOOST_TEST(server.connections() == 1);
}

BOOST_AUTO_TEST_CASE(publisher_reports_a_refused_connection) {
    // A port that was free a moment ago: nothing listens on it.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t length = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
    ::close(fd);
    dispatch::Publisher publisher;
    std::string problem = publisher.publish(
        "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/pub/x", "{}");
    BOOST_TEST(!problem.empty());
}

BOOST_AUTO_TEST_CASE(publisher_gives_up_after_its_timeout) {
    FakePublisher server({201}, /*answer=*/false);
    dispatch::Publisher publisher(300);
    auto start = std::chrono::steady_clock::now();
    std::string problem = publisher.publish(server.base_url() + "slow", "{}");
    auto took_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - start)
                       .count();
    BOOST_TEST(!problem.empty());
    BOOST_TEST(problem.find("imeout") != std::string::npos, problem);
    BOOST_TEST(took_ms < 2000);
}

BOOST_AUTO_TEST_CASE(publisher_refuses_other_protocols) {
    dispatch::Publisher publisher;
    BOOST_TEST(!publisher.publish("file:///etc/hostname", "{}").empty());
}

BOOST_AUTO_TEST_SUITE_END()
