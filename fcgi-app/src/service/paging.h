// Paging shared by every list: page numbers up to 2^53 - 1 never overflow
// an offset, and a page past the end is simply empty.
#pragma once

#include <cstdint>

namespace umkm::service {

inline std::int64_t page_offset(std::int64_t page, std::int64_t page_size) {
    // Far past the end of any real list: clamp rather than multiply.
    constexpr std::int64_t max_offset = std::int64_t{1} << 40;
    return page - 1 > max_offset / page_size ? max_offset : (page - 1) * page_size;
}

inline std::int64_t total_pages(std::int64_t total_items, std::int64_t page_size) {
    return (total_items + page_size - 1) / page_size;
}

}  // namespace umkm::service
