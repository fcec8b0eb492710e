#include "expectations.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <vector>

namespace umkm::test {

namespace {

assertion_result failure(const std::string& why, const Response& r) {
    assertion_result result(false);
    result.message() << why << r.describe();
    return result;
}

bool all_digits(const std::string& s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

std::string status_name_for(long code) {
    static const std::map<long, std::string> names = {
        {200, "OK"},
        {201, "CREATED"},
        {400, "ERR_BAD_REQUEST"},
        {401, "ERR_UNAUTHORIZED"},
        {404, "ERR_NOT_FOUND"},
        {405, "ERR_METHOD_NOT_ALLOWED"},
        {409, "*409"},
        {413, "ERR_PAYLOAD_TOO_LARGE"},
        {422, "ERR_INSUFFICIENT_PAYMENT"},
        {429, "ERR_RATE_LIMITED"},
        {500, "ERR_INTERNAL_SERVER"},
        {503, "ERR_UNAVAILABLE"},
    };
    const auto it = names.find(code);
    return it == names.end() ? std::string() : it->second;
}

assertion_result is_envelope(const Response& r) {
    if (r.curl_code != CURLE_OK) return failure("no complete HTTP response", r);
    if (r.body.empty()) return failure("empty body", r);
    std::string content_type = r.header("content-type");
    std::transform(content_type.begin(), content_type.end(), content_type.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (content_type.rfind("application/json", 0) != 0)
        return failure("Content-Type is not application/json", r);
    if (!is_valid_utf8(r.body)) return failure("body is not valid UTF-8", r);
    if (!r.is_json) return failure("body is not strict JSON", r);
    if (!r.json.isObject()) return failure("body is not a JSON object", r);
    const Json::Value& code = r.json["code"];
    if (!is_json_integer(code) || code.asLargestInt() != r.status)
        return failure("\"code\" is not the HTTP status " + std::to_string(r.status), r);
    const Json::Value& status = r.json["status"];
    if (!status.isString()) return failure("\"status\" is not a string", r);

    const std::string expected_name = status_name_for(r.status);
    const std::string name = status.asString();
    if (expected_name == "*409") {
        static const std::vector<std::string> conflicts = {"ERR_PRICE_MISMATCH", "ERR_OUT_OF_STOCK",
                                                           "ERR_CART_CLOSED", "ERR_CART_EMPTY",
                                                           "ERR_ALREADY_DECIDED"};
        if (std::find(conflicts.begin(), conflicts.end(), name) == conflicts.end())
            return failure("\"status\" " + name + " is not one of the contract's 409 names", r);
    } else if (!expected_name.empty() && name != expected_name) {
        return failure(
            "\"status\" should be " + expected_name + " for HTTP " + std::to_string(r.status), r);
    }

    if (r.status < 300) {
        if (!r.json.isMember("data")) return failure("success without \"data\"", r);
    } else {
        if (name.rfind("ERR_", 0) != 0)
            return failure("error \"status\" does not start with ERR_", r);
        const Json::Value& errors = r.json["errors"];
        if (!errors.isArray() || errors.empty())
            return failure("error without a non-empty \"errors\" array", r);
        for (const auto& e : errors) {
            if (!e.isObject() || !e["message"].isString() || e["message"].asString().empty())
                return failure("an error without a \"message\" string", r);
            if (e.isMember("field") && !e["field"].isString())
                return failure("an error whose \"field\" is not a string", r);
        }
    }
    if (r.status == 405 && r.header("allow").empty())
        return failure("405 without an Allow header", r);
    if (r.status == 401) {
        std::string challenge = r.header("www-authenticate");
        std::transform(challenge.begin(), challenge.end(), challenge.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (challenge != "bearer" && challenge.rfind("bearer ", 0) != 0)
            return failure("401 without a WWW-Authenticate: Bearer header", r);
    }
    if ((r.status == 429 || r.status == 503) && !all_digits(r.header("retry-after")))
        return failure("no Retry-After of whole seconds", r);
    return true;
}

assertion_result is_ok(const Response& r) {
    if (r.status != 200) return failure("expected HTTP 200 OK", r);
    return is_envelope(r);
}

assertion_result is_created(const Response& r) {
    if (r.status != 201) return failure("expected HTTP 201 CREATED", r);
    return is_envelope(r);
}

assertion_result is_error(const Response& r, long code, const std::string& status,
                          const std::string& field) {
    std::string expectation = "expected HTTP " + std::to_string(code) + " " + status;
    if (!field.empty()) expectation += " naming field \"" + field + "\"";
    if (r.status != code) return failure(expectation + ", got another status", r);
    assertion_result envelope = is_envelope(r);
    if (!envelope) {
        assertion_result result(false);
        result.message() << expectation << ": " << envelope.message();
        return result;
    }
    if (r.json["status"].asString() != status)
        return failure(expectation + ", got another status name", r);
    if (!field.empty()) {
        for (const auto& e : r.json["errors"])
            if (e["field"].isString() && e["field"].asString() == field) return true;
        return failure(expectation + ", but no error names that field", r);
    }
    return true;
}

assertion_result is_envelope_with(const Response& r, std::initializer_list<long> codes) {
    if (std::find(codes.begin(), codes.end(), r.status) == codes.end()) {
        std::string list;
        for (long c : codes) list += (list.empty() ? "" : ", ") + std::to_string(c);
        return failure("expected an HTTP status in {" + list + "}", r);
    }
    return is_envelope(r);
}

assertion_result error_message_contains(const Response& r, const std::string& text) {
    if (r.is_json && r.json.isObject() && r.json["errors"].isArray()) {
        for (const auto& e : r.json["errors"])
            if (e.isObject() && e["message"].isString() &&
                e["message"].asString().find(text) != std::string::npos)
                return true;
    }
    return failure("expected an error message containing \"" + text + "\"", r);
}

bool is_uuid_v4(const std::string& s) {
    static const std::regex uuid(
        "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
    return std::regex_match(s, uuid);
}

std::string json_object(std::initializer_list<std::pair<std::string, std::string>> fields) {
    std::string out = "{";
    for (const auto& [name, raw] : fields) {
        if (out.size() > 1) out += ",";
        out += "\"" + name + "\":" + raw;
    }
    return out + "}";
}

std::string member_names(const Json::Value& object) {
    if (!object.isObject()) return "(not an object)";
    auto names = object.getMemberNames();
    std::sort(names.begin(), names.end());
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
    return out;
}

}  // namespace umkm::test
