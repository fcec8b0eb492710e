#include "store/cart_store.h"

#include "store/statements.h"

namespace umkm::store {

Id create_cart(Database& db, Id user_id) {
    sql::PreparedStatement& ps = prepare(db, "INSERT INTO carts (user_id) VALUES (?)");
    ps.setInt64(1, user_id);
    ps.executeUpdate();
    ResultSetPtr rs(prepare(db, "SELECT LAST_INSERT_ID()").executeQuery());
    rs->next();
    return rs->getInt64(1);
}

std::optional<Cart> lock_cart(Database& db, Id cart_id) {
    sql::PreparedStatement& ps =
        prepare(db, "SELECT id, user_id, status FROM carts WHERE id = ? FOR UPDATE");
    ps.setInt64(1, cart_id);
    ResultSetPtr rs(ps.executeQuery());
    if (!rs->next()) return std::nullopt;
    Cart c;
    c.id = rs->getInt64(1);
    c.user_id = rs->getInt64(2);
    c.status = rs->getString(3) == "PAID" ? CartStatus::paid : CartStatus::open;
    return c;
}

std::int64_t quantity_in_cart(Database& db, Id cart_id, Id goods_id) {
    sql::PreparedStatement& ps = prepare(
        db, "SELECT COALESCE(SUM(quantity), 0) FROM cart_items WHERE cart_id = ? AND goods_id = ?");
    ps.setInt64(1, cart_id);
    ps.setInt64(2, goods_id);
    ResultSetPtr rs(ps.executeQuery());
    rs->next();
    return rs->getInt64(1);
}

void add_cart_line(Database& db, Id cart_id, Id goods_id, money::Rupiah price,
                   std::int64_t quantity) {
    sql::PreparedStatement& ps =
        prepare(db,
                "INSERT INTO cart_items (cart_id, goods_id, price, quantity) VALUES (?, ?, ?, ?) "
                "ON DUPLICATE KEY UPDATE quantity = quantity + VALUES(quantity)");
    ps.setInt64(1, cart_id);
    ps.setInt64(2, goods_id);
    ps.setInt64(3, price);
    ps.setInt64(4, quantity);
    ps.executeUpdate();
}

std::vector<CartLine> cart_lines(Database& db, Id cart_id) {
    sql::PreparedStatement& ps =
        prepare(db,
                "SELECT goods_id, price, quantity FROM cart_items WHERE cart_id = ? "
                "ORDER BY goods_id, price");
    ps.setInt64(1, cart_id);
    ResultSetPtr rs(ps.executeQuery());
    std::vector<CartLine> lines;
    while (rs->next()) lines.push_back({rs->getInt64(1), rs->getInt64(2), rs->getInt64(3)});
    return lines;
}

void mark_cart_paid(Database& db, Id cart_id) {
    sql::PreparedStatement& ps = prepare(db, "UPDATE carts SET status = 'PAID' WHERE id = ?");
    ps.setInt64(1, cart_id);
    ps.executeUpdate();
}

}  // namespace umkm::store
