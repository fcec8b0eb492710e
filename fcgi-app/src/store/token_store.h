// SQL for admin tokens: read on the request path (auth_service), created,
// listed and revoked by the token command line (cli/token_command.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/shop.h"
#include "store/database.h"

namespace umkm::store {

struct AdminToken {
    Id id = 0;
    std::string name;
    std::string secret_sha256;  // 32 raw bytes
    bool revoked = false;
};

// A token as the command line lists it: never its secret.
struct AdminTokenListing {
    Id id = 0;
    std::string name;
    std::string created_at;                   // RFC 3339, UTC
    std::optional<std::string> last_used_at;  // RFC 3339, UTC
    std::optional<std::string> revoked_at;    // RFC 3339, UTC
};

std::optional<AdminToken> find_admin_token(Database& db, Id id);

// The token of that name, active or revoked, locked FOR UPDATE so that a
// concurrent create or revoke of the name waits. Names compare
// case-insensitively (the column's collation): "Alice" finds "alice".
std::optional<AdminToken> lock_admin_token_named(Database& db, const std::string& name);
// A new token; nothing when a token of that name was inserted at the same
// moment by another transaction (the name is unique), and then nothing was
// written.
std::optional<Id> insert_admin_token(Database& db, const std::string& name,
                                     const std::string& secret_sha256);
// Gives token `id` (revoked) a new life: this name and secret, created now,
// never used, not revoked.
void renew_admin_token(Database& db, Id id, const std::string& name,
                       const std::string& secret_sha256);
void revoke_admin_token(Database& db, Id id);
// Every token, in id order.
std::vector<AdminTokenListing> list_admin_tokens(Database& db);

}  // namespace umkm::store
