#include "http/response.h"

#include <string>

#include "json_io/writer.h"

namespace umkm::http {
namespace {

Response envelope(int code, const char* status, const char* body_key, const std::string& body,
                  const std::string* meta) {
    json::Object envelope;
    envelope.add("code", code).add("status", status).add_raw(body_key, body);
    if (meta) envelope.add_raw("meta", *meta);
    Response r;
    r.status = code;
    r.body = envelope.str();
    return r;
}

}  // namespace

Response ok(const std::string& data) {
    return envelope(200, "OK", "data", data, nullptr);
}

Response ok(const std::string& data, const std::string& meta) {
    return envelope(200, "OK", "data", data, &meta);
}

Response created(const std::string& data) {
    return envelope(201, "CREATED", "data", data, nullptr);
}

Response error(const ShopError& e, int retry_after_seconds) {
    json::Array errors;
    for (const FieldError& fe : e.errors()) {
        json::Object item;
        if (!fe.field.empty()) item.add("field", fe.field);
        item.add("message", fe.message);
        errors.add_raw(item.str());
    }
    Response r = envelope(http_status_of(e.kind()), status_text_of(e.kind()), "errors",
                          errors.str(), nullptr);
    if (retry_after_seconds > 0) {
        r.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
    }
    return r;
}

const char* reason_phrase(int status) {
    switch (status) {
        case 200:
            return "200 OK";
        case 201:
            return "201 Created";
        case 400:
            return "400 Bad Request";
        case 401:
            return "401 Unauthorized";
        case 404:
            return "404 Not Found";
        case 405:
            return "405 Method Not Allowed";
        case 409:
            return "409 Conflict";
        case 413:
            return "413 Payload Too Large";
        case 422:
            return "422 Unprocessable Entity";
        case 429:
            return "429 Too Many Requests";
        case 503:
            return "503 Service Unavailable";
        default:
            return "500 Internal Server Error";
    }
}

}  // namespace umkm::http
