#include "contract_log.h"

#include <unistd.h>

#include <boost/test/framework.hpp>
#include <boost/test/tree/test_unit.hpp>
#include <cerrno>  // program_invocation_short_name
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>

namespace umkm::test {

namespace {

std::mutex log_mutex;

// Opened on first use; null when recording is off.
std::ofstream* log_file() {
    static std::unique_ptr<std::ofstream> file = []() -> std::unique_ptr<std::ofstream> {
        const char* dir = std::getenv("UMKM_CONTRACT_LOG_DIR");
        if (!dir || !*dir) return nullptr;
        const std::string path = std::string(dir) + "/" + program_invocation_short_name + "-" +
                                 std::to_string(::getpid()) + ".jsonl";
        auto out = std::make_unique<std::ofstream>(path, std::ios::app);
        if (!*out) throw std::runtime_error("cannot open the contract log " + path);
        return out;
    }();
    return file.get();
}

// The running test case, so that a failing check points at the test that
// provoked the answer. Outside a test case (global fixtures) it is "".
std::string current_test() {
    try {
        return boost::unit_test::framework::current_test_case().full_name();
    } catch (...) {
        return "";
    }
}

// Headers as an object (the last of repeated ones wins), and the names that
// came more than once, so that a doubled Content-Type or Retry-After is seen.
void put_headers(Json::Value& record, const std::multimap<std::string, std::string>& headers) {
    Json::Value object(Json::objectValue);
    Json::Value duplicates(Json::arrayValue);
    for (const auto& [name, value] : headers) object[name] = value;
    for (auto it = headers.begin(); it != headers.end(); it = headers.upper_bound(it->first)) {
        if (headers.count(it->first) > 1) duplicates.append(it->first);
    }
    record["headers"] = object;
    if (!duplicates.empty()) record["duplicate_headers"] = duplicates;
}

// A body that is not UTF-8 cannot travel in a JSON string; the validator
// reports it (every API answer must be UTF-8 JSON).
void put_body(Json::Value& record, const std::string& body) {
    if (is_valid_utf8(body))
        record["body"] = body;
    else
        record["body_not_utf8"] = true;
}

void write(const Json::Value& record) {
    Json::StreamWriterBuilder builder;
    builder["indentation"] = "";
    builder["emitUTF8"] = true;
    const std::string line = Json::writeString(builder, record);
    std::lock_guard<std::mutex> lock(log_mutex);
    std::ofstream* out = log_file();
    if (!out) return;
    *out << line << '\n';
    out->flush();  // a test that aborts keeps what it received so far
}

bool recording() {
    const char* dir = std::getenv("UMKM_CONTRACT_LOG_DIR");
    return dir && *dir;
}

}  // namespace

void record_exchange(const Response& response) {
    if (!recording() || response.status == 0) return;
    Json::Value record(Json::objectValue);
    record["test"] = current_test();
    record["method"] = response.request.method;
    record["target"] = response.request.target;
    record["status"] = static_cast<Json::Int64>(response.status);
    put_headers(record, response.headers);
    put_body(record, response.body);
    write(record);
}

void record_stream(const RecordedStream& stream) {
    if (!recording() || stream.status == 0) return;
    Json::Value record(Json::objectValue);
    record["test"] = current_test();
    record["method"] = "GET";
    record["target"] = stream.target;
    record["status"] = static_cast<Json::Int64>(stream.status);
    put_headers(record, stream.headers);
    if (stream.status >= 200 && stream.status <= 299) {
        Json::Value events(Json::arrayValue);
        for (const auto& data : stream.events) events.append(data);
        record["events"] = events;
    } else {
        put_body(record, stream.body);
    }
    write(record);
}

}  // namespace umkm::test
