// Request bodies: strict JSON (jsoncpp in strict mode, duplicate keys
// rejected, nesting bounded) and typed field access that names the field at
// fault. Unknown fields are ignored, as the contract says.
#pragma once

#include <json/value.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "domain/errors.h"

namespace umkm::json {

// Parses a request body that must be a JSON object; throws ShopError
// (bad_request, field "body" or the duplicated key) otherwise.
Json::Value parse_object(const std::string& body);

// Collects every field error of one body so a client learns of all of them
// at once; throw_if_any() raises them as one 400.
class FieldReader {
  public:
    explicit FieldReader(const Json::Value& object) : object_(object) {}

    // A required integer in [min, max]; absent, null or not an integer is an error.
    std::int64_t integer(const char* name, std::int64_t min, std::int64_t max);
    // An optional integer: absent or null gives nothing.
    std::optional<std::int64_t> optional_integer(const char* name, std::int64_t min,
                                                 std::int64_t max);
    // An optional string of 1..max_chars characters (UTF-8), not blank
    // unless allow_blank; null or absent gives nothing.
    std::optional<std::string> optional_string(const char* name, std::size_t max_chars,
                                               bool allow_blank = false);
    // A required one of `choices` (exact spelling).
    std::string choice(const char* name, std::initializer_list<const char*> choices);
    std::optional<bool> optional_bool(const char* name);
    bool has(const char* name) const;
    // A field that is present as null is an error (where null has no meaning).
    void reject_null(const char* name);
    void add_error(const std::string& field, const std::string& message);
    void throw_if_any() const;

  private:
    std::optional<std::int64_t> read(const char* name, std::int64_t min, std::int64_t max,
                                     bool required);
    const Json::Value& object_;
    std::vector<FieldError> errors_;
};

// True for a JSON integer (not 1.0, not 1e3) within [min, max].
bool is_integer_in(const Json::Value& v, std::int64_t min, std::int64_t max);

}  // namespace umkm::json
