// The owner's goods management: create, change, hide, restock. Each call is
// one database transaction that also writes its audit entry.
#pragma once

#include <optional>
#include <string>

#include "domain/shop.h"
#include "store/database.h"

namespace umkm::service {

// The fields a call sets; absent ones keep their value.
struct GoodsChange {
    std::optional<std::string> name;
    std::optional<money::Rupiah> price;
    std::optional<std::int64_t> stock;
    std::optional<bool> deleted;
};

enum class StockAction { increase, decrease };

Goods create_goods(store::Database& db, const std::string& actor, const GoodsChange& fields);
Goods get_goods(store::Database& db, Id id);
// `action` names the audit entry: "goods.replace" (PUT) or "goods.update" (PATCH).
Goods change_goods(store::Database& db, const std::string& actor, Id id, const GoodsChange& change,
                   const char* action);
// Hides the goods from sale; history (carts, transactions) keeps them.
Goods delete_goods(store::Database& db, const std::string& actor, Id id);
// Never below zero (409 ERR_OUT_OF_STOCK) nor above 2^53 - 1 (400).
Goods change_stock(store::Database& db, const std::string& actor, Id id, StockAction action,
                   std::int64_t quantity);

}  // namespace umkm::service
