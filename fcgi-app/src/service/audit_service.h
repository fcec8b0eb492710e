// Reading the audit log (entries are written by each admin action's own
// service, in the action's database transaction).
#pragma once

#include <vector>

#include "domain/shop.h"
#include "store/database.h"

namespace umkm::service {

struct AuditPage {
    std::vector<AuditEntry> entries;
    std::int64_t total_items = 0;
    std::int64_t total_pages = 0;
};

// Newest first.
AuditPage list_audit(store::Database& db, std::int64_t page, std::int64_t page_size);

}  // namespace umkm::service
