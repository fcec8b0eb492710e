// The application as a function from request to response: every route,
// plus the one place where errors become the contract's JSON envelopes.
#pragma once

#include <functional>
#include <string>

#include "controller/admin_controller.h"
#include "controller/shop_controller.h"
#include "http/router.h"
#include "store/database.h"

namespace umkm::controller {

// The text of GET /api/small/metrics: the pool's own numbers, which the
// worker knows and the application does not (pool/metrics.h).
using MetricsText = std::function<std::string()>;

class App {
  public:
    App(store::Database& db, long max_body_size, MetricsText metrics_text);

    // Never throws: every failure is an envelope (a bug is a logged 500).
    // `waited_too_long` is the pool's admission control: when given, it is
    // asked first, before anything of the request runs (unless its route is
    // never shed, as the health check), and true answers 503 at once.
    http::Response handle(http::Request& request,
                          const std::function<bool()>& waited_too_long = {}) noexcept;

  private:
    // GET and HEAD /api/small/metrics, without the database.
    http::Response metrics(http::Request& request);

    store::Database& db_;
    long max_body_size_;
    MetricsText metrics_;
    ShopController shop_;
    AdminController admin_;
    http::Router router_;
};

}  // namespace umkm::controller
