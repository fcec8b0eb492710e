// Paying a cart: one database transaction that checks the payment and the
// stock, takes the stock and records the transaction, or changes nothing.
#pragma once

#include "domain/shop.h"
#include "store/database.h"

namespace umkm::service {

Receipt pay(store::Database& db, Id cart_id, money::Rupiah payment_amount);

}  // namespace umkm::service
