// The customer calls of shared/API.md sections 1-3, as the tests make them.
#pragma once

#include <optional>
#include <string>

#include "http_client.h"

namespace umkm::test {

inline constexpr const char* kStocks = "/api/small/stocks";
inline constexpr const char* kCart = "/api/small/cart";
inline constexpr const char* kPay = "/api/small/pay";
inline constexpr const char* kHealth = "/api/small/health";

// POST /api/small/cart; no cart_id member when cart_id is empty.
std::string cart_body(std::optional<long long> cart_id, long long user_id, long long goods_id,
                      long long goods_price, long long total);
Response add_to_cart(HttpClient& http, std::optional<long long> cart_id, long long user_id,
                     long long goods_id, long long goods_price, long long total);

// POST /api/small/pay
std::string pay_body(long long cart_id, long long payment_amount);
Response pay(HttpClient& http, long long cart_id, long long payment_amount);

// Opens a cart with one line and returns its id; the calling test stops
// (BOOST_REQUIRE) when that fails.
long long open_cart(HttpClient& http, long long user_id, long long goods_id, long long goods_price,
                    long long total);

}  // namespace umkm::test
