// SQL for transactions (paid carts), their status events (the outbox) and
// their view.
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
// Newest first; an empty status means every status.
std::vector<TransactionView> list_transaction_views(Database& db, const std::string& status,
                                                    std::int64_t limit, std::int64_t offset);
std::int64_t count_transactions(Database& db, const std::string& status);
// VERIFIED or REJECTED, verified_at = now, the note (may be null).
void decide_transaction(Database& db, const std::string& id, const std::string& status,
                        const std::optional<std::string>& note);

// Appends a status event to the outbox, in the caller's transaction (the
// transaction row must be locked or just inserted, so seq is not raced).
void insert_transaction_event(Database& db, const std::string& transaction_id,
                              const std::string& status, const std::string& payload);

bool transaction_exists(Database& db, const std::string& id);
// Asks the dispatcher to make sure nchan still holds the transaction's
// newest event (see the resend column of 002_admin_and_events.sql).
void request_event_resend(Database& db, const std::string& transaction_id);

}  // namespace umkm::store
