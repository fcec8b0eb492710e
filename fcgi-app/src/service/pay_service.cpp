#include "service/pay_service.h"

#include <map>

#include "service/transaction_service.h"
#include "store/cart_store.h"
#include "store/goods_store.h"
#include "store/transaction_store.h"
#include "util/uuid.h"

namespace umkm::service {

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
        auto lines = store::cart_lines(db, cart_id);
        if (lines.empty()) throw ShopError(ErrorKind::cart_empty, "cart_id", "cart has no items");

        std::vector<money::Line> amounts;
        std::map<Id, std::int64_t> units_by_goods;  // ordered: the lock order
        for (const CartLine& line : lines) {
            amounts.push_back({line.price, line.quantity});
            units_by_goods[line.goods_id] += line.quantity;
        }
        auto total = money::total_of(amounts);
        if (!total) throw ShopError(ErrorKind::internal, "", "cart total out of range");
        if (payment_amount < *total) {
            throw ShopError(ErrorKind::insufficient_payment, "payment_amount",
                            "payment_amount " + std::to_string(payment_amount) +
                                " is less than total_amount " + std::to_string(*total));
        }

        for (const auto& [goods_id, units] : units_by_goods) {
            auto goods = store::lock_goods(db, goods_id);
            if (!goods || goods->deleted || goods->stock < units) {
                std::string name = goods ? goods->name : "goods";
                std::int64_t left = goods && !goods->deleted ? goods->stock : 0;
                throw ShopError(ErrorKind::out_of_stock, "goods_id",
                                "goods " + std::to_string(goods_id) + " (" + name + "): only " +
                                    std::to_string(left) + " left, cart holds " +
                                    std::to_string(units));
            }
        }
        for (const auto& [goods_id, units] : units_by_goods) {
            if (!store::take_stock(db, goods_id, units)) {
                throw ShopError(ErrorKind::internal, "", "stock changed under a row lock");
            }
        }

        Transaction t;
        t.id = util::uuid_v4();
        t.cart_id = cart_id;
        t.user_id = cart->user_id;
        t.receipt = {t.id, *total, payment_amount, money::change_of(payment_amount, *total)};
        store::insert_transaction(db, t);
        store::mark_cart_paid(db, cart_id);
        // The customer's PAID event commits with the payment (outbox).
        record_status_event(db, t.id);
        return t.receipt;
    });
}

}  // namespace umkm::service
