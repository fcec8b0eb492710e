// SQL for transactions (paid carts).
#pragma once

#include <optional>

#include "domain/shop.h"
#include "store/database.h"

namespace umkm::store {

std::optional<Transaction> find_transaction_by_cart(Database& db, Id cart_id);
// Records a payment with paid_at = now (UTC).
void insert_transaction(Database& db, const Transaction& t);

}  // namespace umkm::store
