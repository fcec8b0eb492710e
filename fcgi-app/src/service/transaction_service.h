// Transactions after payment: the view customers and the admin read, and
// the owner's decision (approve or reject) that customers are told of.
#pragma once

#include <optional>
#include <string>

#include "domain/page.h"
#include "domain/shop.h"
#include "store/database.h"

namespace umkm::service {

// `id` is a lower-case UUID (callers check the form).
TransactionView get_transaction(store::Database& db, const std::string& id);
// Newest first; no status: all.
Page<TransactionView> list_transactions(store::Database& db,
                                        std::optional<TransactionStatus> status, std::int64_t page,
                                        std::int64_t page_size);
// Decides once: a second decision, also a concurrent one, is 409
// ERR_ALREADY_DECIDED. A rejection puts back the stock the payment took.
// The status change, its outbox event and its audit entry commit together.
TransactionView verify_transaction(store::Database& db, const std::string& actor,
                                   const std::string& id, bool approve,
                                   const std::optional<std::string>& note);

// nginx asks this before it opens a customer's events stream: 404 for an
// unknown transaction; otherwise the newest event is queued for a resend in
// case nchan lost it (the dispatcher skips it when nchan still has it).
void prepare_subscription(store::Database& db, const std::string& id);

}  // namespace umkm::service
