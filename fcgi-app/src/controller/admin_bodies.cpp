#include "controller/admin_bodies.h"

#include "domain/money.h"
#include "json_io/body.h"

namespace umkm::controller {
namespace {

using money::max_json_integer;

constexpr std::size_t max_name_chars = 255;
constexpr std::size_t max_note_chars = 1000;

}  // namespace

service::GoodsChange goods_fields(const std::string& body, bool required) {
    Json::Value object = json::parse_object(body);
    json::FieldReader fields(object);
    service::GoodsChange change;
    // null would mean "remove", which no goods field allows.
    for (const char* name : {"name", "price", "stock", "deleted"}) fields.reject_null(name);
    change.name = fields.optional_string("name", max_name_chars);
    change.price = fields.optional_integer("price", 0, max_json_integer);
    change.stock = fields.optional_integer("stock", 0, max_json_integer);
    change.deleted = fields.optional_bool("deleted");
    if (required) {
        for (const char* name : {"name", "price", "stock"}) {
            if (!fields.has(name)) fields.add_error(name, std::string(name) + " is required");
        }
    } else if (!object.isMember("name") && !object.isMember("price") && !object.isMember("stock") &&
               !object.isMember("deleted")) {
        fields.add_error("body", "give at least one of name, price, stock, deleted");
    }
    fields.throw_if_any();
    return change;
}

StockChange stock_change(const std::string& body) {
    Json::Value object = json::parse_object(body);
    json::FieldReader fields(object);
    std::string action = fields.choice("action", {"INCR", "DECR"});
    std::int64_t quantity = fields.integer("total", 1, max_json_integer);
    fields.throw_if_any();
    return {action == "INCR" ? service::StockAction::increase : service::StockAction::decrease,
            quantity};
}

VerifyDecision verify_decision(const std::string& body) {
    Json::Value object = json::parse_object(body);
    json::FieldReader fields(object);
    std::string decision = fields.choice("decision", {"approve", "reject"});
    auto note = fields.optional_string("note", max_note_chars, true);
    fields.throw_if_any();
    return {decision == "approve", note};
}

}  // namespace umkm::controller
