// The contract's envelope: {"code","status","data","meta"} on success and
// {"code","status","errors":[{"field","message"}]} on error, HTTP status
// equal to "code".
#pragma once

#include <string>

#include "domain/errors.h"
#include "http/message.h"

namespace umkm::http {

// `data` and `meta` are JSON text (see json_io/writer.h).
Response ok(const std::string& data);
Response ok(const std::string& data, const std::string& meta);
Response created(const std::string& data);
// retry_after_seconds > 0 adds a Retry-After header (503s).
Response error(const ShopError& e, int retry_after_seconds = 0);
// "Status:" line text for a code, e.g. "409 Conflict".
const char* reason_phrase(int status);

}  // namespace umkm::http
