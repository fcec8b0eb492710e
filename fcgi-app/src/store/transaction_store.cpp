#include "store/transaction_store.h"

#include <stdexcept>

#include "store/statements.h"

namespace umkm::store {
namespace {

TransactionStatus status_from(const std::string& text) {
    auto status = transaction_status_named(text);
    // The schema allows only the three; anything else is a bug, a 500.
    if (!status) throw std::runtime_error("transaction status '" + text + "' is unknown");
    return *status;
}

}  // namespace

std::optional<Transaction> find_transaction_by_cart(Database& db, Id cart_id) {
    sql::PreparedStatement& ps =
        prepare(db,
                "SELECT id, cart_id, user_id, status, total_amount, payment_amount, return_amount "
                "FROM transactions WHERE cart_id = ?");
    ps.setInt64(1, cart_id);
    ResultSetPtr rs(ps.executeQuery());
    if (!rs->next()) return std::nullopt;
    Transaction t;
    t.id = rs->getString(1).asStdString();
    t.cart_id = rs->getInt64(2);
    t.user_id = rs->getInt64(3);
    t.status = status_from(rs->getString(4).asStdString());
    t.receipt = {t.id, rs->getInt64(5), rs->getInt64(6), rs->getInt64(7)};
    return t;
}

void insert_transaction(Database& db, const Transaction& t, const std::string& paid_at) {
    sql::PreparedStatement& ps = prepare(
        db,
        "INSERT INTO transactions (id, cart_id, user_id, status, total_amount, payment_amount, "
        "return_amount, paid_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    ps.setString(1, t.id);
    ps.setInt64(2, t.cart_id);
    ps.setInt64(3, t.user_id);
    ps.setString(4, status_name(t.status));
    ps.setInt64(5, t.receipt.total_amount);
    ps.setInt64(6, t.receipt.payment_amount);
    ps.setInt64(7, t.receipt.return_amount);
    ps.setString(8, paid_at);
    ps.executeUpdate();
}

std::vector<TransactionItem> cart_items_named(Database& db, Id cart_id) {
    sql::PreparedStatement& ps = prepare(
        db,
        "SELECT ci.goods_id, g.name, ci.price, ci.quantity FROM cart_items ci "
        "JOIN goods g ON g.id = ci.goods_id WHERE ci.cart_id = ? ORDER BY ci.goods_id, ci.price");
    ps.setInt64(1, cart_id);
    ResultSetPtr rs(ps.executeQuery());
    std::vector<TransactionItem> items;
    while (rs->next()) {
        items.push_back(
            {rs->getInt64(1), rs->getString(2).asStdString(), rs->getInt64(3), rs->getInt64(4)});
    }
    return items;
}

namespace {

const char* const view_columns =
    "SELECT id, cart_id, user_id, status, total_amount, payment_amount, "
    "return_amount, " UMKM_RFC3339("paid_at") ", " UMKM_RFC3339(
        "verified_at") ", note FROM transactions ";

TransactionView view_from(sql::ResultSet& rs) {
    TransactionView v;
    Transaction& t = v.transaction;
    t.id = rs.getString(1).asStdString();
    t.cart_id = rs.getInt64(2);
    t.user_id = rs.getInt64(3);
    t.status = status_from(rs.getString(4).asStdString());
    t.receipt = {t.id, rs.getInt64(5), rs.getInt64(6), rs.getInt64(7)};
    v.paid_at = rs.getString(8).asStdString();
    if (!rs.isNull(9)) v.verified_at = rs.getString(9).asStdString();
    if (!rs.isNull(10)) v.note = rs.getString(10).asStdString();
    return v;
}

void load_items(Database& db, TransactionView& v) {
    v.items = cart_items_named(db, v.transaction.cart_id);
}

}  // namespace

std::optional<TransactionView> load_transaction_view(Database& db, const std::string& id,
                                                     bool lock) {
    static const std::string plain = std::string(view_columns) + "WHERE id = ?";
    static const std::string locked = plain + " FOR UPDATE";
    sql::PreparedStatement& ps = prepare(db, lock ? locked.c_str() : plain.c_str());
    ps.setString(1, id);
    ResultSetPtr rs(ps.executeQuery());
    if (!rs->next()) return std::nullopt;
    TransactionView v = view_from(*rs);
    load_items(db, v);
    return v;
}

std::vector<TransactionView> list_transaction_views(Database& db,
                                                    std::optional<TransactionStatus> status,
                                                    std::int64_t limit, std::int64_t offset) {
    // Newest first; id breaks ties so pages neither overlap nor skip.
    static const std::string all =
        std::string(view_columns) + "ORDER BY paid_at DESC, id DESC LIMIT ? OFFSET ?";
    static const std::string by_status = std::string(view_columns) +
                                         "WHERE status = ? ORDER BY paid_at DESC, id DESC "
                                         "LIMIT ? OFFSET ?";
    sql::PreparedStatement& ps = prepare(db, status ? by_status.c_str() : all.c_str());
    int i = 1;
    if (status) ps.setString(i++, status_name(*status));
    ps.setInt64(i++, limit);
    ps.setInt64(i, offset);
    ResultSetPtr rs(ps.executeQuery());
    std::vector<TransactionView> views;
    while (rs->next()) views.push_back(view_from(*rs));
    for (TransactionView& v : views) load_items(db, v);
    return views;
}

std::int64_t count_transactions(Database& db, std::optional<TransactionStatus> status) {
    sql::PreparedStatement& ps =
        status ? prepare(db, "SELECT COUNT(*) FROM transactions WHERE status = ?")
               : prepare(db, "SELECT COUNT(*) FROM transactions");
    if (status) ps.setString(1, status_name(*status));
    ResultSetPtr rs(ps.executeQuery());
    rs->next();
    return rs->getInt64(1);
}

void decide_transaction(Database& db, const std::string& id, TransactionStatus status,
                        const std::optional<std::string>& note) {
    sql::PreparedStatement& ps =
        prepare(db,
                "UPDATE transactions SET status = ?, verified_at = UTC_TIMESTAMP(6), note = ? "
                "WHERE id = ?");
    ps.setString(1, status_name(status));
    set_optional_string(ps, 2, note);
    ps.setString(3, id);
    ps.executeUpdate();
}

bool transaction_exists(Database& db, const std::string& id) {
    sql::PreparedStatement& ps = prepare(db, "SELECT 1 FROM transactions WHERE id = ?");
    ps.setString(1, id);
    ResultSetPtr rs(ps.executeQuery());
    return rs->next();
}

}  // namespace umkm::store
