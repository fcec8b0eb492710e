#include "json_io/body.h"

#include <json/reader.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

namespace umkm::json {
namespace {

// Nesting deeper than this is hostile, not a shop request: jsoncpp stops
// there instead of recursing until the stack runs out.
constexpr int max_nesting = 32;

std::unique_ptr<Json::CharReader> make_reader() {
    Json::CharReaderBuilder builder;
    Json::CharReaderBuilder::strictMode(&builder.settings_);
    builder.settings_["rejectDupKeys"] = true;
    builder.settings_["stackLimit"] = max_nesting;
    return std::unique_ptr<Json::CharReader>(builder.newCharReader());
}

// jsoncpp reports a duplicate as "Duplicate key: 'name'"; name the field.
std::string duplicated_key(const std::string& errors) {
    const std::string marker = "Duplicate key: '";
    auto at = errors.find(marker);
    if (at == std::string::npos) return "";
    at += marker.size();
    auto end = errors.find('\'', at);
    return end == std::string::npos ? "" : errors.substr(at, end - at);
}

std::string range_text(std::int64_t min, std::int64_t max) {
    return "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
}

}  // namespace

Json::Value parse_object(const std::string& body) {
    // One reader per process: building it parses the settings each time.
    static const std::unique_ptr<Json::CharReader> reader = make_reader();
    if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
        throw ShopError(ErrorKind::bad_request, "body", "request body must be a JSON object");
    }
    // jsoncpp's strict mode still reads 042, 1., +1 and raw control
    // characters in strings. The RFC 8259 grammar is checked first by
    // nlohmann's accept() (no tree is built); jsoncpp then builds the value
    // and rejects duplicate keys, which accept() allows. Both libraries stop
    // at a NUL byte as if the body ended there, and a raw NUL is valid
    // nowhere in JSON, so it is refused up front.
    if (body.find('\0') != std::string::npos || !nlohmann::json::accept(body.begin(), body.end())) {
        throw ShopError(ErrorKind::bad_request, "body", "request body is not valid JSON");
    }
    Json::Value root;
    std::string errors;
    bool ok = false;
    try {
        ok = reader->parse(body.data(), body.data() + body.size(), &root, &errors);
    } catch (const Json::Exception&) {
        // stackLimit is enforced by throwing.
        throw ShopError(ErrorKind::bad_request, "body",
                        "JSON nested deeper than " + std::to_string(max_nesting) + " levels");
    }
    if (!ok) {
        std::string key = duplicated_key(errors);
        if (!key.empty()) {
            throw ShopError(ErrorKind::bad_request, key, "field '" + key + "' appears twice");
        }
        throw ShopError(ErrorKind::bad_request, "body", "request body is not valid JSON");
    }
    if (!root.isObject()) {
        throw ShopError(ErrorKind::bad_request, "body", "request body must be a JSON object");
    }
    return root;
}

bool is_integer_in(const Json::Value& v, std::int64_t min, std::int64_t max) {
    // jsoncpp keeps integers that fit 64 bits as int/uint and everything else
    // (fractions, exponents, larger numbers) as real: only the first two count.
    if (v.type() == Json::intValue) {
        Json::Int64 n = v.asInt64();
        return n >= min && n <= max;
    }
    if (v.type() == Json::uintValue) {
        Json::UInt64 n = v.asUInt64();
        return max >= 0 && n <= static_cast<Json::UInt64>(max) &&
               (min <= 0 || n >= static_cast<Json::UInt64>(min));
    }
    return false;
}

bool FieldReader::has(const char* name) const {
    const Json::Value* v = object_.find(name, name + std::char_traits<char>::length(name));
    return v != nullptr && !v->isNull();
}

std::optional<std::int64_t> FieldReader::read(const char* name, std::int64_t min, std::int64_t max,
                                              bool required) {
    const Json::Value* v = object_.find(name, name + std::char_traits<char>::length(name));
    if (v == nullptr || v->isNull()) {
        if (required) add_error(name, std::string(name) + " is required");
        return std::nullopt;
    }
    if (!is_integer_in(*v, min, max)) {
        add_error(name, std::string(name) + " " + range_text(min, max));
        return std::nullopt;
    }
    return v->asInt64();
}

std::int64_t FieldReader::integer(const char* name, std::int64_t min, std::int64_t max) {
    return read(name, min, max, true).value_or(0);
}

std::optional<std::int64_t> FieldReader::optional_integer(const char* name, std::int64_t min,
                                                          std::int64_t max) {
    return read(name, min, max, false);
}

namespace {

// Characters, not bytes: the body passed the UTF-8 check of parse_object.
std::size_t utf8_length(const std::string& text) {
    std::size_t n = 0;
    for (unsigned char c : text) n += (c & 0xC0) != 0x80;
    return n;
}

bool blank(const std::string& text) {
    return text.find_first_not_of(" \t\r\n\f\v") == std::string::npos;
}

}  // namespace

std::optional<std::string> FieldReader::optional_string(const char* name, std::size_t max_chars,
                                                        bool allow_blank) {
    const Json::Value* v = object_.find(name, name + std::char_traits<char>::length(name));
    if (v == nullptr || v->isNull()) return std::nullopt;
    if (!v->isString()) {
        add_error(name, std::string(name) + " must be a string");
        return std::nullopt;
    }
    std::string text = v->asString();
    std::size_t length = utf8_length(text);
    if (length > max_chars || (!allow_blank && (length == 0 || blank(text)))) {
        add_error(name, std::string(name) + " must be " + (allow_blank ? "0" : "1") + " to " +
                            std::to_string(max_chars) + " characters" +
                            (allow_blank ? "" : ", not blank"));
        return std::nullopt;
    }
    return text;
}

std::string FieldReader::choice(const char* name, std::initializer_list<const char*> choices) {
    const Json::Value* v = object_.find(name, name + std::char_traits<char>::length(name));
    std::string allowed;
    for (const char* c : choices) {
        if (v && v->isString() && v->asString() == c) return c;
        allowed += (allowed.empty() ? "" : ", ") + std::string(c);
    }
    add_error(name, std::string(name) + " must be one of " + allowed);
    return "";
}

std::optional<bool> FieldReader::optional_bool(const char* name) {
    const Json::Value* v = object_.find(name, name + std::char_traits<char>::length(name));
    if (v == nullptr || v->isNull()) return std::nullopt;
    if (!v->isBool()) {
        add_error(name, std::string(name) + " must be true or false");
        return std::nullopt;
    }
    return v->asBool();
}

void FieldReader::reject_null(const char* name) {
    const Json::Value* v = object_.find(name, name + std::char_traits<char>::length(name));
    if (v != nullptr && v->isNull()) add_error(name, std::string(name) + " must not be null");
}

void FieldReader::add_error(const std::string& field, const std::string& message) {
    errors_.push_back({field, message});
}

void FieldReader::throw_if_any() const {
    if (!errors_.empty()) throw ShopError(ErrorKind::bad_request, errors_);
}

}  // namespace umkm::json
