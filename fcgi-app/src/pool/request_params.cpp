#include "pool/request_params.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "http/query.h"

namespace umkm::pool {

http::Request request_from(const ParamLookup& param) {
    http::Request request;
    request.method = param("REQUEST_METHOD");
    // DOCUMENT_URI is nginx's normalised, decoded path without the query.
    request.path = param("DOCUMENT_URI");
    if (request.path.empty()) request.path = param("SCRIPT_NAME");
    request.query_string = param("QUERY_STRING");
    request.request_id = param("REQUEST_ID");
    request.authorization = param("HTTP_AUTHORIZATION");
    return request;
}

std::optional<long> body_length(const std::string& content_length, long limit) {
    // nginx always sends CONTENT_LENGTH with a body (it buffers chunked
    // uploads); without one there is nothing to read.
    const auto length = http::parse_plain_integer(content_length, 0, INT64_MAX);
    if (!length || *length == 0) return std::nullopt;
    return static_cast<long>(std::min<std::int64_t>(*length, static_cast<std::int64_t>(limit) + 1));
}

std::optional<double> queue_wait_ms(const std::string& request_start, double now_seconds) {
    // Digits, one dot, digits: strtod alone would also take "inf", "nan",
    // hex floats and leading blanks.
    const auto dot = request_start.find('.');
    const bool plain =
        !request_start.empty() && request_start.size() <= 32 &&
        std::all_of(request_start.begin(), request_start.end(),
                    [](char c) { return (c >= '0' && c <= '9') || c == '.'; }) &&
        (dot == std::string::npos || request_start.find('.', dot + 1) == std::string::npos) &&
        request_start.front() != '.' && request_start.back() != '.';
    if (!plain) return std::nullopt;
    const double seconds = std::strtod(request_start.c_str(), nullptr);
    if (!std::isfinite(seconds)) return std::nullopt;
    return (now_seconds - seconds) * 1000.0;
}

}  // namespace umkm::pool
