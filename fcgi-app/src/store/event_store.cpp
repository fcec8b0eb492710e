#include "store/event_store.h"

#include "store/statements.h"

namespace umkm::store {

void insert_transaction_event(Database& db, const std::string& transaction_id,
                              TransactionStatus status, const std::string& payload) {
    sql::PreparedStatement& ps =
        prepare(db,
                "INSERT INTO transaction_events (transaction_id, seq, status, payload) "
                "SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ? FROM transaction_events "
                "WHERE transaction_id = ?");
    ps.setString(1, transaction_id);
    ps.setString(2, status_name(status));
    ps.setString(3, payload);
    ps.setString(4, transaction_id);
    ps.executeUpdate();
}

void request_event_resend(Database& db, const std::string& transaction_id) {
    // Shared lock on the transaction row first: a verify in progress (which
    // holds it exclusively) commits before we pick the newest event, so an
    // older state is never flagged to be published after a newer one.
    sql::PreparedStatement& row =
        prepare(db, "SELECT 1 FROM transactions WHERE id = ? LOCK IN SHARE MODE");
    row.setString(1, transaction_id);
    ResultSetPtr locked(row.executeQuery());
    sql::PreparedStatement& newest =
        prepare(db, "SELECT MAX(id) FROM transaction_events WHERE transaction_id = ?");
    newest.setString(1, transaction_id);
    ResultSetPtr rs(newest.executeQuery());
    if (!rs->next() || rs->isNull(1)) return;
    // Only a published event: one still pending goes out anyway.
    sql::PreparedStatement& ps =
        prepare(db,
                "UPDATE transaction_events SET published_at = NULL, resend = 1 "
                "WHERE id = ? AND published_at IS NOT NULL");
    ps.setInt64(1, rs->getInt64(1));
    ps.executeUpdate();
}

std::vector<OutboxEvent> pending_events(Database& db, int limit) {
    // Served by the index (published_at, id): only the pending rows.
    sql::PreparedStatement& ps =
        prepare(db,
                "SELECT id, transaction_id, seq, payload, resend FROM transaction_events "
                "WHERE published_at IS NULL ORDER BY id LIMIT ?");
    ps.setInt(1, limit);
    ResultSetPtr rs(ps.executeQuery());
    std::vector<OutboxEvent> events;
    while (rs->next()) {
        events.push_back({rs->getInt64(1), rs->getString(2).asStdString(), rs->getInt(3),
                          rs->getString(4).asStdString(), rs->getInt(5) != 0});
    }
    return events;
}

void mark_events_published(Database& db, const std::vector<std::int64_t>& ids) {
    // "AND published_at IS NULL": should two dispatchers ever overlap, the
    // first publication's time is the one kept.
    sql::PreparedStatement& ps =
        prepare(db,
                "UPDATE transaction_events SET published_at = UTC_TIMESTAMP(6), resend = 0 "
                "WHERE id = ? AND published_at IS NULL");
    for (std::int64_t id : ids) {
        ps.setInt64(1, id);
        ps.executeUpdate();
    }
}

}  // namespace umkm::store
