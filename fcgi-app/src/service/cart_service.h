// Adding goods to a cart: the price check and the stock check.
#pragma once

#include <optional>

#include "domain/shop.h"
#include "store/database.h"

namespace umkm::service {

struct AddToCart {
    std::optional<Id> cart_id;  // nothing: open a new cart
    Id user_id = 0;
    Id goods_id = 0;
    money::Rupiah goods_price = 0;
    std::int64_t quantity = 0;
};

struct CartSummary {
    Id cart_id = 0;
    std::int64_t total_goods = 0;  // units in the cart
    money::Rupiah total_amount = 0;
};

CartSummary add_to_cart(store::Database& db, const AddToCart& request);

}  // namespace umkm::service
