// Money is whole Rupiah in int64. Every amount a client sends or receives is
// at most 2^53 - 1 so that JavaScript clients read it exactly; arithmetic on
// amounts is checked and never wraps.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace umkm::money {

using Rupiah = std::int64_t;

// 2^53 - 1: the largest integer a JSON number holds exactly in a browser.
constexpr std::int64_t max_json_integer = 9007199254740991LL;

struct Line {
    Rupiah price;
    std::int64_t quantity;
};

// price * quantity, or nothing when it would exceed max_json_integer or is negative.
std::optional<Rupiah> line_amount(Rupiah price, std::int64_t quantity);
// Sum of the lines' amounts, or nothing when any step leaves the safe range.
std::optional<Rupiah> total_of(const std::vector<Line>& lines);
// payment - total; callers check payment >= total first.
Rupiah change_of(Rupiah payment, Rupiah total);

}  // namespace umkm::money
