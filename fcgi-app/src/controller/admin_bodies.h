// The admin API's request bodies, read into what the services take. Each
// throws ShopError(bad_request) naming every field at fault. Apart from the
// controller so that they are fuzzed without a token or a database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "service/admin_goods_service.h"

namespace umkm::controller {

// POST and PUT /admin/goods[/{id}] (`required`: name, price and stock must
// all be there) and PATCH (at least one field).
service::GoodsChange goods_fields(const std::string& body, bool required);

struct StockChange {
    service::StockAction action;
    std::int64_t quantity;
};
// POST /admin/goods/{id}/stock.
StockChange stock_change(const std::string& body);

struct VerifyDecision {
    bool approve;
    std::optional<std::string> note;
};
// POST /admin/transactions/{id}/verify.
VerifyDecision verify_decision(const std::string& body);

}  // namespace umkm::controller
