#include "store/goods_store.h"

#include <string>
#include <vector>

#include "store/statements.h"

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

const char* where_of(GoodsFilter filter) {
    switch (filter) {
        case GoodsFilter::on_sale:
            return "WHERE deleted = 0";
        case GoodsFilter::deleted:
            return "WHERE deleted = 1";
        case GoodsFilter::all:
            break;
    }
    return "";
}

// How many goods a filter selects, from the counts that the triggers of
// 003_goods_counts.sql keep: one row read, whatever the catalog's size.
const char* count_of(GoodsFilter filter) {
    switch (filter) {
        case GoodsFilter::on_sale:
            return "(SELECT total FROM goods_counts WHERE deleted = 0)";
        case GoodsFilter::deleted:
            return "(SELECT total FROM goods_counts WHERE deleted = 1)";
        case GoodsFilter::all:
            break;
    }
    return "(SELECT CAST(SUM(total) AS SIGNED) FROM goods_counts)";
}

// One statement per (filter, sort key, direction), built once from these
// whitelists. The id tie-breaker runs in the same direction so pages
// neither overlap nor skip, and each ORDER BY matches an index of
// 001_shop_core.sql. The count rides along as a sixth column (an
// uncorrelated subquery, run once per statement) so a page costs one
// round trip, not two.
const std::string& list_statement(GoodsFilter filter, GoodsSortKey key, bool ascending) {
    static const auto statements = [] {
        const char* const orders[4][2] = {
            {"id DESC", "id ASC"},
            {"name DESC, id DESC", "name ASC, id ASC"},
            {"stock DESC, id DESC", "stock ASC, id ASC"},
            {"price DESC, id DESC", "price ASC, id ASC"},
        };
        std::vector<std::string> all;
        for (GoodsFilter f : {GoodsFilter::on_sale, GoodsFilter::deleted, GoodsFilter::all}) {
            for (const auto& order : orders) {
                for (const char* direction : order) {
                    all.push_back(std::string("SELECT id, name, stock, price, deleted, ") +
                                  count_of(f) + " FROM goods " + where_of(f) + " ORDER BY " +
                                  direction + " LIMIT ? OFFSET ?");
                }
            }
        }
        return all;
    }();
    return statements[static_cast<std::size_t>(static_cast<int>(filter) * 8 +
                                               static_cast<int>(key) * 2 + (ascending ? 1 : 0))];
}

}  // namespace

std::int64_t count_goods(Database& db, GoodsFilter filter) {
    static const std::string statements[] = {
        std::string("SELECT ") + count_of(GoodsFilter::on_sale),
        std::string("SELECT ") + count_of(GoodsFilter::deleted),
        std::string("SELECT ") + count_of(GoodsFilter::all),
    };
    ResultSetPtr rs(prepare(db, statements[static_cast<int>(filter)].c_str()).executeQuery());
    rs->next();
    return rs->getInt64(1);
}

Page<Goods> list_goods(Database& db, GoodsFilter filter, GoodsSortKey key, bool ascending,
                       std::int64_t limit, std::int64_t offset) {
    sql::PreparedStatement& ps = prepare(db, list_statement(filter, key, ascending).c_str());
    ps.setInt64(1, limit);
    ps.setInt64(2, offset);
    ResultSetPtr rs(ps.executeQuery());
    Page<Goods> page;
    while (rs->next()) {
        page.items.push_back(goods_from(*rs));
        page.total_items = rs->getInt64(6);
    }
    // A page past the end has no row to carry the count.
    if (page.items.empty()) page.total_items = count_goods(db, filter);
    return page;
}

std::optional<Goods> find_goods_on_sale(Database& db, Id id) {
    return one_goods(
        prepare(db,
                "SELECT id, name, stock, price, deleted FROM goods WHERE id = ? AND deleted = 0"),
        id);
}

std::optional<Goods> find_goods(Database& db, Id id, bool lock) {
    return one_goods(
        lock ? prepare(db,
                       "SELECT id, name, stock, price, deleted FROM goods WHERE id = ? FOR UPDATE")
             : prepare(db, "SELECT id, name, stock, price, deleted FROM goods WHERE id = ?"),
        id);
}

std::optional<Goods> lock_goods(Database& db, Id id) {
    return find_goods(db, id, true);
}

bool take_stock(Database& db, Id id, std::int64_t quantity) {
    // The check and the take in one statement: it locks the goods row (in
    // the caller's lock order), and only goods on sale with enough stock
    // match, so no unit is ever sold twice or below zero.
    sql::PreparedStatement& ps = prepare(
        db, "UPDATE goods SET stock = stock - ? WHERE id = ? AND deleted = 0 AND stock >= ?");
    ps.setInt64(1, quantity);
    ps.setInt64(2, id);
    ps.setInt64(3, quantity);
    return ps.executeUpdate() == 1;
}

void add_stock(Database& db, Id id, std::int64_t quantity) {
    sql::PreparedStatement& ps = prepare(db, "UPDATE goods SET stock = stock + ? WHERE id = ?");
    ps.setInt64(1, quantity);
    ps.setInt64(2, id);
    ps.executeUpdate();
}

Id insert_goods(Database& db, const Goods& goods) {
    sql::PreparedStatement& ps =
        prepare(db, "INSERT INTO goods (name, stock, price, deleted) VALUES (?, ?, ?, ?)");
    ps.setString(1, goods.name);
    ps.setInt64(2, goods.stock);
    ps.setInt64(3, goods.price);
    ps.setInt(4, goods.deleted ? 1 : 0);
    ps.executeUpdate();
    ResultSetPtr rs(prepare(db, "SELECT LAST_INSERT_ID()").executeQuery());
    rs->next();
    return rs->getInt64(1);
}

void update_goods(Database& db, const Goods& goods) {
    sql::PreparedStatement& ps =
        prepare(db, "UPDATE goods SET name = ?, stock = ?, price = ?, deleted = ? WHERE id = ?");
    ps.setString(1, goods.name);
    ps.setInt64(2, goods.stock);
    ps.setInt64(3, goods.price);
    ps.setInt(4, goods.deleted ? 1 : 0);
    ps.setInt64(5, goods.id);
    ps.executeUpdate();
}

}  // namespace umkm::store
