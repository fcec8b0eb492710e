// The owner's calls of shared/API.md section 5 and the transaction view of
// section 4, as the tests make them, and checks on their shapes.
#pragma once

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "http_client.h"

namespace umkm::test {

using boost::test_tools::assertion_result;

inline constexpr const char* kAdminGoods = "/api/small/admin/goods";
inline constexpr const char* kAdminTransactions = "/api/small/admin/transactions";
inline constexpr const char* kAdminAudit = "/api/small/admin/audit";
inline constexpr const char* kTransactions = "/api/small/transactions";

// 2^53 - 1: the largest integer the contract accepts.
inline constexpr long long kMaxJsonInteger = 9007199254740991LL;

// "/api/small/transactions/<id>" and ".../<id>/events".
std::string transaction_path(const std::string& transaction_id);
std::string events_path(const std::string& transaction_id);
// "/api/small/admin/goods/<id>" (the id as given: tests send non-numbers too).
std::string admin_goods_path(const std::string& id);
std::string admin_goods_path(long long id);
std::string verify_path(const std::string& transaction_id);

// An HTTP client that sends `Authorization: Bearer <token>` with every
// request (no header at all when the token is empty).
class AdminClient {
  public:
    AdminClient(const std::string& base_url, std::string token,
                const std::string& source_address = "");

    Response get(const std::string& target);
    Response post(const std::string& target, const std::string& body);
    Response send(const std::string& method, const std::string& target);
    Response send(const std::string& method, const std::string& target, const std::string& body);
    // With this Authorization header value as it is (or none when empty).
    Response with_authorization(const std::string& authorization, const std::string& method,
                                const std::string& target);

    const std::string& token() const { return token_; }

  private:
    Request request(const std::string& method, const std::string& target) const;

    HttpClient http_;
    std::string token_;
};

// {"name":"...","price":n,"stock":n}, the name JSON-escaped.
std::string goods_body(const std::string& name, long long price, long long stock);
// A JSON string literal of `s` (quotes included).
std::string json_string(const std::string& s);

// POST /api/small/admin/goods; the id of the created goods (the calling test
// stops when it is not a 201).
long long admin_create_goods(AdminClient& admin, const std::string& name, long long price,
                             long long stock);

// data (or the value at `path`) is exactly {id, name, price, stock, deleted}
// with integers, a string and a boolean.
assertion_result is_admin_goods(const Response& r, const std::string& path = "data");

// The value at `path` is exactly the transaction view of API.md section 4:
// members, types, status one of PAID/VERIFIED/REJECTED, RFC 3339 UTC times,
// verified_at and note null while PAID, and items of exactly
// {goods_id, name, price, total}.
assertion_result is_transaction_view(const Response& r, const std::string& path = "data");
// The same check on a bare JSON value (an event's data); `context` is
// printed on failure.
assertion_result is_transaction_view_value(const Json::Value& view, const std::string& context);

// "2026-11-27T00:25:01Z" (fractions allowed).
bool is_rfc3339_utc(const std::string& s);

// A customer's purchase made through the public API.
struct Purchase {
    long long cart_id = 0;
    long long user_id = 0;
    std::string transaction_id;
    long long total_amount = 0;
    long long payment_amount = 0;
};

struct CartLine {
    long long goods_id;
    long long price;
    long long total;
};

// Adds the lines to a new cart of `user_id` and pays `extra` more than the
// total; the calling test stops when any step fails.
Purchase buy(HttpClient& http, long long user_id, const std::vector<CartLine>& lines,
             long long extra = 0);

// Stock of goods `id` in the database.
long long stock_of(long long goods_id);

}  // namespace umkm::test
