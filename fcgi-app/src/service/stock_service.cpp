#include "service/stock_service.h"

#include "service/paging.h"
#include "store/goods_store.h"

namespace umkm::service {
namespace {

Page<Goods> page_of(store::Database& db, store::GoodsFilter filter, const StockQuery& query) {
    return db.read([&] {
        Page<Goods> page =
            store::list_goods(db, filter, query.sort_by, query.ascending, query.page_size,
                              page_offset(query.page, query.page_size));
        page.total_pages = total_pages(page.total_items, query.page_size);
        return page;
    });
}

}  // namespace

Page<Goods> list_stocks(store::Database& db, const StockQuery& query) {
    return page_of(db, store::GoodsFilter::on_sale, query);
}

Page<Goods> list_goods(store::Database& db, const StockQuery& query, std::optional<bool> deleted) {
    const store::GoodsFilter filter = !deleted   ? store::GoodsFilter::all
                                      : *deleted ? store::GoodsFilter::deleted
                                                 : store::GoodsFilter::on_sale;
    return page_of(db, filter, query);
}

}  // namespace umkm::service
