#include "store/token_store.h"

namespace umkm::store {

std::optional<AdminToken> find_admin_token(Database& db, Id id) {
    sql::PreparedStatement& ps = db.prepare(
        "SELECT id, name, secret_sha256, revoked_at IS NOT NULL FROM admin_tokens WHERE id = ?");
    ps.setInt64(1, id);
    ResultSetPtr rs(ps.executeQuery());
    if (!rs->next()) return std::nullopt;
    AdminToken t;
    t.id = rs->getInt64(1);
    t.name = rs->getString(2).asStdString();
    t.secret_sha256 = rs->getString(3).asStdString();
    t.revoked = rs->getInt(4) != 0;
    return t;
}

}  // namespace umkm::store
