#include "domain/money.h"

namespace umkm::money {

std::optional<Rupiah> line_amount(Rupiah price, std::int64_t quantity) {
    if (price < 0 || quantity < 0) return std::nullopt;
    Rupiah amount = 0;
    if (__builtin_mul_overflow(price, quantity, &amount) || amount > max_json_integer) {
        return std::nullopt;
    }
    return amount;
}

std::optional<Rupiah> total_of(const std::vector<Line>& lines) {
    Rupiah total = 0;
    for (const Line& line : lines) {
        auto amount = line_amount(line.price, line.quantity);
        if (!amount || __builtin_add_overflow(total, *amount, &total) || total > max_json_integer) {
            return std::nullopt;
        }
    }
    return total;
}

Rupiah change_of(Rupiah payment, Rupiah total) {
    return payment - total;
}

}  // namespace umkm::money
