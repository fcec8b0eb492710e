#include "http_client.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "contract_log.h"

namespace umkm::test {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string trim(const std::string& s) {
    const auto begin = s.find_first_not_of(" \t\r\n");
    if (begin == std::string::npos) return "";
    const auto end = s.find_last_not_of(" \t\r\n");
    return s.substr(begin, end - begin + 1);
}

namespace {

size_t on_body(char* data, size_t size, size_t count, void* user) {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
    auto* headers = static_cast<std::multimap<std::string, std::string>*>(user);
    const std::string line(data, size * count);
    // A new status line starts a new response (after a 100 Continue, say):
    // keep only the headers of the final one.
    if (line.rfind("HTTP/", 0) == 0) {
        headers->clear();
        return size * count;
    }
    const auto colon = line.find(':');
    if (colon != std::string::npos)
        headers->emplace(lower(trim(line.substr(0, colon))), trim(line.substr(colon + 1)));
    return size * count;
}

struct ChunkedSource {
    const std::string* body;
    size_t offset;
};

// Hands the body to curl in pieces of at most 1000 bytes, so that a chunked
// upload really is several chunks.
size_t on_read(char* buffer, size_t size, size_t count, void* user) {
    auto* source = static_cast<ChunkedSource*>(user);
    const size_t room = std::min<size_t>(size * count, 1000);
    const size_t left = source->body->size() - source->offset;
    const size_t n = std::min(room, left);
    std::copy_n(source->body->data() + source->offset, n, buffer);
    source->offset += n;
    return n;
}

struct SlistDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

void global_http_init() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            throw std::runtime_error("curl_global_init failed");
    });
}

std::string printable(const std::string& bytes, std::size_t limit) {
    std::string out;
    const size_t n = std::min(bytes.size(), limit);
    for (size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\\') {
            out += "\\\\";
        } else if (c < 0x20 || c >= 0x7f) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        } else {
            out += static_cast<char>(c);
        }
    }
    if (bytes.size() > limit) out += "... (" + std::to_string(bytes.size()) + " bytes in all)";
    return out;
}

