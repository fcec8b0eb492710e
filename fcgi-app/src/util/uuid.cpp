#include "util/uuid.h"

#include <uuid/uuid.h>

namespace umkm::util {

std::string uuid_v4() {
    uuid_t raw;
    // Random, not time-based: a transaction id is the customer's capability
    // to read the transaction, so it must not be guessable.
    uuid_generate_random(raw);
    char text[37];
    uuid_unparse_lower(raw, text);
    return text;
}

}  // namespace umkm::util
