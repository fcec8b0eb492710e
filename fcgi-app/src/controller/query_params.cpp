#include "controller/query_params.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "domain/errors.h"
#include "domain/money.h"

namespace umkm::controller {
namespace {

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

}  // namespace

Paging paging_from(const http::Query& query) {
    Paging p;
    p.page = query.integer("page", 1, money::max_json_integer, 1);
    p.page_size = query.integer("total_goods", 1, 100, 20);
    return p;
}

service::StockQuery stock_query_from(const http::Query& query) {
    service::StockQuery q;
    Paging p = paging_from(query);
    q.page = p.page;
    q.page_size = p.page_size;
    std::string sort = upper(query.get("sort").value_or("DESC"));
    if (sort != "ASC" && sort != "DESC") {
        throw ShopError(ErrorKind::bad_request, "sort", "sort must be ASC or DESC");
    }
    q.ascending = sort == "ASC";
    std::string sort_by = query.get("sort_by").value_or("id");
    if (sort_by == "id") {
        q.sort_by = GoodsSortKey::id;
    } else if (sort_by == "name") {
        q.sort_by = GoodsSortKey::name;
    } else if (sort_by == "stock") {
        q.sort_by = GoodsSortKey::stock;
    } else if (sort_by == "price") {
        q.sort_by = GoodsSortKey::price;
    } else {
        throw ShopError(ErrorKind::bad_request, "sort_by",
                        "sort_by must be one of id, name, stock, price");
    }
    return q;
}

}  // namespace umkm::controller
