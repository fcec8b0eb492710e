#include "json_io/writer.h"

#include <json/writer.h>

namespace umkm::json {

std::string quoted(const std::string& text) {
    // Escapes control characters, quotes and non-ASCII (as \u), so even
    // bytes that are not UTF-8 come out as valid JSON.
    return Json::valueToQuotedString(text.c_str());
}

void Object::key(const char* name) {
    if (text_.size() > 1) text_ += ',';
    text_ += '"';
    text_ += name;  // keys are our own literals, never client text
    text_ += "\":";
}

Object& Object::add(const char* name, std::int64_t value) {
    key(name);
    text_ += std::to_string(value);
    return *this;
}

Object& Object::add(const char* name, const std::string& value) {
    key(name);
    text_ += quoted(value);
    return *this;
}

Object& Object::add_raw(const char* name, const std::string& json) {
    key(name);
    text_ += json;
    return *this;
}

Object& Object::add_null(const char* name) {
    key(name);
    text_ += "null";
    return *this;
}

Array& Array::add_raw(const std::string& json) {
    if (text_.size() > 1) text_ += ',';
    text_ += json;
    return *this;
}

}  // namespace umkm::json
