#include "controller/shop_controller.h"

#include <algorithm>
#include <cctype>

#include "http/query.h"
#include "http/response.h"
#include "json_io/body.h"
#include "json_io/writer.h"
#include "service/cart_service.h"
#include "service/pay_service.h"
#include "service/stock_service.h"

namespace umkm::controller {
namespace {

using money::max_json_integer;

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

service::StockQuery stock_query_from(const http::Query& query) {
    service::StockQuery q;
    q.page = query.integer("page", 1, max_json_integer, 1);
    q.page_size = query.integer("total_goods", 1, 100, 20);
    std::string sort = upper(query.get("sort").value_or("DESC"));
    if (sort != "ASC" && sort != "DESC") {
        throw ShopError(ErrorKind::bad_request, "sort", "sort must be ASC or DESC");
    }
    q.ascending = sort == "ASC";
    std::string sort_by = query.get("sort_by").value_or("id");
    if (sort_by == "id") {
        q.sort_by = GoodsSortKey::id;
    } else if (sort_by == "name") {
        q.sort_by = GoodsSortKey::name;
    } else if (sort_by == "stock") {
        q.sort_by = GoodsSortKey::stock;
    } else if (sort_by == "price") {
        q.sort_by = GoodsSortKey::price;
    } else {
        throw ShopError(ErrorKind::bad_request, "sort_by",
                        "sort_by must be one of id, name, stock, price");
    }
    return q;
}

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

http::Response ShopController::list_stocks(http::Request& request) {
    service::StockQuery query = stock_query_from(http::Query::parse(request.query_string));
    service::StockPage page = service::list_stocks(db_, query);

    json::Array data;
    for (const Goods& g : page.goods) {
        data.add_raw(json::Object()
                         .add("id", g.id)
                         .add("name", g.name)
                         .add("stock", g.stock)
                         .add("price", g.price)
                         .str());
    }
    json::Object meta;
    meta.add("page", query.page)
        .add("total_goods", query.page_size)
        .add("total_items", page.total_items)
        .add("total_pages", page.total_pages);
    return http::ok(data.str(), meta.str());
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

http::Response ShopController::health(http::Request&) {
    if (!db_.ping()) {
        throw ShopError(ErrorKind::unavailable, "database", "the database is unreachable");
    }
    return http::ok(json::Object().add("database", "up").str());
}

}  // namespace umkm::controller
