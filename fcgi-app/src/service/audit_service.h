// Reading the audit log (entries are written by each admin action's own
// service, in the action's database transaction).
#pragma once

#include "domain/page.h"
#include "domain/shop.h"
#include "store/database.h"

namespace umkm::service {

// Newest first.
Page<AuditEntry> list_audit(store::Database& db, std::int64_t page, std::int64_t page_size);

}  // namespace umkm::service
