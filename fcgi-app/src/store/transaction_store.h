// SQL for transactions (paid carts) and their view (their status events,
// the outbox, are event_store's).
#pragma once

#include <optional>
#include <vector>

#include "domain/shop.h"
#include "store/database.h"

namespace umkm::store {

std::optional<Transaction> find_transaction_by_cart(Database& db, Id cart_id);
// Records a payment; paid_at is UTC, "YYYY-MM-DD HH:MM:SS[.ffffff]".
void insert_transaction(Database& db, const Transaction& t, const std::string& paid_at);
// A cart's lines with their goods' names, ordered as a transaction view
// lists them (goods id, then price).
std::vector<TransactionItem> cart_items_named(Database& db, Id cart_id);

// The view of one transaction; nothing when the id is unknown. `lock` takes
// the transaction row FOR UPDATE (deciding on it).
std::optional<TransactionView> load_transaction_view(Database& db, const std::string& id,
                                                     bool lock = false);
// Newest first; no status means every status.
std::vector<TransactionView> list_transaction_views(Database& db,
                                                    std::optional<TransactionStatus> status,
                                                    std::int64_t limit, std::int64_t offset);
std::int64_t count_transactions(Database& db, std::optional<TransactionStatus> status);
// Verified or rejected, verified_at = now, the note (may be null).
void decide_transaction(Database& db, const std::string& id, TransactionStatus status,
                        const std::optional<std::string>& note);

bool transaction_exists(Database& db, const std::string& id);

}  // namespace umkm::store
