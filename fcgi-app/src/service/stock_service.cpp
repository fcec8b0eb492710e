#include "service/stock_service.h"

#include "store/goods_store.h"

namespace umkm::service {

StockPage list_stocks(store::Database& db, const StockQuery& query) {
    return db.read([&] {
        // page can be as large as 2^53 - 1: clamp the offset before
        // multiplying so it never overflows (a page that far is past the
        // end of any real catalog and comes back empty).
        constexpr std::int64_t max_offset = std::int64_t{1} << 40;
        std::int64_t offset = query.page - 1 > max_offset / query.page_size
                                  ? max_offset
                                  : (query.page - 1) * query.page_size;
        store::GoodsPage found =
            store::list_goods_on_sale(db, query.sort_by, query.ascending, query.page_size, offset);
        StockPage page;
        page.goods = std::move(found.goods);
        page.total_items = found.total_items;
        page.total_pages = (page.total_items + query.page_size - 1) / query.page_size;
        return page;
    });
}

}  // namespace umkm::service
