// SQL for goods, and nothing else. Every statement is prepared; the only
// text spliced into SQL is an ORDER BY chosen from a fixed whitelist.
#pragma once

#include <optional>
#include <vector>

#include "domain/shop.h"
#include "store/database.h"

namespace umkm::store {

std::int64_t count_goods_on_sale(Database& db);
struct GoodsPage {
    std::vector<Goods> goods;
    std::int64_t total_items = 0;  // goods on sale, all pages
};
GoodsPage list_goods_on_sale(Database& db, GoodsSortKey key, bool ascending, std::int64_t limit,
                             std::int64_t offset);
// Goods a customer can see (not deleted), read without a lock.
std::optional<Goods> find_goods_on_sale(Database& db, Id id);
// Locks the row until the transaction ends (deleted goods included).
std::optional<Goods> lock_goods(Database& db, Id id);
// Takes `quantity` from the stock; false when the stock is short.
bool take_stock(Database& db, Id id, std::int64_t quantity);

}  // namespace umkm::store
