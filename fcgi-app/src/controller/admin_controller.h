// The owner's endpoints of section 5 (goods, transactions, audit). The
// caller is authenticated before these run (App::handle); request.actor
// names the token.
#pragma once

#include "http/message.h"
#include "store/database.h"

namespace umkm::controller {

class AdminController {
  public:
    explicit AdminController(store::Database& db) : db_(db) {}

    http::Response list_goods(http::Request& request);         // GET    admin/goods
    http::Response create_goods(http::Request& request);       // POST   admin/goods
    http::Response get_goods(http::Request& request);          // GET    admin/goods/{id}
    http::Response replace_goods(http::Request& request);      // PUT    admin/goods/{id}
    http::Response update_goods(http::Request& request);       // PATCH  admin/goods/{id}
    http::Response delete_goods(http::Request& request);       // DELETE admin/goods/{id}
    http::Response change_stock(http::Request& request);       // POST   admin/goods/{id}/stock
    http::Response list_transactions(http::Request& request);  // GET    admin/transactions
    http::Response verify_transaction(
        http::Request& request);                        // POST   admin/transactions/{id}/verify
    http::Response list_audit(http::Request& request);  // GET    admin/audit

  private:
    store::Database& db_;
};

}  // namespace umkm::controller
