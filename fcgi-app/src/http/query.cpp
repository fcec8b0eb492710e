#include "http/query.h"

#include "domain/errors.h"

namespace umkm::http {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<std::string> percent_decode(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '+') {
            out += ' ';
        } else if (c == '%') {
            if (i + 2 >= text.size()) return std::nullopt;  // needs two hex digits
            int hi = hex_value(text[i + 1]);
            int lo = hex_value(text[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

std::optional<std::int64_t> parse_plain_integer(const std::string& text, std::int64_t min,
                                                std::int64_t max) {
    if (text.empty() || text.size() > 32) return std::nullopt;
    std::int64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        if (__builtin_mul_overflow(value, 10, &value) ||
            __builtin_add_overflow(value, c - '0', &value)) {
            return std::nullopt;
        }
    }
    if (value < min || value > max) return std::nullopt;
    return value;
}

Query Query::parse(const std::string& query_string) {
    Query q;
    std::size_t start = 0;
    while (start <= query_string.size()) {
        std::size_t end = query_string.find('&', start);
        if (end == std::string::npos) end = query_string.size();
        std::string pair = query_string.substr(start, end - start);
        start = end + 1;
        if (pair.empty()) continue;
        std::size_t eq = pair.find('=');
        auto name = percent_decode(pair.substr(0, eq));
        auto value = percent_decode(eq == std::string::npos ? "" : pair.substr(eq + 1));
        if (!name || !value) {
            // An error names the parameter, or the query as a whole when the
            // name itself is unreadable or empty.
            std::string field = name && !name->empty() ? *name : "query";
            throw ShopError(ErrorKind::bad_request, field, "malformed percent-encoding");
        }
        // A value without a name ("=x") names nothing any endpoint reads.
        if (name->empty()) continue;
        if (!q.values_.emplace(*name, *value).second) {
            throw ShopError(ErrorKind::bad_request, *name, *name + " is given more than once");
        }
    }
    return q;
}

std::optional<std::string> Query::get(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    return it->second;
}

std::int64_t Query::integer(const std::string& name, std::int64_t min, std::int64_t max,
                            std::int64_t fallback) const {
    auto text = get(name);
    if (!text) return fallback;
    auto value = parse_plain_integer(*text, min, max);
    if (!value) {
        throw ShopError(ErrorKind::bad_request, name,
                        name + " must be a whole number from " + std::to_string(min) + " to " +
                            std::to_string(max));
    }
    return *value;
}

}  // namespace umkm::http
