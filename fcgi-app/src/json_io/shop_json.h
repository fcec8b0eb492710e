// The shop's nouns as the API shows them (API.md): one place for each shape,
// shared by the handlers and by the events the outbox publishes.
#pragma once

#include <string>

#include "domain/shop.h"

namespace umkm::json {

// {"id","name","stock","price"}: goods on sale, as customers see them.
std::string goods_for_sale(const Goods& goods);
// {"id","name","price","stock","deleted"}: goods as the admin sees them.
std::string admin_goods(const Goods& goods);
// The transaction view of section 4.
std::string transaction_view(const TransactionView& view);
// {"id","actor","action","target","before","after","at"}
std::string audit_entry(const AuditEntry& entry);
// {"page","total_goods","total_items","total_pages"}
std::string page_meta(std::int64_t page, std::int64_t page_size, std::int64_t total_items,
                      std::int64_t total_pages);

}  // namespace umkm::json
