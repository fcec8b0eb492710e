#include "service/admin_goods_service.h"

#include "json_io/shop_json.h"
#include "store/audit_store.h"
#include "store/goods_store.h"

namespace umkm::service {
namespace {

Goods locked_goods(store::Database& db, Id id) {
    auto goods = store::find_goods(db, id, true);
    if (!goods)
        throw ShopError(ErrorKind::not_found, "id", "goods " + std::to_string(id) + " not found");
    return *goods;
}

void audit(store::Database& db, const std::string& actor, const char* action, const Goods& goods,
           const std::optional<Goods>& before) {
    AuditEntry entry;
    entry.actor = actor;
    entry.action = action;
    entry.target = "goods/" + std::to_string(goods.id);
    if (before) entry.before = json::admin_goods(*before);
    entry.after = json::admin_goods(goods);
    store::insert_audit(db, entry);
}

void apply(Goods& goods, const GoodsChange& change) {
    if (change.name) goods.name = *change.name;
    if (change.price) goods.price = *change.price;
    if (change.stock) goods.stock = *change.stock;
    if (change.deleted) goods.deleted = *change.deleted;
}

}  // namespace

Goods create_goods(store::Database& db, const std::string& actor, const GoodsChange& fields) {
    return db.transaction([&] {
        Goods goods;
        apply(goods, fields);
        goods.id = store::insert_goods(db, goods);
        audit(db, actor, "goods.create", goods, std::nullopt);
        return goods;
    });
}

Goods get_goods(store::Database& db, Id id) {
    return db.read([&] {
        auto goods = store::find_goods(db, id, false);
        if (!goods) {
            throw ShopError(ErrorKind::not_found, "id",
                            "goods " + std::to_string(id) + " not found");
        }
        return *goods;
    });
}

Goods change_goods(store::Database& db, const std::string& actor, Id id, const GoodsChange& change,
                   const char* action) {
    return db.transaction([&] {
        // A price change applies to what is added from now on: cart lines
        // keep the price they were added at, and pay charges those.
        const Goods before = locked_goods(db, id);
        Goods after = before;
        apply(after, change);
        store::update_goods(db, after);
        audit(db, actor, action, after, before);
        return after;
    });
}

Goods delete_goods(store::Database& db, const std::string& actor, Id id) {
    GoodsChange hide;
    hide.deleted = true;
    return change_goods(db, actor, id, hide, "goods.delete");
}

Goods change_stock(store::Database& db, const std::string& actor, Id id, StockAction action,
                   std::int64_t quantity) {
    return db.transaction([&] {
        const Goods before = locked_goods(db, id);
        Goods after = before;
        if (action == StockAction::decrease) {
            if (quantity > before.stock) {
                throw ShopError(ErrorKind::out_of_stock, "total",
                                "only " + std::to_string(before.stock) + " in stock");
            }
            after.stock -= quantity;
        } else {
            if (quantity > money::max_json_integer - before.stock) {
                throw ShopError(ErrorKind::bad_request, "total",
                                "stock would exceed " + std::to_string(money::max_json_integer));
            }
            after.stock += quantity;
        }
        store::add_stock(db, id, after.stock - before.stock);
        audit(db, actor, "goods.stock", after, before);
        return after;
    });
}

}  // namespace umkm::service
