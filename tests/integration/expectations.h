// Predicates on responses for BOOST_TEST, written against shared/API.md.
//
//     BOOST_TEST(is_ok(r));
//     BOOST_TEST(is_error(r, 409, "ERR_OUT_OF_STOCK", "total"));
//
// On failure each one says what it expected, what was sent and what came
// back (Response::describe()), at the line of the test that asked.
#pragma once

#include <boost/test/unit_test.hpp>
#include <initializer_list>
#include <string>
#include <utility>

#include "http_client.h"

namespace umkm::test {

using boost::test_tools::assertion_result;

// The contract's envelope, whatever the status: a JSON object (strictly
// parsed, valid UTF-8) served as application/json, whose "code" equals the
// HTTP status and whose "status" is the name the contract pairs with it;
// success has "data", an error a non-empty "errors" array of
// {"field"?: string, "message": string}; 405 has Allow, 401 a
// WWW-Authenticate: Bearer challenge, 429 and 503 have a Retry-After of
// whole seconds.
assertion_result is_envelope(const Response& r);

// 200 "OK" envelope.
assertion_result is_ok(const Response& r);

// 201 "CREATED" envelope (the admin creates).
assertion_result is_created(const Response& r);

// An error envelope with this code and status name, and, when `field` is not
// empty, an error naming that field.
assertion_result is_error(const Response& r, long code, const std::string& status,
                          const std::string& field = "");

// An envelope (success or error) whose code is one of `codes`.
assertion_result is_envelope_with(const Response& r, std::initializer_list<long> codes);

// Some error's message contains `text`.
assertion_result error_message_contains(const Response& r, const std::string& text);

bool is_uuid_v4(const std::string& s);

// The status name shared/API.md pairs with an HTTP status ("" where it names
// none, as for nginx's 502 and 504; "*409" for the several 409 names).
std::string status_name_for(long code);

// {"a":1,"b":"x"} from raw JSON fragments, in order, so that a test controls
// every byte: json_object({{"user_id", "1.0"}}) sends 1.0, not 1.
std::string json_object(std::initializer_list<std::pair<std::string, std::string>> fields);

// A JSON integer (not 1.0, not true): the contract's money and quantities.
inline bool is_json_integer(const Json::Value& v) {
    return v.type() == Json::intValue || v.type() == Json::uintValue;
}

// Integer JSON value, for comparisons with Response::at().
inline Json::Value J(long long v) {
    return Json::Value(static_cast<Json::Int64>(v));
}

// The names of a JSON object's members, sorted, joined by commas.
std::string member_names(const Json::Value& object);

}  // namespace umkm::test
