#include "http/response.h"

#include <string>

#include "json_io/writer.h"

namespace umkm::http {
namespace {

Response envelope(int code, const char* status, const Json::Value* data, const Json::Value* meta) {
    // The envelope is assembled by hand so its keys keep the paper's order
    // (code, status, data, meta); jsoncpp would sort them.
    std::string body = "{\"code\":" + std::to_string(code) + ",\"status\":\"" + status + "\"";
    if (data) body += ",\"data\":" + json::write(*data);
    if (meta) body += ",\"meta\":" + json::write(*meta);
    body += "}";
    Response r;
    r.status = code;
    r.body = std::move(body);
    return r;
}

}  // namespace

Response ok(const Json::Value& data) { return envelope(200, "OK", &data, nullptr); }

Response ok(const Json::Value& data, const Json::Value& meta) {
    return envelope(200, "OK", &data, &meta);
}

Response created(const Json::Value& data) { return envelope(201, "CREATED", &data, nullptr); }

Response error(const ShopError& e, int retry_after_seconds) {
    int code = http_status_of(e.kind());
    Json::Value errors(Json::arrayValue);
    for (const FieldError& fe : e.errors()) {
        Json::Value item(Json::objectValue);
        if (!fe.field.empty()) item["field"] = fe.field;
        item["message"] = fe.message;
        errors.append(item);
    }
    std::string body = "{\"code\":" + std::to_string(code) + ",\"status\":\"" +
                       status_text_of(e.kind()) + "\",\"errors\":" + json::write(errors) + "}";
    Response r;
    r.status = code;
    r.body = std::move(body);
    if (retry_after_seconds > 0) r.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
    return r;
}

const char* reason_phrase(int status) {
    switch (status) {
        case 200: return "200 OK";
        case 201: return "201 Created";
        case 400: return "400 Bad Request";
        case 401: return "401 Unauthorized";
        case 404: return "404 Not Found";
        case 405: return "405 Method Not Allowed";
        case 409: return "409 Conflict";
        case 413: return "413 Payload Too Large";
        case 422: return "422 Unprocessable Entity";
        case 429: return "429 Too Many Requests";
        case 503: return "503 Service Unavailable";
        default: return "500 Internal Server Error";
    }
}

}  // namespace umkm::http
