// The application as a function from request to response: routes, plus the
// one place where errors become the contract's JSON envelopes.
#pragma once

#include "controller/admin_controller.h"
#include "controller/shop_controller.h"
#include "http/router.h"
#include "store/database.h"

namespace umkm::controller {

class App {
  public:
    App(store::Database& db, long max_body_size);

    // Never throws: every failure is an envelope (a bug is a logged 500).
    http::Response handle(http::Request& request) noexcept;

  private:
    store::Database& db_;
    long max_body_size_;
    ShopController shop_;
    AdminController admin_;
    http::Router router_;
};

}  // namespace umkm::controller
