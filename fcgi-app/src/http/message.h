// A request and a response as the application sees them, independent of
// FastCGI so that routing and handlers can be unit-tested without a socket.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace umkm::http {

struct Request {
    std::string method;
    std::string path;  // decoded, without the query string
    std::string query_string;
    std::string body;
    std::string request_id;
    std::string authorization;             // the Authorization header, as sent
    std::string actor;                     // the admin token's name, once authenticated
    std::vector<std::string> path_params;  // the {…} segments the route matched
};

struct Response {
    int status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

}  // namespace umkm::http
