#include "controller/admin_controller.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "controller/admin_bodies.h"
#include "controller/query_params.h"
#include "controller/shop_controller.h"
#include "domain/money.h"
#include "http/query.h"
#include "http/response.h"
#include "json_io/shop_json.h"
#include "json_io/writer.h"
#include "service/admin_goods_service.h"
#include "service/audit_service.h"
#include "service/stock_service.h"
#include "service/transaction_service.h"

namespace umkm::controller {
namespace {

using money::max_json_integer;

Id goods_id_of(const http::Request& request) {
    auto id = http::parse_plain_integer(request.path_params.at(0), 1, max_json_integer);
    if (!id) throw ShopError(ErrorKind::not_found, "id", "goods not found");
    return *id;
}

std::string transaction_of(const http::Request& request) {
    auto id = transaction_id_of(request.path_params.at(0));
    if (!id) throw ShopError(ErrorKind::not_found, "transaction_id", "transaction not found");
    return *id;
}

http::Response goods_answer(const Goods& goods) {
    return http::ok(json::admin_goods(goods));
}

// ?status=PAID, VERIFIED or REJECTED, in any case; absent or empty: all.
std::optional<TransactionStatus> status_filter(const http::Query& query) {
    std::string name = query.get("status").value_or("");
    if (name.empty()) return std::nullopt;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    auto status = transaction_status_named(name);
    if (!status) {
        throw ShopError(ErrorKind::bad_request, "status",
                        "status must be PAID, VERIFIED or REJECTED");
    }
    return status;
}

// ?deleted=true (hidden goods only), false (on sale only) or all (default).
std::optional<bool> deleted_filter(const http::Query& query) {
    const std::string deleted = query.get("deleted").value_or("all");
    if (deleted == "all") return std::nullopt;
    if (deleted == "true") return true;
    if (deleted == "false") return false;
    throw ShopError(ErrorKind::bad_request, "deleted", "deleted must be all, true or false");
}

}  // namespace

http::Response AdminController::list_goods(http::Request& request) {
    http::Query query = http::Query::parse(request.query_string);
    const service::StockQuery q = stock_query_from(query);
    const Page<Goods> page = service::list_goods(db_, q, deleted_filter(query));
    json::Array data;
    for (const Goods& g : page.items) data.add_raw(json::admin_goods(g));
    return http::ok(data.str(),
                    json::page_meta(q.page, q.page_size, page.total_items, page.total_pages));
}

http::Response AdminController::create_goods(http::Request& request) {
    service::GoodsChange fields = goods_fields(request.body, true);
    return http::created(json::admin_goods(service::create_goods(db_, request.actor, fields)));
}

http::Response AdminController::get_goods(http::Request& request) {
    return goods_answer(service::get_goods(db_, goods_id_of(request)));
}

http::Response AdminController::replace_goods(http::Request& request) {
    Id id = goods_id_of(request);
    service::GoodsChange fields = goods_fields(request.body, true);
    return goods_answer(service::change_goods(db_, request.actor, id, fields, "goods.replace"));
}

http::Response AdminController::update_goods(http::Request& request) {
    Id id = goods_id_of(request);
    service::GoodsChange fields = goods_fields(request.body, false);
    return goods_answer(service::change_goods(db_, request.actor, id, fields, "goods.update"));
}

http::Response AdminController::delete_goods(http::Request& request) {
    return goods_answer(service::delete_goods(db_, request.actor, goods_id_of(request)));
}

http::Response AdminController::change_stock(http::Request& request) {
    Id id = goods_id_of(request);
    const StockChange change = stock_change(request.body);
    return goods_answer(
        service::change_stock(db_, request.actor, id, change.action, change.quantity));
}

http::Response AdminController::list_transactions(http::Request& request) {
    http::Query query = http::Query::parse(request.query_string);
    const std::optional<TransactionStatus> status = status_filter(query);
    const Paging paging = paging_from(query);
    const Page<TransactionView> page =
        service::list_transactions(db_, status, paging.page, paging.page_size);
    json::Array data;
    for (const TransactionView& v : page.items) data.add_raw(json::transaction_view(v));
    return http::ok(data.str(), json::page_meta(paging.page, paging.page_size, page.total_items,
                                                page.total_pages));
}

http::Response AdminController::verify_transaction(http::Request& request) {
    std::string id = transaction_of(request);
    const VerifyDecision decision = verify_decision(request.body);
    return http::ok(json::transaction_view(
        service::verify_transaction(db_, request.actor, id, decision.approve, decision.note)));
}

http::Response AdminController::list_audit(http::Request& request) {
    Paging paging = paging_from(http::Query::parse(request.query_string));
    const Page<AuditEntry> page = service::list_audit(db_, paging.page, paging.page_size);
    json::Array data;
    for (const AuditEntry& e : page.items) data.add_raw(json::audit_entry(e));
    return http::ok(data.str(), json::page_meta(paging.page, paging.page_size, page.total_items,
                                                page.total_pages));
}

}  // namespace umkm::controller
