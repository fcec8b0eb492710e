// Query parameters shared by the list endpoints (paging and sorting as
// GET /api/small/stocks defines them).
#pragma once

#include <cstdint>

#include "http/query.h"
#include "service/stock_service.h"

namespace umkm::controller {

// page (>= 1, default 1) and total_goods (1-100, default 20).
struct Paging {
    std::int64_t page = 1;
    std::int64_t page_size = 20;
};

Paging paging_from(const http::Query& query);
// Paging plus sort (ASC/DESC, any case) and sort_by (id, name, stock, price).
service::StockQuery stock_query_from(const http::Query& query);

}  // namespace umkm::controller
