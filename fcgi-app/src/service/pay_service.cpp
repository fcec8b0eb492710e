#include "service/pay_service.h"

#include <chrono>
#include <ctime>
#include <map>

#include "json_io/shop_json.h"
#include "store/cart_store.h"
#include "store/event_store.h"
#include "store/goods_store.h"
#include "store/transaction_store.h"
#include "util/uuid.h"

namespace umkm::service {
namespace {

// Now in UTC, as the database stores it (microseconds) and as the API shows
// it (RFC 3339, whole seconds, as the views' DATE_FORMAT gives it).
struct PaidAt {
    std::string stored;
    std::string shown;
};

PaidAt paid_now() {
    const auto now = std::chrono::system_clock::now();
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() %
        1000000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char date[32], stored[48], shown[32];
    std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &utc);
    std::snprintf(stored, sizeof stored, "%s.%06lld", date, static_cast<long long>(micros));
    std::strftime(shown, sizeof shown, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return {stored, shown};
}

}  // namespace

Receipt pay(store::Database& db, Id cart_id, money::Rupiah payment_amount) {
    return db.transaction([&] {
        // Lock order: cart, then goods by ascending id. The cart lock makes
        // concurrent pays of one cart queue up, so the second one sees PAID.
        auto cart = store::lock_cart(db, cart_id);
        if (!cart) {
            throw ShopError(ErrorKind::not_found, "cart_id",
                            "cart " + std::to_string(cart_id) + " not found");
        }
        if (cart->status == CartStatus::paid) {
            // A client retrying after a timeout gets the original answer and
            // pays nothing twice; another amount is a different request.
            auto paid = store::find_transaction_by_cart(db, cart_id);
            if (paid && paid->receipt.payment_amount == payment_amount) return paid->receipt;
            throw ShopError(ErrorKind::cart_closed, "cart_id",
                            "cart is already paid with a different payment_amount");
        }
        // The lines with their goods' names: the customer's PAID event is
        // built from what this transaction already read, not read back.
        auto items = store::cart_items_named(db, cart_id);
        if (items.empty()) throw ShopError(ErrorKind::cart_empty, "cart_id", "cart has no items");

        std::vector<money::Line> amounts;
        std::map<Id, std::int64_t> units_by_goods;  // ordered: the lock order
        for (const TransactionItem& item : items) {
            amounts.push_back({item.price, item.quantity});
            units_by_goods[item.goods_id] += item.quantity;
        }
        auto total = money::total_of(amounts);
        if (!total) throw ShopError(ErrorKind::internal, "", "cart total out of range");
        if (payment_amount < *total) {
            throw ShopError(ErrorKind::insufficient_payment, "payment_amount",
                            "payment_amount " + std::to_string(payment_amount) +
                                " is less than total_amount " + std::to_string(*total));
        }

        // Goods by ascending id, each checked and taken in one statement
        // that locks its row. The first that cannot give its units rolls
        // the whole payment back (units taken before it included).
        for (const auto& [goods_id, units] : units_by_goods) {
            if (store::take_stock(db, goods_id, units)) continue;
            // Locked now: a restock committed just after the take's read
            // may have made room; then take again rather than refuse.
            auto goods = store::lock_goods(db, goods_id);
            if (goods && !goods->deleted && goods->stock >= units &&
                store::take_stock(db, goods_id, units))
                continue;
            std::string name = goods ? goods->name : "goods";
            std::int64_t left = goods && !goods->deleted ? goods->stock : 0;
            throw ShopError(ErrorKind::out_of_stock, "goods_id",
                            "goods " + std::to_string(goods_id) + " (" + name + "): only " +
                                std::to_string(left) + " left, cart holds " +
                                std::to_string(units));
        }

        Transaction t;
        t.id = util::uuid_v4();
        t.cart_id = cart_id;
        t.user_id = cart->user_id;
        t.receipt = {t.id, *total, payment_amount, money::change_of(payment_amount, *total)};
        t.status = TransactionStatus::paid;
        const PaidAt paid_at = paid_now();
        store::insert_transaction(db, t, paid_at.stored);
        store::mark_cart_paid(db, cart_id);
        // The customer's PAID event commits with the payment (outbox).
        TransactionView view;
        view.transaction = t;
        view.items = std::move(items);
        view.paid_at = paid_at.shown;
        store::insert_transaction_event(db, t.id, t.status, json::transaction_view(view));
        return t.receipt;
    });
}

}  // namespace umkm::service