bool is_valid_utf8(const std::string& bytes) {
    size_t i = 0;
    const size_t n = bytes.size();
    while (i < n) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t len;
        unsigned long cp;
        if (c >= 0xc2 && c <= 0xdf) {
            len = 2;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > n) return false;
        for (size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(bytes[i + k]);
            if ((cc & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3f);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

bool parse_json_strict(const std::string& text, Json::Value& out, std::string& error) {
    Json::CharReaderBuilder builder;
    Json::CharReaderBuilder::strictMode(&builder.settings_);
    std::unique_ptr<Json::CharReader> reader(builder.newCharReader());
    error.clear();
    return reader->parse(text.data(), text.data() + text.size(), &out, &error);
}

std::string Response::header(const std::string& name) const {
    const auto it = headers.find(lower(name));
    return it == headers.end() ? std::string() : it->second;
}

bool Response::has_header(const std::string& name) const {
    return headers.count(lower(name)) > 0;
}

Json::Value Response::at(const std::string& path) const {
    if (!is_json) return Json::Value();
    const Json::Value* node = &json;
    std::string::size_type start = 0;
    while (start <= path.size()) {
        auto dot = path.find('.', start);
        if (dot == std::string::npos) dot = path.size();
        const std::string key = path.substr(start, dot - start);
        if (node->isObject()) {
            if (!node->isMember(key)) return Json::Value();
            node = &(*node)[key];
        } else if (node->isArray() && !key.empty() &&
                   std::all_of(key.begin(), key.end(),
                               [](unsigned char c) { return std::isdigit(c); })) {
            const auto index = std::stoul(key);
            if (index >= node->size()) return Json::Value();
            node = &(*node)[static_cast<Json::ArrayIndex>(index)];
        } else {
            return Json::Value();
        }
        start = dot + 1;
    }
    return *node;
}

std::string Response::str(const std::string& path) const {
    const Json::Value v = at(path);
    return v.isString() ? v.asString() : std::string();
}

std::string Response::describe() const {
    std::ostringstream out;
    out << "\n  sent: " << request.method << " " << base_url << printable(request.target, 600);
    if (!source_address.empty()) out << "  (from " << source_address << ")";
    for (const auto& h : request.headers) out << "\n    " << printable(h, 200);
    if (request.has_body) {
        out << "\n    body (" << request.body.size() << " bytes"
            << (request.chunked ? ", chunked" : "") << "): " << printable(request.body);
    }
    if (curl_code != CURLE_OK) {
        out << "\n  got: no complete response after " << seconds << " s: curl error " << curl_code
            << " (" << curl_easy_strerror(curl_code) << ") " << curl_error;
        if (status != 0) out << "; status so far " << status;
    } else {
        out << "\n  got: HTTP " << status << " after " << seconds << " s";
    }
    for (const auto& [name, value] : headers) {
        if (name == "date" || name == "server" || name == "connection") continue;
        out << "\n    " << name << ": " << printable(value, 200);
    }
    out << "\n    body (" << body.size() << " bytes): " << printable(body);
    if (!body.empty() && !is_json)
        out << "\n    (body is not JSON: " << printable(json_error, 300) << ")";
    return out.str();
}

std::ostream& operator<<(std::ostream& out, const Response& response) {
    return out << response.describe();
}

HttpClient::HttpClient(ClientOptions options) : options_(std::move(options)) {
    global_http_init();
    handle_ = curl_easy_init();
    if (!handle_) throw std::runtime_error("curl_easy_init failed");
}

HttpClient::HttpClient(const std::string& base_url)
    : HttpClient(ClientOptions{base_url, "", 30000, 5000}) {}

HttpClient::~HttpClient() {
    if (handle_) curl_easy_cleanup(handle_);
}

Response HttpClient::get(const std::string& target) {
    Request r;
    r.method = "GET";
    r.target = target;
    return perform(r);
}

Response HttpClient::post(const std::string& target, const std::string& body) {
    Request r;
    r.method = "POST";
    r.target = target;
    r.body = body;
    r.has_body = true;
    return perform(r);
}

Response HttpClient::send(const std::string& method, const std::string& target) {
    Request r;
    r.method = method;
    r.target = target;
    return perform(r);
}

Response HttpClient::send(const std::string& method, const std::string& target,
                          const std::string& body) {
    Request r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.has_body = true;
    return perform(r);
}

Response HttpClient::perform(const Request& request) {
    Response response;
    response.request = request;
    response.base_url = options_.base_url;
    response.source_address = options_.source_address;

    // reset keeps the connection cache: keep-alive survives between requests.
    curl_easy_reset(handle_);
    char error_buffer[CURL_ERROR_SIZE] = {0};
    const std::string url = options_.base_url + request.target;
    const std::string interface = "host!" + options_.source_address;

    curl_easy_setopt(handle_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(handle_, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(handle_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle_, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(handle_, CURLOPT_TIMEOUT_MS, options_.timeout_ms);
    curl_easy_setopt(handle_, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
    curl_easy_setopt(handle_, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(handle_, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(handle_, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(handle_, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(handle_, CURLOPT_HEADERDATA, &response.headers);
    if (!options_.source_address.empty())
        curl_easy_setopt(handle_, CURLOPT_INTERFACE, interface.c_str());

    curl_slist* raw_headers = curl_slist_append(nullptr, "Expect:");
    for (const auto& h : request.headers) raw_headers = curl_slist_append(raw_headers, h.c_str());
    if (request.chunked) raw_headers = curl_slist_append(raw_headers, "Transfer-Encoding: chunked");
    std::unique_ptr<curl_slist, SlistDeleter> header_list(raw_headers);
    curl_easy_setopt(handle_, CURLOPT_HTTPHEADER, header_list.get());

    ChunkedSource source{&request.body, 0};
    if (request.has_body) {
        curl_easy_setopt(handle_, CURLOPT_POST, 1L);
        if (request.chunked) {
            curl_easy_setopt(handle_, CURLOPT_READFUNCTION, on_read);
            curl_easy_setopt(handle_, CURLOPT_READDATA, &source);
        } else {
            curl_easy_setopt(handle_, CURLOPT_POSTFIELDSIZE_LARGE,
                             static_cast<curl_off_t>(request.body.size()));
            curl_easy_setopt(handle_, CURLOPT_POSTFIELDS, request.body.data());
        }
        if (request.method != "POST")
            curl_easy_setopt(handle_, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    } else if (request.method == "GET") {
        curl_easy_setopt(handle_, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
        curl_easy_setopt(handle_, CURLOPT_NOBODY, 1L);
    } else {
        curl_easy_setopt(handle_, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }

    response.curl_code = curl_easy_perform(handle_);
    response.curl_error = error_buffer;
    curl_easy_getinfo(handle_, CURLINFO_RESPONSE_CODE, &response.status);
    curl_easy_getinfo(handle_, CURLINFO_TOTAL_TIME, &response.seconds);
    // Do not let a dangling pointer to this call's header list survive it.
    curl_easy_setopt(handle_, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(handle_, CURLOPT_ERRORBUFFER, nullptr);

    if (!response.body.empty())
        response.is_json = parse_json_strict(response.body, response.json, response.json_error);
    else
        response.json_error = "empty body";
    record_exchange(response);
    return response;
}

}  // namespace umkm::test
