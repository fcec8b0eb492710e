#include "service/stock_service.h"

#include "store/goods_store.h"

namespace umkm::service {

StockPage list_stocks(store::Database& db, const StockQuery& query) {
    return db.read([&] {
        StockPage page;
        page.total_items = store::count_goods_on_sale(db);
        page.total_pages = (page.total_items + query.page_size - 1) / query.page_size;
        // page can be as large as 2^53 - 1: compare before multiplying so the
        // offset never overflows, and skip the query for pages past the end.
        if (query.page - 1 < page.total_pages) {
            std::int64_t offset = (query.page - 1) * query.page_size;
            page.goods = store::list_goods_on_sale(db, query.sort_by, query.ascending,
                                                   query.page_size, offset);
        }
        return page;
    });
}

}  // namespace umkm::service
