// Listing goods (on sale for customers, any for the admin): the rule for paging.
#pragma once

#include <vector>

#include "domain/shop.h"
#include "store/database.h"
#include "store/goods_store.h"

namespace umkm::service {

struct StockQuery {
    std::int64_t page = 1;
    std::int64_t page_size = 20;
    GoodsSortKey sort_by = GoodsSortKey::id;
    bool ascending = false;
    store::GoodsFilter filter = store::GoodsFilter::on_sale;  // customers see goods on sale
};

struct StockPage {
    std::vector<Goods> goods;
    std::int64_t total_items = 0;
    std::int64_t total_pages = 0;
};

StockPage list_stocks(store::Database& db, const StockQuery& query);

}  // namespace umkm::service
