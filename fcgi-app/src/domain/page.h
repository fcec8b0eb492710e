// One page of a list (goods, transactions, audit entries), as every listing
// answers it: the page's items and the size of the whole list.
#pragma once

#include <cstdint>
#include <vector>

namespace umkm {

template <class T>
struct Page {
    std::vector<T> items;
    std::int64_t total_items = 0;  // in the whole list, every page
    std::int64_t total_pages = 0;  // of the page size asked for (service/paging.h)
};

}  // namespace umkm
