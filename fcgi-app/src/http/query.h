// Query strings: percent-decoded, a repeated parameter is an error (which of
// two values would the client mean?), unknown parameters are kept but unused.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace umkm::http {

class Query {
  public:
    // Throws ShopError(bad_request) naming the repeated or undecodable parameter.
    static Query parse(const std::string& query_string);

    std::optional<std::string> get(const std::string& name) const;
    // A plain-digits integer in [min, max] ("+1", "1.0", "", "-1" are errors),
    // or `fallback` when absent. Throws ShopError naming the parameter.
    std::int64_t integer(const std::string& name, std::int64_t min, std::int64_t max,
                         std::int64_t fallback) const;

  private:
    std::map<std::string, std::string> values_;
};

// Decodes %XX and '+'; nothing when a % is not followed by two hex digits.
std::optional<std::string> percent_decode(const std::string& text);
// Digits only, no sign, no blanks, value in [min, max].
std::optional<std::int64_t> parse_plain_integer(const std::string& text, std::int64_t min,
                                                std::int64_t max);

}  // namespace umkm::http
