#include "controller/shop_controller.h"

#include <cctype>

#include "controller/query_params.h"
#include "http/query.h"
#include "http/response.h"
#include "json_io/body.h"
#include "json_io/shop_json.h"
#include "json_io/writer.h"
#include "service/cart_service.h"
#include "service/pay_service.h"
#include "service/stock_service.h"
#include "service/transaction_service.h"

namespace umkm::controller {
namespace {

using money::max_json_integer;

// `total` is the paper's field; `total_goods` is what the paper's own load
// generator sends, so both are accepted, and must agree when both are sent.
std::int64_t quantity_from(json::FieldReader& fields) {
    bool has_total = fields.has("total");
    bool has_alias = fields.has("total_goods");
    if (!has_total && has_alias) return fields.integer("total_goods", 1, 999);
    std::int64_t total = fields.integer("total", 1, 999);
    if (has_total && has_alias) {
        auto alias = fields.optional_integer("total_goods", 1, 999);
        if (alias && *alias != total) {
            fields.add_error("total", "total and total_goods differ; send one of them");
        }
    }
    return total;
}

}  // namespace

std::optional<std::string> transaction_id_of(const std::string& text) {
    // The UUID is the customer's capability: anything that is not one is
    // simply not found. Upper-case hex is accepted and normalised.
    if (text.size() != 36) return std::nullopt;
    std::string id = text;
    for (std::size_t i = 0; i < id.size(); ++i) {
        char& c = id[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return std::nullopt;
        } else if (std::isxdigit(static_cast<unsigned char>(c))) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else {
            return std::nullopt;
        }
    }
    return id;
}

http::Response ShopController::list_stocks(http::Request& request) {
    const service::StockQuery query = stock_query_from(http::Query::parse(request.query_string));
    const Page<Goods> page = service::list_stocks(db_, query);

    json::Array data;
    for (const Goods& g : page.items) data.add_raw(json::goods_for_sale(g));
    const std::string meta =
        json::page_meta(query.page, query.page_size, page.total_items, page.total_pages);
    return http::ok(data.str(), meta);
}

http::Response ShopController::add_to_cart(http::Request& request) {
    Json::Value body = json::parse_object(request.body);
    json::FieldReader fields(body);
    service::AddToCart add;
    // Absent, null or 0 opens a new cart.
    auto cart_id = fields.optional_integer("cart_id", 0, max_json_integer);
    if (cart_id && *cart_id != 0) add.cart_id = *cart_id;
    add.user_id = fields.integer("user_id", 1, max_json_integer);
    add.goods_id = fields.integer("goods_id", 1, max_json_integer);
    add.goods_price = fields.integer("goods_price", 0, max_json_integer);
    add.quantity = quantity_from(fields);
    fields.throw_if_any();

    service::CartSummary summary = service::add_to_cart(db_, add);
    return http::ok(json::Object()
                        .add("cart_id", summary.cart_id)
                        .add("total_goods", summary.total_goods)
                        .add("total_amount", summary.total_amount)
                        .str());
}

http::Response ShopController::pay(http::Request& request) {
    Json::Value body = json::parse_object(request.body);
    json::FieldReader fields(body);
    Id cart_id = fields.integer("cart_id", 1, max_json_integer);
    money::Rupiah payment = fields.integer("payment_amount", 0, max_json_integer);
    fields.throw_if_any();

    Receipt receipt = service::pay(db_, cart_id, payment);
    return http::ok(json::Object()
                        .add("transaction_id", receipt.transaction_id)
                        .add("total_amount", receipt.total_amount)
                        .add("payment_amount", receipt.payment_amount)
                        .add("return_amount", receipt.return_amount)
                        .str());
}

http::Response ShopController::transaction(http::Request& request) {
    auto id = transaction_id_of(request.path_params.at(0));
    if (!id) throw ShopError(ErrorKind::not_found, "transaction_id", "transaction not found");
    return http::ok(json::transaction_view(service::get_transaction(db_, *id)));
}

http::Response ShopController::events_lookup(http::Request& request) {
    auto id = transaction_id_of(request.path_params.at(0));
    if (!id) throw ShopError(ErrorKind::not_found, "transaction_id", "transaction not found");
    service::prepare_subscription(db_, *id);
    return http::ok(json::Object().add("transaction_id", *id).str());
}

http::Response ShopController::health(http::Request&) {
    if (!db_.ping()) {
        throw ShopError(ErrorKind::unavailable, "database", "the database is unreachable");
    }
    return http::ok(json::Object().add("database", "up").str());
}

}  // namespace umkm::controller
