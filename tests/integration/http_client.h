// A small libcurl client for the integration tests.
//
// Every Response remembers the Request that produced it, so that a failing
// assertion can print what was sent and what came back (describe()). The
// client sends bytes exactly as given: no JSON re-encoding of bodies, no
// normalisation of paths (CURLOPT_PATH_AS_IS), no "Expect: 100-continue", so
// that hostile inputs reach nginx as written.
//
// One HttpClient per thread: it owns one curl easy handle and reuses its
// keep-alive connection between requests.
#pragma once

#include <curl/curl.h>
#include <json/json.h>

#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace umkm::test {

struct Request {
    std::string method = "GET";
    std::string target;  // path and query, e.g. "/api/small/stocks?page=2"
    std::string body;
    bool has_body = false;
    std::vector<std::string> headers;  // "Name: value"
    bool chunked = false;              // send the body with Transfer-Encoding: chunked
};

struct Response {
    Request request;
    std::string base_url;
    std::string source_address;  // empty: the default (127.0.0.1)

    CURLcode curl_code = CURLE_OK;
    std::string curl_error;
    long status = 0;
    std::multimap<std::string, std::string> headers;  // names lower-cased
    std::string body;
    double seconds = 0.0;

    bool is_json = false;  // body parsed (strictly) as JSON
    std::string json_error;
    Json::Value json;

    // The first header with this (case-insensitive) name, or "".
    std::string header(const std::string& name) const;
    bool has_header(const std::string& name) const;

    // The value at a dotted path in the JSON body ("data.total_amount",
    // "data.0.id", "errors.0.field"); null when any step is missing or the
    // body is not JSON. Never throws.
    Json::Value at(const std::string& path) const;
    // The string at a path, "" when it is not a string.
    std::string str(const std::string& path) const;

    // What was sent and what came back, for failure messages.
    std::string describe() const;
};

std::ostream& operator<<(std::ostream& out, const Response& response);

struct ClientOptions {
    std::string base_url;        // "http://127.0.0.1:18101"
    std::string source_address;  // bind the client socket to this address (e.g. "127.0.0.2")
    long timeout_ms = 30000;     // whole request; a hang becomes a visible failure
    long connect_timeout_ms = 5000;
};

class HttpClient {
  public:
    explicit HttpClient(ClientOptions options);
    explicit HttpClient(const std::string& base_url);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    Response get(const std::string& target);
    Response post(const std::string& target, const std::string& body);
    Response send(const std::string& method, const std::string& target);
    Response send(const std::string& method, const std::string& target, const std::string& body);
    Response perform(const Request& request);

    const ClientOptions& options() const { return options_; }

  private:
    ClientOptions options_;
    CURL* handle_ = nullptr;
};

// Lower-cased copy; copy without leading and trailing blanks (header and
// event-stream parsing).
std::string lower(std::string s);
std::string trim(const std::string& s);

// Call once, before any thread starts (the stack fixture does).
void global_http_init();

// Escapes a byte string for printing: control bytes and bytes >= 0x7f as
// \xNN, and cuts it at `limit` bytes with a note of the full length.
std::string printable(const std::string& bytes, std::size_t limit = 1500);

bool is_valid_utf8(const std::string& bytes);

// Strict JSON parse: one value, nothing after it, no comments, duplicate keys
// rejected.
bool parse_json_strict(const std::string& text, Json::Value& out, std::string& error);

}  // namespace umkm::test
