#include "store/transaction_store.h"

namespace umkm::store {

std::optional<Transaction> find_transaction_by_cart(Database& db, Id cart_id) {
    sql::PreparedStatement& ps = db.prepare(
        "SELECT id, cart_id, user_id, status, total_amount, payment_amount, return_amount "
        "FROM transactions WHERE cart_id = ?");
    ps.setInt64(1, cart_id);
    ResultSetPtr rs(ps.executeQuery());
    if (!rs->next()) return std::nullopt;
    Transaction t;
    t.id = rs->getString(1).asStdString();
    t.cart_id = rs->getInt64(2);
    t.user_id = rs->getInt64(3);
    t.status = rs->getString(4).asStdString();
    t.receipt = {t.id, rs->getInt64(5), rs->getInt64(6), rs->getInt64(7)};
    return t;
}

void insert_transaction(Database& db, const Transaction& t) {
    sql::PreparedStatement& ps = db.prepare(
        "INSERT INTO transactions (id, cart_id, user_id, status, total_amount, payment_amount, "
        "return_amount, paid_at) VALUES (?, ?, ?, 'PAID', ?, ?, ?, UTC_TIMESTAMP(6))");
    ps.setString(1, t.id);
    ps.setInt64(2, t.cart_id);
    ps.setInt64(3, t.user_id);
    ps.setInt64(4, t.receipt.total_amount);
    ps.setInt64(5, t.receipt.payment_amount);
    ps.setInt64(6, t.receipt.return_amount);
    ps.executeUpdate();
}

}  // namespace umkm::store
