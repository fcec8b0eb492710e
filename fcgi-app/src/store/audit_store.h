// SQL for the audit log of admin actions.
#pragma once

#include <vector>

#include "domain/shop.h"
#include "store/database.h"

namespace umkm::store {

// In the caller's transaction, so the entry commits with the action.
void insert_audit(Database& db, const AuditEntry& entry);
// Newest first.
std::vector<AuditEntry> list_audit(Database& db, std::int64_t limit, std::int64_t offset);
std::int64_t count_audit(Database& db);

}  // namespace umkm::store
