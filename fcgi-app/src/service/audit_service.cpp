#include "service/audit_service.h"

#include "service/paging.h"
#include "store/audit_store.h"

namespace umkm::service {

Page<AuditEntry> list_audit(store::Database& db, std::int64_t page, std::int64_t page_size) {
    return db.read([&] {
        Page<AuditEntry> result;
        result.total_items = store::count_audit(db);
        result.total_pages = total_pages(result.total_items, page_size);
        if (page - 1 < result.total_pages) {
            result.items = store::list_audit(db, page_size, page_offset(page, page_size));
        }
        return result;
    });
}

}  // namespace umkm::service
