// The shop's nouns, as the services and stores pass them around.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/money.h"

namespace umkm {

using Id = std::int64_t;

struct Goods {
    Id id = 0;
    std::string name;
    std::int64_t stock = 0;
    money::Rupiah price = 0;
    bool deleted = false;
};

enum class GoodsSortKey { id, name, stock, price };

enum class CartStatus { open, paid };

struct Cart {
    Id id = 0;
    Id user_id = 0;
    CartStatus status = CartStatus::open;
};

struct CartLine {
    Id goods_id = 0;
    money::Rupiah price = 0;  // the price the customer agreed to when adding
    std::int64_t quantity = 0;
};

// What pay answers, first time and on every replay.
struct Receipt {
    std::string transaction_id;
    money::Rupiah total_amount = 0;
    money::Rupiah payment_amount = 0;
    money::Rupiah return_amount = 0;
};

// Paid, then decided once by the owner: verified (approved) or rejected.
enum class TransactionStatus { paid, verified, rejected };

// "PAID", "VERIFIED", "REJECTED": the status as the API, the audit log and
// the database spell it.
const char* status_name(TransactionStatus status);
// The status of that name (exactly as status_name() spells it), if any.
std::optional<TransactionStatus> transaction_status_named(const std::string& name);

struct Transaction {
    std::string id;
    Id cart_id = 0;
    Id user_id = 0;
    TransactionStatus status = TransactionStatus::paid;
    Receipt receipt;
};

// A paid cart line as the transaction view shows it.
struct TransactionItem {
    Id goods_id = 0;
    std::string name;
    money::Rupiah price = 0;
    std::int64_t quantity = 0;
};

// The transaction as customers and the admin see it (API.md section 4).
struct TransactionView {
    Transaction transaction;
    std::vector<TransactionItem> items;
    std::string paid_at;                     // RFC 3339, UTC
    std::optional<std::string> verified_at;  // RFC 3339, UTC
    std::optional<std::string> note;
};

// One admin action, as the audit log keeps it.
struct AuditEntry {
    Id id = 0;
    std::string actor;
    std::string action;
    std::string target;
    std::optional<std::string> before;  // JSON text
    std::optional<std::string> after;   // JSON text
    std::string at;                     // RFC 3339, UTC
};

}  // namespace umkm
