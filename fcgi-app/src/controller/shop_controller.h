// The customer endpoints of sections 1-3 and the health check: parse and
// validate the request, call the service, shape the JSON. No SQL here, and
// no business rule.
#pragma once

#include <optional>
#include <string>

#include "http/message.h"
#include "store/database.h"

namespace umkm::controller {

// The lower-cased transaction id, or nothing when `text` is not a UUID.
std::optional<std::string> transaction_id_of(const std::string& text);

class ShopController {
  public:
    explicit ShopController(store::Database& db) : db_(db) {}

    http::Response list_stocks(http::Request& request);  // GET /api/small/stocks
    http::Response add_to_cart(http::Request& request);  // POST /api/small/cart
    http::Response pay(http::Request& request);          // POST /api/small/pay
    http::Response transaction(http::Request& request);  // GET /api/small/transactions/{id}
    // nginx's lookup before opening GET .../{id}/events (clients' requests
    // for the stream itself are answered by nginx, never by a worker).
    http::Response events_lookup(http::Request& request);
    http::Response health(http::Request& request);  // GET /api/small/health

  private:
    store::Database& db_;
};

}  // namespace umkm::controller
