// Method + path -> handler. Patterns are literal segments and "{name}"
// placeholders; a known path with another method is a 405 with Allow.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "http/message.h"

namespace umkm::http {

using Handler = std::function<Response(Request&)>;

// Whether the pool's admission control may turn a request for a route away,
// unanswered by its handler, when it waited too long for a worker
// (controller::App::handle).
enum class Admission { may_shed, never_shed };

class Router {
  public:
    void add(const std::string& method, const std::string& pattern, Handler handler,
             Admission admission = Admission::may_shed);

    // Fills request.path_params and runs the handler; throws ShopError
    // not_found / method_not_allowed (allowed_methods() tells the Allow list).
    Response dispatch(Request& request) const;

    // "GET, POST" for a path that exists, empty for one that does not.
    std::string allowed_methods(const std::string& path) const;

    // never_shed when a route of the path (any method) is; may_shed for any
    // other path, an unknown one included.
    Admission admission_of(const std::string& path) const;

  private:
    struct Route {
        std::string method;
        std::vector<std::string> segments;
        Handler handler;
        Admission admission;
    };
    static std::vector<std::string> split(const std::string& path);
    static bool matches(const Route& route, const std::vector<std::string>& segments,
                        std::vector<std::string>* params);
    std::vector<Route> routes_;
};

}  // namespace umkm::http
