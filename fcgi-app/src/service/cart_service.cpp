#include "service/cart_service.h"

#include "store/cart_store.h"
#include "store/goods_store.h"

namespace umkm::service {

CartSummary add_to_cart(store::Database& db, const AddToCart& request) {
    return db.transaction([&] {
        // Lock order: the cart first (so two adds to one cart serialise),
        // goods after; pay takes them in the same order.
        if (request.cart_id) {
            auto cart = store::lock_cart(db, *request.cart_id);
            // Someone else's cart answers exactly like a missing one, so cart
            // ids can't be probed.
            if (!cart || cart->user_id != request.user_id) {
                throw ShopError(ErrorKind::not_found, "cart_id",
                                "cart " + std::to_string(*request.cart_id) + " not found");
            }
            if (cart->status != CartStatus::open) {
                throw ShopError(ErrorKind::cart_closed, "cart_id", "cart is already paid");
            }
        }
        auto goods = store::find_goods_on_sale(db, request.goods_id);
        if (!goods) {
            throw ShopError(ErrorKind::not_found, "goods_id",
                            "goods " + std::to_string(request.goods_id) + " not found");
        }
        // The server never charges a price the client did not see.
        if (goods->price != request.goods_price) {
            throw ShopError(
                ErrorKind::price_mismatch, "goods_price",
                "the price of " + goods->name + " is now " + std::to_string(goods->price));
        }
        // Most adds open a new cart (the paper's load is nothing else). A new
        // cart holds nothing yet and its only line is this one, so it skips
        // the two queries an existing cart needs: 6 round trips instead of 8.
        const bool new_cart = !request.cart_id;
        std::int64_t held =
            new_cart ? 0 : store::quantity_in_cart(db, *request.cart_id, request.goods_id);
        if (held + request.quantity > goods->stock) {
            std::int64_t left = goods->stock > held ? goods->stock - held : 0;
            throw ShopError(
                ErrorKind::out_of_stock, "total",
                "only " + std::to_string(left) + " more of " + goods->name + " available");
        }
        Id cart_id = new_cart ? store::create_cart(db, request.user_id) : *request.cart_id;
        store::add_cart_line(db, cart_id, request.goods_id, request.goods_price, request.quantity);

        std::vector<money::Line> lines;
        CartSummary summary{cart_id, 0, 0};
        if (new_cart) {
            lines.push_back({request.goods_price, request.quantity});
            summary.total_goods = request.quantity;
        } else {
            for (const CartLine& line : store::cart_lines(db, cart_id)) {
                lines.push_back({line.price, line.quantity});
                summary.total_goods += line.quantity;
            }
        }
        auto total = money::total_of(lines);
        if (!total) {
            // Rolled back: a cart whose total a client can't read exactly is refused.
            throw ShopError(
                ErrorKind::bad_request, "total",
                "the cart total would exceed " + std::to_string(money::max_json_integer));
        }
        summary.total_amount = *total;
        return summary;
    });
}

}  // namespace umkm::service
