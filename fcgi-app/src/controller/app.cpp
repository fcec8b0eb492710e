#include "controller/app.h"

#include <cppconn/exception.h>

#include "http/response.h"
#include "log/log.h"

namespace umkm::controller {

App::App(store::Database& db, long max_body_size)
    : db_(db), max_body_size_(max_body_size), shop_(db) {
    auto bind = [this](http::Response (ShopController::*method)(http::Request&)) {
        return [this, method](http::Request& r) { return (shop_.*method)(r); };
    };
    router_.add("GET", "/api/small/stocks", bind(&ShopController::list_stocks));
    router_.add("POST", "/api/small/cart", bind(&ShopController::add_to_cart));
    router_.add("POST", "/api/small/pay", bind(&ShopController::pay));
    router_.add("GET", "/api/small/health", bind(&ShopController::health));
}

http::Response App::handle(http::Request& request) noexcept {
    try {
        try {
            if (static_cast<long>(request.body.size()) > max_body_size_) {
                throw ShopError(
                    ErrorKind::payload_too_large, "body",
                    "request body is larger than " + std::to_string(max_body_size_) + " bytes");
            }
            return router_.dispatch(request);
        } catch (const ShopError& e) {
            int retry_after = e.kind() == ErrorKind::unavailable ? db_.retry_after() : 0;
            http::Response response = http::error(e, retry_after);
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
