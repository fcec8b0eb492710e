#include "store/audit_store.h"

#include "store/statements.h"

namespace umkm::store {

void insert_audit(Database& db, const AuditEntry& entry) {
    sql::PreparedStatement& ps =
        prepare(db,
                "INSERT INTO audit_log (actor, action, target, before_state, after_state) "
                "VALUES (?, ?, ?, ?, ?)");
    ps.setString(1, entry.actor);
    ps.setString(2, entry.action);
    ps.setString(3, entry.target);
    set_optional_string(ps, 4, entry.before);
    set_optional_string(ps, 5, entry.after);
    ps.executeUpdate();
}

std::vector<AuditEntry> list_audit(Database& db, std::int64_t limit, std::int64_t offset) {
    sql::PreparedStatement& ps =
        prepare(db,
                "SELECT id, actor, action, target, before_state, after_state, "
                "DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ') FROM audit_log "
                "ORDER BY id DESC LIMIT ? OFFSET ?");
    ps.setInt64(1, limit);
    ps.setInt64(2, offset);
    ResultSetPtr rs(ps.executeQuery());
    std::vector<AuditEntry> entries;
    while (rs->next()) {
        AuditEntry e;
        e.id = rs->getInt64(1);
        e.actor = rs->getString(2).asStdString();
        e.action = rs->getString(3).asStdString();
        e.target = rs->getString(4).asStdString();
        if (!rs->isNull(5)) e.before = rs->getString(5).asStdString();
        if (!rs->isNull(6)) e.after = rs->getString(6).asStdString();
        e.at = rs->getString(7).asStdString();
        entries.push_back(std::move(e));
    }
    return entries;
}

std::int64_t count_audit(Database& db) {
    ResultSetPtr rs(prepare(db, "SELECT COUNT(*) FROM audit_log").executeQuery());
    rs->next();
    return rs->getInt64(1);
}

}  // namespace umkm::store
