#include "service/auth_service.h"

#include <strings.h>

#include "crypto/token.h"
#include "log/log.h"
#include "store/token_store.h"

namespace umkm::service {

std::string authenticate(store::Database& db, const std::string& authorization) {
    const ShopError refused(ErrorKind::unauthorized, "Authorization",
                            "a valid admin token is required (Authorization: Bearer <token>)");
    // The scheme is case-insensitive (RFC 7235): "bearer " works too.
    const std::string scheme = "bearer ";
    if (authorization.size() < scheme.size() ||
        strncasecmp(authorization.c_str(), scheme.c_str(), scheme.size()) != 0) {
        throw refused;
    }
    auto token = crypto::parse_token(authorization.substr(scheme.size()));
    if (!token) throw refused;
    auto stored = db.read([&] { return store::find_admin_token(db, token->id); });
    // Hash first, compare always: an unknown id costs the same as a wrong
    // secret. The token itself is never logged.
    const std::string presented = crypto::sha256(token->secret);
    bool valid = stored && !stored->revoked &&
                 crypto::equal_in_constant_time(presented, stored->secret_sha256);
    if (!valid) {
        LOG_INFO("admin authentication failed for token id " << token->id);
        throw refused;
    }
    return stored->name;
}

}  // namespace umkm::service
