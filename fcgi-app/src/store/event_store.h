// SQL for the transactional outbox, transaction_events
// (002_admin_and_events.sql): the status events written in the same database
// transaction as the change they tell of, and read and marked by the
// events dispatcher (pool/dispatcher.h) once nchan has them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/shop.h"
#include "store/database.h"

namespace umkm::store {

// One row of the outbox.
struct OutboxEvent {
    std::int64_t id = 0;
    std::string transaction_id;
    int seq = 0;  // 1, 2, ... per transaction
    std::string payload;
    bool resend = false;  // published before; asked again by a new subscriber
};

// Appends a status event, in the caller's transaction (the transaction row
// must be locked or just inserted, so seq is not raced).
void insert_transaction_event(Database& db, const std::string& transaction_id,
                              TransactionStatus status, const std::string& payload);

// Asks the dispatcher to make sure nchan still holds the transaction's
// newest event (see the resend column of 002_admin_and_events.sql).
void request_event_resend(Database& db, const std::string& transaction_id);

// The events not yet published, in id order, at most `limit`.
std::vector<OutboxEvent> pending_events(Database& db, int limit);
// Marks events published now; one already marked keeps its first time.
void mark_events_published(Database& db, const std::vector<std::int64_t>& ids);

}  // namespace umkm::store
