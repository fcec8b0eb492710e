#include "controller/app.h"

#include <cppconn/exception.h>

#include <cstring>

#include "http/response.h"
#include "log/log.h"
#include "service/auth_service.h"

namespace umkm::controller {

namespace {
constexpr const char* admin_prefix = "/api/small/admin/";
}  // namespace

App::App(store::Database& db, long max_body_size, MetricsText metrics_text)
    : db_(db),
      max_body_size_(max_body_size),
      metrics_(std::move(metrics_text)),
      shop_(db),
      admin_(db) {
    auto shop = [this](http::Response (ShopController::*method)(http::Request&)) {
        return [this, method](http::Request& r) { return (shop_.*method)(r); };
    };
    auto admin = [this](http::Response (AdminController::*method)(http::Request&)) {
        return [this, method](http::Request& r) { return (admin_.*method)(r); };
    };
    router_.add("GET", "/api/small/stocks", shop(&ShopController::list_stocks));
    router_.add("POST", "/api/small/cart", shop(&ShopController::add_to_cart));
    router_.add("POST", "/api/small/pay", shop(&ShopController::pay));
    router_.add("GET", "/api/small/transactions/{id}", shop(&ShopController::transaction));
    router_.add("GET", "/api/small/transactions/{id}/events", shop(&ShopController::events_lookup));
    // Never shed: the contract's 503 there means the database is
    // unreachable, and a monitor should not see a busy shop as a broken one.
    router_.add("GET", "/api/small/health", shop(&ShopController::health),
                http::Admission::never_shed);
    // nginx lets only the box itself ask (pool/metrics.h).
    auto metrics_handler = [this](http::Request& r) { return metrics(r); };
    router_.add("GET", "/api/small/metrics", metrics_handler);
    router_.add("HEAD", "/api/small/metrics", metrics_handler);

    const std::string goods = std::string(admin_prefix) + "goods";
    router_.add("GET", goods, admin(&AdminController::list_goods));
    router_.add("POST", goods, admin(&AdminController::create_goods));
    router_.add("GET", goods + "/{id}", admin(&AdminController::get_goods));
    router_.add("PUT", goods + "/{id}", admin(&AdminController::replace_goods));
    router_.add("PATCH", goods + "/{id}", admin(&AdminController::update_goods));
    router_.add("DELETE", goods + "/{id}", admin(&AdminController::delete_goods));
    router_.add("POST", goods + "/{id}/stock", admin(&AdminController::change_stock));
    const std::string transactions = std::string(admin_prefix) + "transactions";
    router_.add("GET", transactions, admin(&AdminController::list_transactions));
    router_.add("POST", transactions + "/{id}/verify", admin(&AdminController::verify_transaction));
    router_.add("GET", std::string(admin_prefix) + "audit", admin(&AdminController::list_audit));
}

http::Response App::metrics(http::Request&) {
    http::Response r;
    r.body = metrics_ ? metrics_() : std::string();
    r.headers.emplace_back("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    return r;
}

http::Response App::handle(http::Request& request,
                           const std::function<bool()>& waited_too_long) noexcept {
    try {
        try {
            // Before the body, the token or the database are looked at, so
            // that a request turned away has done nothing at all.
            if (waited_too_long &&
                router_.admission_of(request.path) == http::Admission::may_shed &&
                waited_too_long()) {
                throw ShopError(ErrorKind::unavailable, "", "the shop is busy, retry in a moment");
            }
            if (static_cast<long>(request.body.size()) > max_body_size_) {
                throw ShopError(
                    ErrorKind::payload_too_large, "body",
                    "request body is larger than " + std::to_string(max_body_size_) + " bytes");
            }
            // Every admin path, known or not, needs a token first: without
            // one, the admin routes are not even revealed.
            if (request.path.compare(0, std::strlen(admin_prefix), admin_prefix) == 0 ||
                request.path + "/" == admin_prefix) {
                request.actor = service::authenticate(db_, request.authorization);
            }
            return router_.dispatch(request);
        } catch (const ShopError& e) {
            int retry_after = e.kind() == ErrorKind::unavailable ? db_.retry_after() : 0;
            http::Response response = http::error(e, retry_after);
            if (e.kind() == ErrorKind::unauthorized) {
                response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"umkm\"");
            }
            if (e.kind() == ErrorKind::method_not_allowed) {
                response.headers.emplace_back("Allow", router_.allowed_methods(request.path));
            }
            if (e.kind() == ErrorKind::internal) {
                LOG_ERROR("internal error on " << request.method << " " << request.path << " ["
                                               << request.request_id << "]: " << e.what());
            }
            return response;
        } catch (const sql::SQLException& e) {
            // Already logged with its code by the store; the client learns
            // nothing about our SQL.
            LOG_ERROR("request " << request.request_id << " failed on a database error");
        } catch (const std::exception& e) {
            LOG_ERROR("request " << request.request_id << " failed: " << e.what());
        }
        return http::error(ShopError(ErrorKind::internal, "", "internal server error"));
    } catch (...) {
        // Building the error itself failed (out of memory): the bare minimum.
        http::Response r;
        r.status = 500;
        r.body =
            R"({"code":500,"status":"ERR_INTERNAL_SERVER","errors":[{"message":"internal server error"}]})";
        return r;
    }
}

}  // namespace umkm::controller
