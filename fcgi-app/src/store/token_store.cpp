#include "store/token_store.h"

#include <cppconn/exception.h>

#include "store/statements.h"

namespace umkm::store {
namespace {

constexpr int er_dup_entry = 1062;

#define UMKM_TOKEN_COLUMNS \
    "SELECT id, name, secret_sha256, revoked_at IS NOT NULL FROM admin_tokens "

std::optional<AdminToken> one_token(sql::PreparedStatement& ps) {
    ResultSetPtr rs(ps.executeQuery());
    if (!rs->next()) return std::nullopt;
    AdminToken t;
    t.id = rs->getInt64(1);
    t.name = rs->getString(2).asStdString();
    t.secret_sha256 = rs->getString(3).asStdString();
    t.revoked = rs->getInt(4) != 0;
    return t;
}

}  // namespace

std::optional<AdminToken> find_admin_token(Database& db, Id id) {
    sql::PreparedStatement& ps = prepare(db, UMKM_TOKEN_COLUMNS "WHERE id = ?");
    ps.setInt64(1, id);
    return one_token(ps);
}

std::optional<AdminToken> lock_admin_token_named(Database& db, const std::string& name) {
    sql::PreparedStatement& ps = prepare(db, UMKM_TOKEN_COLUMNS "WHERE name = ? FOR UPDATE");
    ps.setString(1, name);
    return one_token(ps);
}

std::optional<Id> insert_admin_token(Database& db, const std::string& name,
                                     const std::string& secret_sha256) {
    sql::PreparedStatement& ps = prepare(db,
                                         "INSERT INTO admin_tokens (name, secret_sha256, "
                                         "created_at) VALUES (?, ?, UTC_TIMESTAMP(6))");
    ps.setString(1, name);
    ps.setString(2, secret_sha256);
    try {
        ps.executeUpdate();
    } catch (const sql::SQLException& e) {
        // The statement failed alone; the caller's transaction goes on (and
        // is expected to give up).
        if (e.getErrorCode() == er_dup_entry) return std::nullopt;
        throw;
    }
    ResultSetPtr rs(prepare(db, "SELECT LAST_INSERT_ID()").executeQuery());
    rs->next();
    return rs->getInt64(1);
}

void renew_admin_token(Database& db, Id id, const std::string& name,
                       const std::string& secret_sha256) {
    sql::PreparedStatement& ps = prepare(db,
                                         "UPDATE admin_tokens SET name = ?, secret_sha256 = ?, "
                                         "created_at = UTC_TIMESTAMP(6), revoked_at = NULL, "
                                         "last_used_at = NULL WHERE id = ?");
    ps.setString(1, name);
    ps.setString(2, secret_sha256);
    ps.setInt64(3, id);
    ps.executeUpdate();
}

void revoke_admin_token(Database& db, Id id) {
    sql::PreparedStatement& ps =
        prepare(db, "UPDATE admin_tokens SET revoked_at = UTC_TIMESTAMP(6) WHERE id = ?");
    ps.setInt64(1, id);
    ps.executeUpdate();
}

std::vector<AdminTokenListing> list_admin_tokens(Database& db) {
    static const std::string statement =
        std::string("SELECT id, name, ") + UMKM_RFC3339("created_at") + ", " +
        UMKM_RFC3339("last_used_at") + ", " + UMKM_RFC3339("revoked_at") +
        " FROM admin_tokens ORDER BY id";
    sql::PreparedStatement& ps = prepare(db, statement.c_str());
    ResultSetPtr rs(ps.executeQuery());
    std::vector<AdminTokenListing> tokens;
    const auto optional_text = [&](int column) -> std::optional<std::string> {
        if (rs->isNull(column)) return std::nullopt;
        return rs->getString(column).asStdString();
    };
    while (rs->next()) {
        AdminTokenListing t;
        t.id = rs->getInt64(1);
        t.name = rs->getString(2).asStdString();
        t.created_at = rs->getString(3).asStdString();
        t.last_used_at = optional_text(4);
        t.revoked_at = optional_text(5);
        tokens.push_back(std::move(t));
    }
    return tokens;
}

}  // namespace umkm::store
