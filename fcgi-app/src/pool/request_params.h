// What a worker reads from a request's FastCGI parameters (the CGI-style
// variables nginx sends: fastcgi_params and our own), kept apart from
// libfcgi so that the parsing is unit-tested and fuzzed without a socket.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "http/message.h"

namespace umkm::pool {

// A parameter's value, "" when nginx did not send it.
using ParamLookup = std::function<std::string(const char* name)>;

// Method, path, query string, request id and Authorization header; the
// body is read separately (read_body in worker.cpp, bounded by
// body_length).
http::Request request_from(const ParamLookup& param);

// How many body bytes to read for CONTENT_LENGTH: at most limit + 1, so
// that an oversized body is noticed without buffering it. Nothing when
// there is no body or CONTENT_LENGTH is not a plain number.
std::optional<long> body_length(const std::string& content_length, long limit);

// Milliseconds between REQUEST_START (nginx's $msec: "seconds.millis" of
// the wall clock when nginx handed the request over) and `now_seconds`;
// nothing when REQUEST_START is missing or not a plain decimal number.
std::optional<double> queue_wait_ms(const std::string& request_start, double now_seconds);

}  // namespace umkm::pool
