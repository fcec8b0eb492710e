#include "shop_requests.h"

#include "expectations.h"

namespace umkm::test {

std::string cart_body(std::optional<long long> cart_id, long long user_id, long long goods_id,
                      long long goods_price, long long total) {
    std::string body = "{";
    if (cart_id) body += "\"cart_id\":" + std::to_string(*cart_id) + ",";
    body += "\"user_id\":" + std::to_string(user_id) + ",\"goods_id\":" + std::to_string(goods_id) +
            ",\"goods_price\":" + std::to_string(goods_price) +
            ",\"total\":" + std::to_string(total) + "}";
    return body;
}

Response add_to_cart(HttpClient& http, std::optional<long long> cart_id, long long user_id,
                     long long goods_id, long long goods_price, long long total) {
    return http.post(kCart, cart_body(cart_id, user_id, goods_id, goods_price, total));
}

std::string pay_body(long long cart_id, long long payment_amount) {
    return "{\"cart_id\":" + std::to_string(cart_id) +
           ",\"payment_amount\":" + std::to_string(payment_amount) + "}";
}

Response pay(HttpClient& http, long long cart_id, long long payment_amount) {
    return http.post(kPay, pay_body(cart_id, payment_amount));
}

long long open_cart(HttpClient& http, long long user_id, long long goods_id, long long goods_price,
                    long long total) {
    const Response r = add_to_cart(http, std::nullopt, user_id, goods_id, goods_price, total);
    BOOST_REQUIRE(is_ok(r));
    const Json::Value id = r.at("data.cart_id");
    BOOST_REQUIRE_MESSAGE(is_json_integer(id) && id.asLargestInt() >= 1,
                          "data.cart_id is not a positive integer" << r);
    return id.asLargestInt();
}

}  // namespace umkm::test
