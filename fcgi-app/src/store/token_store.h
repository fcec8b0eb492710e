// SQL for reading admin tokens on the request path (the token command line
// creates and revokes them).
#pragma once

#include <optional>
#include <string>

#include "domain/shop.h"
#include "store/database.h"

namespace umkm::store {

struct AdminToken {
    Id id = 0;
    std::string name;
    std::string secret_sha256;  // 32 raw bytes
    bool revoked = false;
};

std::optional<AdminToken> find_admin_token(Database& db, Id id);

}  // namespace umkm::store
