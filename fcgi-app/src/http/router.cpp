#include "http/router.h"

#include "domain/errors.h"

namespace umkm::http {

std::vector<std::string> Router::split(const std::string& path) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        out.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

void Router::add(const std::string& method, const std::string& pattern, Handler handler,
                 Admission admission) {
    routes_.push_back({method, split(pattern), std::move(handler), admission});
}

bool Router::matches(const Route& route, const std::vector<std::string>& segments,
                     std::vector<std::string>* params) {
    if (route.segments.size() != segments.size()) return false;
    std::vector<std::string> found;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const std::string& want = route.segments[i];
        if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
            if (segments[i].empty()) return false;
            found.push_back(segments[i]);
        } else if (want != segments[i]) {
            return false;
        }
    }
    if (params) *params = std::move(found);
    return true;
}

std::string Router::allowed_methods(const std::string& path) const {
    auto segments = split(path);
    std::string allow;
    for (const Route& r : routes_) {
        if (matches(r, segments, nullptr) && allow.find(r.method) == std::string::npos) {
            if (!allow.empty()) allow += ", ";
            allow += r.method;
        }
    }
    return allow;
}

Admission Router::admission_of(const std::string& path) const {
    auto segments = split(path);
    for (const Route& r : routes_) {
        if (r.admission == Admission::never_shed && matches(r, segments, nullptr)) {
            return Admission::never_shed;
        }
    }
    return Admission::may_shed;
}

Response Router::dispatch(Request& request) const {
    auto segments = split(request.path);
    bool path_known = false;
    for (const Route& r : routes_) {
        std::vector<std::string> params;
        if (!matches(r, segments, &params)) continue;
        path_known = true;
        if (r.method == request.method) {
            request.path_params = std::move(params);
            return r.handler(request);
        }
    }
    if (path_known) {
        throw ShopError(ErrorKind::method_not_allowed, "",
                        "method not allowed here; use " + allowed_methods(request.path));
    }
    // The path is not echoed: it is client text and may not even be UTF-8.
    throw ShopError(ErrorKind::not_found, "", "no such endpoint");
}

}  // namespace umkm::http
