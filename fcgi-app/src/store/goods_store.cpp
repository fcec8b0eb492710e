#include "store/goods_store.h"

namespace umkm::store {
namespace {

Goods goods_from(sql::ResultSet& rs) {
    Goods g;
    g.id = rs.getInt64(1);
    g.name = rs.getString(2).asStdString();
    g.stock = rs.getInt64(3);
    g.price = rs.getInt64(4);
    g.deleted = rs.getInt(5) != 0;
    return g;
}

std::optional<Goods> one_goods(sql::PreparedStatement& ps, Id id) {
    ps.setInt64(1, id);
    ResultSetPtr rs(ps.executeQuery());
    if (!rs->next()) return std::nullopt;
    return goods_from(*rs);
}

// One statement per (sort key, direction): the whitelist is this table.
// The id tie-breaker runs in the same direction so pages neither overlap
// nor skip, and each ORDER BY matches an index of 001_shop_core.sql.
const char* list_statement(GoodsSortKey key, bool ascending) {
// The count rides along as a sixth column (an uncorrelated subquery, run
// once per statement) so a page costs one round trip, not two.
#define UMKM_LIST(order)                                                                      \
    "SELECT id, name, stock, price, deleted, (SELECT COUNT(*) FROM goods WHERE deleted = 0) " \
    "FROM goods WHERE deleted = 0 ORDER BY " order " LIMIT ? OFFSET ?"
    static const char* const statements[4][2] = {
        {UMKM_LIST("id DESC"), UMKM_LIST("id ASC")},
        {UMKM_LIST("name DESC, id DESC"), UMKM_LIST("name ASC, id ASC")},
        {UMKM_LIST("stock DESC, id DESC"), UMKM_LIST("stock ASC, id ASC")},
        {UMKM_LIST("price DESC, id DESC"), UMKM_LIST("price ASC, id ASC")},
    };
#undef UMKM_LIST
    return statements[static_cast<int>(key)][ascending ? 1 : 0];
}

}  // namespace

std::int64_t count_goods_on_sale(Database& db) {
    ResultSetPtr rs(db.prepare("SELECT COUNT(*) FROM goods WHERE deleted = 0").executeQuery());
    rs->next();
    return rs->getInt64(1);
}

GoodsPage list_goods_on_sale(Database& db, GoodsSortKey key, bool ascending, std::int64_t limit,
                             std::int64_t offset) {
    sql::PreparedStatement& ps = db.prepare(list_statement(key, ascending));
    ps.setInt64(1, limit);
    ps.setInt64(2, offset);
    ResultSetPtr rs(ps.executeQuery());
    GoodsPage page;
    while (rs->next()) {
        page.goods.push_back(goods_from(*rs));
        page.total_items = rs->getInt64(6);
    }
    // A page past the end has no row to carry the count.
    if (page.goods.empty()) page.total_items = count_goods_on_sale(db);
    return page;
}

std::optional<Goods> find_goods_on_sale(Database& db, Id id) {
    return one_goods(
        db.prepare(
            "SELECT id, name, stock, price, deleted FROM goods WHERE id = ? AND deleted = 0"),
        id);
}

std::optional<Goods> lock_goods(Database& db, Id id) {
    return one_goods(
        db.prepare("SELECT id, name, stock, price, deleted FROM goods WHERE id = ? FOR UPDATE"),
        id);
}

bool take_stock(Database& db, Id id, std::int64_t quantity) {
    // The stock >= ? guard repeats the caller's check inside the statement:
    // even a wrong caller cannot sell a unit twice.
    sql::PreparedStatement& ps =
        db.prepare("UPDATE goods SET stock = stock - ? WHERE id = ? AND stock >= ?");
    ps.setInt64(1, quantity);
    ps.setInt64(2, id);
    ps.setInt64(3, quantity);
    return ps.executeUpdate() == 1;
}

}  // namespace umkm::store
