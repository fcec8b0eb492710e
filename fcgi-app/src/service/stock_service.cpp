#include "service/stock_service.h"

#include "service/paging.h"

namespace umkm::service {

StockPage list_stocks(store::Database& db, const StockQuery& query) {
    return db.read([&] {
        store::GoodsPage found =
            store::list_goods(db, query.filter, query.sort_by, query.ascending, query.page_size,
                              page_offset(query.page, query.page_size));
        StockPage page;
        page.goods = std::move(found.goods);
        page.total_items = found.total_items;
        page.total_pages = total_pages(page.total_items, query.page_size);
        return page;
    });
}

}  // namespace umkm::service
