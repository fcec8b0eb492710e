// Fuzzes what a worker does with one request, up to the database: the
// FastCGI parameters it reads (pool/request_params), then the application's
// routing, admission control, query and body parsing and validation
// (controller::App). The database is unreachable (a socket that does not
// exist), so a request that passes validation is answered 503, as when
// MariaDB is down.
//
// Input (FuzzedDataProvider): the parameters below in order, each a
// string ended by a backslash and another character, then the body.
// Every answer must be a JSON envelope whose "code" is the HTTP status, and
// never a 500: a 500 is a bug we did not handle. The one exception is the
// metrics' 200, Prometheus's text.
#include <fuzzer/FuzzedDataProvider.h>
#include <json/reader.h>
#include <json/value.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "config/config.h"
#include "controller/app.h"
#include "log/log.h"
#include "pool/request_params.h"
#include "store/database.h"

namespace {

constexpr long kMaxBody = 16384;  // umkm.conf's default max_body_size
constexpr const char* kMetrics = "umkm_workers 4\n";

umkm::controller::App& app() {
    static auto db = [] {
        umkm::DatabaseConfig config;
        config.socket = "/nonexistent/umkm-fuzz/mysqld.sock";
        config.connect_timeout = 1;
        return std::make_unique<umkm::store::Database>(config);
    }();
    static umkm::controller::App instance(*db, kMaxBody, [] { return std::string(kMetrics); });
    return instance;
}

[[noreturn]] void fail(const char* what, const umkm::http::Response& r) {
    std::fprintf(stderr, "%s: HTTP %d %s\n", what, r.status, r.body.c_str());
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    umkm::log::set_level(umkm::log::Level::error);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzedDataProvider in(data, size);
    std::map<std::string, std::string> params;
    for (const char* name : {"REQUEST_METHOD", "DOCUMENT_URI", "SCRIPT_NAME", "QUERY_STRING",
                             "HTTP_AUTHORIZATION", "REQUEST_ID", "CONTENT_LENGTH", "REQUEST_START"})
        params[name] = in.ConsumeRandomLengthString(4096);
    const auto lookup = [&](const char* name) {
        const auto it = params.find(name);
        return it == params.end() ? std::string() : it->second;
    };

    umkm::http::Request request = umkm::pool::request_from(lookup);
    const std::string rest = in.ConsumeRemainingBytesAsString();
    // The body as the worker would read it: no more than CONTENT_LENGTH
    // says, and no more than the limit + 1.
    const auto length = umkm::pool::body_length(params["CONTENT_LENGTH"], kMaxBody);
    request.body = rest.substr(0, static_cast<size_t>(length.value_or(0)));
    // Shed as a worker would with max_queue_wait_ms = 100.
    const auto waited = umkm::pool::queue_wait_ms(params["REQUEST_START"], 1.8e9);
    const umkm::http::Response r =
        app().handle(request, [&] { return waited && *waited > 100 && *waited < 30000; });
    if (r.status < 200 || r.status > 599) fail("status out of range", r);
    if (r.status == 200 && r.body == kMetrics) return 0;
    if (r.status == 500) fail("an unhandled failure (500)", r);
    Json::Value body;
    Json::CharReaderBuilder builder;
    Json::CharReaderBuilder::strictMode(&builder.settings_);
    std::unique_ptr<Json::CharReader> reader(builder.newCharReader());
    std::string errors;
    if (!reader->parse(r.body.data(), r.body.data() + r.body.size(), &body, &errors) ||
        !body.isObject())
        fail("the body is not a JSON object", r);
    if (!body["code"].isInt() || body["code"].asInt() != r.status)
        fail("the envelope's code is not the status", r);
    return 0;
}
