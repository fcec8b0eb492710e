// SQL for carts and their lines.
#pragma once

#include <optional>
#include <vector>

#include "domain/shop.h"
#include "store/database.h"

namespace umkm::store {

Id create_cart(Database& db, Id user_id);
// Locks the cart row: the first lock of every cart and pay operation.
std::optional<Cart> lock_cart(Database& db, Id cart_id);
// Units of `goods_id` already in the cart, over all its price lines.
std::int64_t quantity_in_cart(Database& db, Id cart_id, Id goods_id);
// Adds to the line with the same goods and price, or opens one.
void add_cart_line(Database& db, Id cart_id, Id goods_id, money::Rupiah price,
                   std::int64_t quantity);
// Lines in ascending goods id, the order pay locks goods in.
std::vector<CartLine> cart_lines(Database& db, Id cart_id);
void mark_cart_paid(Database& db, Id cart_id);

}  // namespace umkm::store
