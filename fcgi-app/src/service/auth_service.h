// Who is calling an admin endpoint: the name of a valid, unrevoked token.
#pragma once

#include <string>

#include "store/database.h"

namespace umkm::service {

// `authorization` is the Authorization header as sent ("Bearer umkm_..").
// Returns the token's name; throws ShopError unauthorized for anything
// else, with one message whatever was wrong, so probing learns nothing.
std::string authenticate(store::Database& db, const std::string& authorization);

}  // namespace umkm::service
