#include "ledger.h"

#include <boost/test/unit_test.hpp>
#include <sstream>

#include "stack_fixture.h"

namespace umkm::test {

namespace {

std::string id_list(const std::vector<long long>& ids) {
    std::ostringstream out;
    for (size_t i = 0; i < ids.size(); ++i) out << (i ? "," : "") << ids[i];
    return out.str();
}

// Runs a query with one row per key and the value in the second column.
std::map<std::string, std::string> rows_by_key(const SqlRows& sql, const std::string& query) {
    std::map<std::string, std::string> result;
    for (const auto& row : sql(query))
        if (row.size() >= 2) result[row[0]] = row[1];
    return result;
}

// A query's single number.
long long number(const SqlRows& sql, const std::string& query) {
    const auto rows = sql(query);
    if (rows.empty() || rows.back().empty()) throw std::runtime_error("no result: " + query);
    return std::stoll(rows.back().front());
}

SqlRows the_stack() {
    return [](const std::string& query) { return stack().sql_rows(query); };
}

}  // namespace

StockBefore stock_of(const std::vector<StormGoods>& goods) {
    return stock_of(goods, the_stack());
}

void check_the_books(const StockBefore& before, const std::vector<AcknowledgedAdd>& adds,
                     const std::vector<AcknowledgedPay>& pays) {
    check_the_books(before, adds, pays, the_stack());
}

StockBefore stock_of(const std::vector<StormGoods>& goods, const SqlRows& sql) {
    std::vector<long long> ids;
    for (const auto& g : goods) ids.push_back(g.id);
    StockBefore stock;
    for (const auto& [id, value] :
         rows_by_key(sql, "SELECT id, stock FROM goods WHERE id IN (" + id_list(ids) + ")"))
        stock[std::stoll(id)] = std::stoll(value);
    return stock;
}

void check_the_books(const StockBefore& before, const std::vector<AcknowledgedAdd>& adds,
                     const std::vector<AcknowledgedPay>& pays, const SqlRows& sql) {
    // Acknowledged adds: cart id + goods -> quantity in the database.
    const auto lines = rows_by_key(
        sql,
        "SELECT CONCAT(ci.cart_id, '/', ci.goods_id), SUM(ci.quantity) FROM cart_items ci "
        "JOIN carts c ON c.id = ci.cart_id WHERE c.user_id >= 900000 "
        "GROUP BY ci.cart_id, ci.goods_id");
    long missing_adds = 0;
    for (const auto& a : adds) {
        const auto found = lines.find(std::to_string(a.cart_id) + "/" + std::to_string(a.goods_id));
        if (found == lines.end() || std::stoll(found->second) != a.quantity) {
            if (++missing_adds <= 3)
                BOOST_ERROR("acknowledged add lost: cart " << a.cart_id << ", goods " << a.goods_id
                                                           << " x" << a.quantity);
        }
    }
    BOOST_TEST(missing_adds == 0,
               missing_adds << " of " << adds.size() << " acknowledged adds lost");

    // Acknowledged payments: transaction id -> total in the database.
    const auto totals = rows_by_key(sql, "SELECT id, total_amount FROM transactions");
    long missing_pays = 0;
    for (const auto& p : pays) {
        const auto found = totals.find(p.transaction_id);
        if (found == totals.end() || std::stoll(found->second) != p.total_amount) {
            if (++missing_pays <= 3)
                BOOST_ERROR("acknowledged payment lost or changed: "
                            << p.transaction_id << " (cart " << p.cart_id << ", total "
                            << p.total_amount << ")");
        }
    }
    BOOST_TEST(missing_pays == 0,
               missing_pays << " of " << pays.size() << " acknowledged payments lost");

    BOOST_TEST(number(sql, "SELECT COUNT(*) FROM goods WHERE stock < 0") == 0,
               "some goods have negative stock");

    // Units sold = lines of carts with a transaction that was not rejected
    // (a rejection puts the stock back).
    std::vector<long long> ids;
    for (const auto& [id, stock] : before) ids.push_back(id);
    const auto sold =
        rows_by_key(sql,
                    "SELECT ci.goods_id, SUM(ci.quantity) FROM cart_items ci "
                    "JOIN transactions t ON t.cart_id = ci.cart_id AND t.status <> 'REJECTED' "
                    "WHERE ci.goods_id IN (" +
                        id_list(ids) + ") GROUP BY ci.goods_id");
    const auto now =
        rows_by_key(sql, "SELECT id, stock FROM goods WHERE id IN (" + id_list(ids) + ")");
    for (const auto& [id, stock_before] : before) {
        const auto s = sold.find(std::to_string(id));
        const long long units_sold = s == sold.end() ? 0 : std::stoll(s->second);
        const long long stock_now = std::stoll(now.at(std::to_string(id)));
        BOOST_TEST(stock_now + units_sold == stock_before,
                   "goods " << id << ": stock " << stock_now << " + sold " << units_sold
                            << " != stock before " << stock_before);
    }

    BOOST_TEST(number(sql,
                      "SELECT COUNT(*) FROM transactions t WHERE t.total_amount <> "
                      "(SELECT COALESCE(SUM(ci.price * ci.quantity), -1) "
                      "FROM cart_items ci WHERE ci.cart_id = t.cart_id)") == 0,
               "a transaction's total is not the sum of its lines");
    BOOST_TEST(number(sql,
                      "SELECT COUNT(*) FROM carts c LEFT JOIN transactions t "
                      "ON t.cart_id = c.id WHERE (c.status = 'PAID') <> "
                      "(t.id IS NOT NULL)") == 0,
               "a cart's PAID mark disagrees with its transaction");
}

}  // namespace umkm::test
