#include "json_io/shop_json.h"

#include "json_io/writer.h"

namespace umkm::json {
namespace {

void add_optional(Object& object, const char* key, const std::optional<std::string>& value) {
    if (value) {
        object.add(key, *value);
    } else {
        object.add_null(key);
    }
}

}  // namespace

std::string goods_for_sale(const Goods& g) {
    return Object()
        .add("id", g.id)
        .add("name", g.name)
        .add("stock", g.stock)
        .add("price", g.price)
        .str();
}

std::string admin_goods(const Goods& g) {
    return Object()
        .add("id", g.id)
        .add("name", g.name)
        .add("price", g.price)
        .add("stock", g.stock)
        .add_raw("deleted", g.deleted ? "true" : "false")
        .str();
}

std::string transaction_view(const TransactionView& v) {
    const Transaction& t = v.transaction;
    Array items;
    for (const TransactionItem& item : v.items) {
        items.add_raw(Object()
                          .add("goods_id", item.goods_id)
                          .add("name", item.name)
                          .add("price", item.price)
                          .add("total", item.quantity)
                          .str());
    }
    Object view;
    view.add("transaction_id", t.id)
        .add("cart_id", t.cart_id)
        .add("user_id", t.user_id)
        .add("status", status_name(t.status))
        .add_raw("items", items.str())
        .add("total_amount", t.receipt.total_amount)
        .add("payment_amount", t.receipt.payment_amount)
        .add("return_amount", t.receipt.return_amount)
        .add("paid_at", v.paid_at);
    add_optional(view, "verified_at", v.verified_at);
    add_optional(view, "note", v.note);
    return view.str();
}

std::string audit_entry(const AuditEntry& e) {
    // before/after are stored as JSON text (the schema checks JSON_VALID).
    return Object()
        .add("id", e.id)
        .add("actor", e.actor)
        .add("action", e.action)
        .add("target", e.target)
        .add_raw("before", e.before.value_or("null"))
        .add_raw("after", e.after.value_or("null"))
        .add("at", e.at)
        .str();
}

std::string page_meta(std::int64_t page, std::int64_t page_size, std::int64_t total_items,
                      std::int64_t total_pages) {
    return Object()
        .add("page", page)
        .add("total_goods", page_size)
        .add("total_items", total_items)
        .add("total_pages", total_pages)
        .str();
}

}  // namespace umkm::json
