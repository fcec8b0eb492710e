#include "admin_requests.h"

#include <cstdio>
#include <regex>

#include "expectations.h"
#include "shop_requests.h"
#include "stack_fixture.h"

namespace umkm::test {

namespace {

assertion_result failure(const std::string& why, const Response& r) {
    assertion_result result(false);
    result.message() << why << r.describe();
    return result;
}

assertion_result value_failure(const std::string& why, const Json::Value& value,
                               const std::string& context) {
    assertion_result result(false);
    Json::StreamWriterBuilder writer;
    writer["indentation"] = "";
    result.message() << why << "\n  value: " << printable(Json::writeString(writer, value))
                     << context;
    return result;
}

bool is_null_or_rfc3339(const Json::Value& v) {
    return v.isNull() || (v.isString() && is_rfc3339_utc(v.asString()));
}

}  // namespace

std::string transaction_path(const std::string& transaction_id) {
    return std::string(kTransactions) + "/" + transaction_id;
}

std::string events_path(const std::string& transaction_id) {
    return transaction_path(transaction_id) + "/events";
}

std::string admin_goods_path(const std::string& id) {
    return std::string(kAdminGoods) + "/" + id;
}

std::string admin_goods_path(long long id) {
    return admin_goods_path(std::to_string(id));
}

std::string verify_path(const std::string& transaction_id) {
    return std::string(kAdminTransactions) + "/" + transaction_id + "/verify";
}

AdminClient::AdminClient(const std::string& base_url, std::string token,
                         const std::string& source_address)
    : http_(ClientOptions{base_url, source_address, 30000, 5000}), token_(std::move(token)) {}

Request AdminClient::request(const std::string& method, const std::string& target) const {
    Request r;
    r.method = method;
    r.target = target;
    if (!token_.empty()) r.headers.push_back("Authorization: Bearer " + token_);
    return r;
}

Response AdminClient::get(const std::string& target) {
    return http_.perform(request("GET", target));
}

Response AdminClient::post(const std::string& target, const std::string& body) {
    return send("POST", target, body);
}

Response AdminClient::send(const std::string& method, const std::string& target) {
    return http_.perform(request(method, target));
}

Response AdminClient::send(const std::string& method, const std::string& target,
                           const std::string& body) {
    Request r = request(method, target);
    r.body = body;
    r.has_body = true;
    return http_.perform(r);
}

Response AdminClient::with_authorization(const std::string& authorization,
                                         const std::string& method, const std::string& target) {
    Request r;
    r.method = method;
    r.target = target;
    if (!authorization.empty()) r.headers.push_back("Authorization: " + authorization);
    return http_.perform(r);
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
            out += escaped;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

std::string goods_body(const std::string& name, long long price, long long stock) {
    return json_object({{"name", json_string(name)},
                        {"price", std::to_string(price)},
                        {"stock", std::to_string(stock)}});
}

long long admin_create_goods(AdminClient& admin, const std::string& name, long long price,
                             long long stock) {
    const Response r = admin.post(kAdminGoods, goods_body(name, price, stock));
    BOOST_REQUIRE(is_created(r));
    BOOST_REQUIRE(is_admin_goods(r));
    return r.at("data.id").asInt64();
}

bool is_rfc3339_utc(const std::string& s) {
    static const std::regex time(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$)");
    return std::regex_match(s, time);
}

assertion_result is_admin_goods(const Response& r, const std::string& path) {
    const Json::Value goods = r.at(path);
    if (!goods.isObject()) return failure(path + " is not an object", r);
    if (member_names(goods) != "deleted,id,name,price,stock")
        return failure(path + " is not exactly {id, name, price, stock, deleted}", r);
    if (!is_json_integer(goods["id"]) || goods["id"].asLargestInt() < 1)
        return failure(path + ".id is not a positive integer", r);
    if (!goods["name"].isString()) return failure(path + ".name is not a string", r);
    if (!is_json_integer(goods["price"]) || goods["price"].asLargestInt() < 0)
        return failure(path + ".price is not an integer >= 0", r);
    if (!is_json_integer(goods["stock"]) || goods["stock"].asLargestInt() < 0)
        return failure(path + ".stock is not an integer >= 0", r);
    if (!goods["deleted"].isBool()) return failure(path + ".deleted is not a JSON boolean", r);
    return true;
}

assertion_result is_transaction_view_value(const Json::Value& v, const std::string& context) {
    if (!v.isObject()) return value_failure("the transaction view is not an object", v, context);
    if (member_names(v) !=
        "cart_id,items,note,paid_at,payment_amount,return_amount,status,total_amount,"
        "transaction_id,user_id,verified_at")
        return value_failure(
            "the transaction view is not exactly {transaction_id, cart_id, user_id, status, "
            "items, total_amount, payment_amount, return_amount, paid_at, verified_at, note}",
            v, context);
    if (!v["transaction_id"].isString() || !is_uuid_v4(v["transaction_id"].asString()))
        return value_failure("transaction_id is not a lower-case UUIDv4", v, context);
    for (const char* name : {"cart_id", "user_id"})
        if (!is_json_integer(v[name]) || v[name].asLargestInt() < 1)
            return value_failure(std::string(name) + " is not a positive integer", v, context);
    for (const char* name : {"total_amount", "payment_amount", "return_amount"})
        if (!is_json_integer(v[name]) || v[name].asLargestInt() < 0)
            return value_failure(std::string(name) + " is not an integer >= 0", v, context);
    if (v["return_amount"].asLargestInt() !=
        v["payment_amount"].asLargestInt() - v["total_amount"].asLargestInt())
        return value_failure("return_amount is not payment_amount - total_amount", v, context);
    const std::string status = v["status"].isString() ? v["status"].asString() : "";
    if (status != "PAID" && status != "VERIFIED" && status != "REJECTED")
        return value_failure("status is not PAID, VERIFIED or REJECTED", v, context);
    if (!v["paid_at"].isString() || !is_rfc3339_utc(v["paid_at"].asString()))
        return value_failure("paid_at is not an RFC 3339 UTC time", v, context);
    if (!is_null_or_rfc3339(v["verified_at"]))
        return value_failure("verified_at is neither null nor an RFC 3339 UTC time", v, context);
    if (!v["note"].isNull() && !v["note"].isString())
        return value_failure("note is neither null nor a string", v, context);
    if (status == "PAID" && (!v["verified_at"].isNull() || !v["note"].isNull()))
        return value_failure("a PAID transaction has a verified_at or a note", v, context);
    if (status != "PAID" && v["verified_at"].isNull())
        return value_failure("a decided transaction has no verified_at", v, context);
    if (!v["items"].isArray() || v["items"].empty())
        return value_failure("items is not a non-empty array", v, context);
    long long sum = 0;
    for (const auto& item : v["items"]) {
        if (!item.isObject() || member_names(item) != "goods_id,name,price,total")
            return value_failure("an item is not exactly {goods_id, name, price, total}", v,
                                 context);
        if (!is_json_integer(item["goods_id"]) || !item["name"].isString() ||
            !is_json_integer(item["price"]) || !is_json_integer(item["total"]) ||
            item["total"].asLargestInt() < 1 || item["price"].asLargestInt() < 0)
            return value_failure("an item has a field of the wrong type or range", v, context);
        sum += item["price"].asLargestInt() * item["total"].asLargestInt();
    }
    if (sum != v["total_amount"].asLargestInt())
        return value_failure("total_amount is not the sum of price x total over the items", v,
                             context);
    return true;
}

assertion_result is_transaction_view(const Response& r, const std::string& path) {
    assertion_result envelope = is_envelope(r);
    if (!envelope) return envelope;
    return is_transaction_view_value(r.at(path), r.describe());
}

Purchase buy(HttpClient& http, long long user_id, const std::vector<CartLine>& lines,
             long long extra) {
    BOOST_REQUIRE(!lines.empty());
    Purchase purchase;
    purchase.user_id = user_id;
    std::optional<long long> cart;
    for (const CartLine& line : lines) {
        const Response added =
            add_to_cart(http, cart, user_id, line.goods_id, line.price, line.total);
        BOOST_REQUIRE(is_ok(added));
        cart = added.at("data.cart_id").asInt64();
        purchase.total_amount = added.at("data.total_amount").asInt64();
    }
    purchase.cart_id = *cart;
    purchase.payment_amount = purchase.total_amount + extra;
    const Response paid = pay(http, purchase.cart_id, purchase.payment_amount);
    BOOST_REQUIRE(is_ok(paid));
    BOOST_REQUIRE_MESSAGE(is_uuid_v4(paid.str("data.transaction_id")),
                          "pay answered no UUIDv4 transaction_id" << paid);
    purchase.transaction_id = paid.str("data.transaction_id");
    return purchase;
}

long long stock_of(long long goods_id) {
    return stack().sql_int("SELECT stock FROM goods WHERE id = " + std::to_string(goods_id));
}

}  // namespace umkm::test
