// Listing goods, the customers' catalog (goods on sale) and the owner's
// (hidden goods too): which goods each reads, and the rule for paging.
#pragma once

#include <optional>

#include "domain/page.h"
#include "domain/shop.h"
#include "store/database.h"

namespace umkm::service {

struct StockQuery {
    std::int64_t page = 1;
    std::int64_t page_size = 20;
    GoodsSortKey sort_by = GoodsSortKey::id;
    bool ascending = false;
};

// The catalog customers see: goods on sale only.
Page<Goods> list_stocks(store::Database& db, const StockQuery& query);
// The owner's list: with `deleted` true only hidden goods, false only goods
// on sale, nothing every goods.
Page<Goods> list_goods(store::Database& db, const StockQuery& query, std::optional<bool> deleted);

}  // namespace umkm::service
