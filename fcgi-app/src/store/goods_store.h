// SQL for goods, and nothing else. Every statement is prepared; the only
// text spliced into SQL is a WHERE and an ORDER BY chosen from fixed
// whitelists.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/page.h"
#include "domain/shop.h"
#include "store/database.h"

namespace umkm::store {

// Which goods a listing reads (the services choose: stock_service.h).
enum class GoodsFilter { on_sale, deleted, all };

std::int64_t count_goods(Database& db, GoodsFilter filter);
// One page's goods and total_items (the goods matching the filter, all
// pages); total_pages is left to the caller, which knows the paging rule.
Page<Goods> list_goods(Database& db, GoodsFilter filter, GoodsSortKey key, bool ascending,
                       std::int64_t limit, std::int64_t offset);
// Goods a customer can see (not deleted), read without a lock.
std::optional<Goods> find_goods_on_sale(Database& db, Id id);
// Any goods, deleted too; `lock` takes the row FOR UPDATE.
std::optional<Goods> find_goods(Database& db, Id id, bool lock);
// Locks the row until the transaction ends (deleted goods included).
std::optional<Goods> lock_goods(Database& db, Id id);
// Takes `quantity` units of goods on sale; false (nothing taken) when the
// goods is hidden or has fewer units.
bool take_stock(Database& db, Id id, std::int64_t quantity);
// Puts `quantity` back (a rejected transaction, a restock).
void add_stock(Database& db, Id id, std::int64_t quantity);
Id insert_goods(Database& db, const Goods& goods);
// Writes name, price, stock and deleted of goods.id.
void update_goods(Database& db, const Goods& goods);

}  // namespace umkm::store
