// Response JSON whose object keys keep the order they are written in, so
// bodies read like the paper's tables ({"cart_id","total_goods",...});
// jsoncpp's Value would sort them. Strings are escaped by jsoncpp.
#pragma once

#include <cstdint>
#include <string>

namespace umkm::json {

class Object {
  public:
    Object& add(const char* key, std::int64_t value);
    Object& add(const char* key, const std::string& value);
    Object& add(const char* key, const char* value) { return add(key, std::string(value)); }
    // `json` must already be valid JSON text (a nested object or array).
    Object& add_raw(const char* key, const std::string& json);
    Object& add_null(const char* key);
    std::string str() const { return text_ + "}"; }

  private:
    void key(const char* name);
    std::string text_ = "{";
};

class Array {
  public:
    Array& add_raw(const std::string& json);
    std::string str() const { return text_ + "]"; }

  private:
    std::string text_ = "[";
};

// A JSON string literal, quotes included.
std::string quoted(const std::string& text);

}  // namespace umkm::json
