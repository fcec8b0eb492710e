// Records every HTTP answer the integration tests receive, so that the
// contract test (tests/contract/validate-responses.mjs, ctest
// contract.responses) can check each one against docs/openapi.yaml after the
// suites ran. The document therefore cannot drift from the server: a field
// the server adds, drops or retypes, or a status it answers that the document
// does not list, fails the run.
//
// Recording is on when UMKM_CONTRACT_LOG_DIR is set (ctest sets it): each
// test process appends JSON lines to <dir>/<program>-<pid>.jsonl, one per
// exchange: {"test", "method", "target", "status", "headers", "body"} or,
// for an events stream, "events" (each message's data) instead of "body".
// Answers that never arrived (connection refused, timeout) are not recorded:
// there is nothing to check.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "http_client.h"

namespace umkm::test {

struct RecordedStream {
    std::string target;
    long status = 0;
    std::multimap<std::string, std::string> headers;  // names lower-cased
    std::string body;                                 // an error answer's body
    std::vector<std::string> events;                  // each event's data
};

// Both are thread-safe and cheap no-ops when recording is off.
void record_exchange(const Response& response);
void record_stream(const RecordedStream& stream);

}  // namespace umkm::test
