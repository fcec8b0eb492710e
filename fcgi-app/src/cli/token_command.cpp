#include "cli/token_command.h"

#include <cppconn/datatype.h>
#include <cppconn/exception.h>

#include <cstdint>
#include <stdexcept>

#include "crypto/token.h"
#include "domain/errors.h"
#include "store/audit_store.h"
#include "store/database.h"

namespace umkm::cli {
namespace {

constexpr std::size_t max_name_length = 64;

// A refusal that the admin should read (exit 1); thrown inside a database
// transaction it also rolls the transaction back.
class Refused : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A name holds only [A-Za-z0-9._-], so it needs no JSON escaping.
std::string name_json(const std::string& name) {
    return "{\"name\":\"" + name + "\"}";
}

// Audit rows of the command line: actor 'cli' (the admin is whoever can run
// the binary with the database password), written in the caller's
// transaction.
void audit(store::Database& db, const char* action, const std::string& name,
           const std::string* before, const std::string& after) {
    AuditEntry entry;
    entry.actor = "cli";
    entry.action = action;
    entry.target = "token/" + name;
    if (before) entry.before = *before;
    entry.after = after;
    store::insert_audit(db, entry);
}

int create(store::Database& db, const std::string& name, std::ostream& out) {
    std::string secret = crypto::new_secret();
    // The hash of the hex text, as the request path computes it from the
    // token it is shown.
    std::string hash = crypto::sha256(secret);
    std::int64_t id = db.transaction([&] {
        // Names compare case-insensitively (the column's collation): "Alice"
        // finds "alice". FOR UPDATE keeps a concurrent revoke or reuse out.
        sql::PreparedStatement& find = db.prepare(
            "SELECT id, name, revoked_at IS NULL FROM admin_tokens WHERE name = ? FOR UPDATE");
        find.setString(1, name);
        store::ResultSetPtr row(find.executeQuery());
        std::int64_t token_id = 0;
        if (row->next()) {
            token_id = row->getInt64(1);
            if (row->getBoolean(3)) {
                throw Refused("an active token named '" + row->getString(2).asStdString() +
                              "' exists; revoke it first to replace it");
            }
            // A revoked name is reused: same id, new secret, a fresh life.
            // The old token stays dead, since its secret no longer matches.
            sql::PreparedStatement& reuse = db.prepare(
                "UPDATE admin_tokens SET name = ?, secret_sha256 = ?, "
                "created_at = UTC_TIMESTAMP(6), revoked_at = NULL, last_used_at = NULL "
                "WHERE id = ?");
            reuse.setString(1, name);
            reuse.setString(2, hash);
            reuse.setInt64(3, token_id);
            reuse.executeUpdate();
        } else {
            sql::PreparedStatement& insert = db.prepare(
                "INSERT INTO admin_tokens (name, secret_sha256, created_at) "
                "VALUES (?, ?, UTC_TIMESTAMP(6))");
            insert.setString(1, name);
            insert.setString(2, hash);
            insert.executeUpdate();
            store::ResultSetPtr last(db.prepare("SELECT LAST_INSERT_ID()").executeQuery());
            last->next();
            token_id = last->getInt64(1);
        }
        audit(db, "token.create", name, nullptr, name_json(name));
        return token_id;
    });
    out << "token for " << name << " (shown once, store it now):\n"
        << crypto::format_token(id, secret) << "\n";
    return 0;
}

int list(store::Database& db, std::ostream& out, std::ostream& err) {
    struct Row {
        std::string name, id, created, last_used, revoked;
    };
    auto rows = db.read([&] {
        sql::PreparedStatement& ps = db.prepare(
            "SELECT name, id, DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ'), "
            "DATE_FORMAT(last_used_at, '%Y-%m-%dT%H:%i:%sZ'), "
            "DATE_FORMAT(revoked_at, '%Y-%m-%dT%H:%i:%sZ') FROM admin_tokens ORDER BY id");
        store::ResultSetPtr rs(ps.executeQuery());
        std::vector<Row> found;
        auto time_or_dash = [&](int column) {
            return rs->isNull(column) ? std::string("-") : rs->getString(column).asStdString();
        };
        while (rs->next()) {
            found.push_back({rs->getString(1).asStdString(), std::to_string(rs->getInt64(2)),
                             time_or_dash(3), time_or_dash(4), time_or_dash(5)});
        }
        return found;
    });
    for (const Row& r : rows) {
        out << "name=" << r.name << " id=" << r.id << " created_at=" << r.created
            << " last_used_at=" << r.last_used << " revoked_at=" << r.revoked << "\n";
    }
    if (rows.empty()) err << "umkm-fcgi: no tokens\n";
    return 0;
}

int revoke(store::Database& db, const std::string& name, std::ostream& out) {
    auto [id, stored_name] = db.transaction([&] {
        sql::PreparedStatement& find = db.prepare(
            "SELECT id, name FROM admin_tokens WHERE name = ? AND revoked_at IS NULL "
            "FOR UPDATE");
        find.setString(1, name);
        store::ResultSetPtr row(find.executeQuery());
        if (!row->next()) throw Refused("no active token named '" + name + "'");
        std::int64_t token_id = row->getInt64(1);
        std::string token_name = row->getString(2).asStdString();
        sql::PreparedStatement& update =
            db.prepare("UPDATE admin_tokens SET revoked_at = UTC_TIMESTAMP(6) WHERE id = ?");
        update.setInt64(1, token_id);
        update.executeUpdate();
        std::string before = "{\"name\":\"" + token_name + "\",\"revoked\":false}";
        audit(db, "token.revoke", token_name, &before,
              "{\"name\":\"" + token_name + "\",\"revoked\":true}");
        return std::make_pair(token_id, token_name);
    });
    out << "revoked token " << stored_name << " (id " << id << ")\n";
    return 0;
}

int usage_error(std::ostream& err, const std::string& problem) {
    err << "umkm-fcgi: " << problem << "\n" << token_usage();
    return 2;
}

}  // namespace

bool valid_token_name(const std::string& name) {
    if (name.empty() || name.size() > max_name_length) return false;
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

const char* token_usage() {
    return "usage: umkm-fcgi [-c FILE] token create NAME   create a token, print it once\n"
           "       umkm-fcgi [-c FILE] token list          list tokens (never their secrets)\n"
           "       umkm-fcgi [-c FILE] token revoke NAME   revoke the active token NAME\n"
           "  NAME: 1-64 characters of A-Z a-z 0-9 . _ -\n";
}

int run_token_command(const Config& config, const std::vector<std::string>& args, std::ostream& out,
                      std::ostream& err) {
    if (args.empty()) return usage_error(err, "token: missing command");
    const std::string& command = args[0];
    bool takes_name = command == "create" || command == "revoke";
    if (!takes_name && command != "list") {
        return usage_error(err, "token: unknown command '" + command + "'");
    }
    if (args.size() != (takes_name ? 2u : 1u)) {
        return usage_error(err, "token " + command + ": wrong number of arguments");
    }
    if (takes_name && !valid_token_name(args[1])) {
        return usage_error(
            err, "invalid token name '" + args[1] + "' (1-64 characters of A-Z a-z 0-9 . _ -)");
    }
    store::Database db(config.database);
    try {
        if (command == "create") return create(db, args[1], out);
        if (command == "revoke") return revoke(db, args[1], out);
        return list(db, out, err);
    } catch (const Refused& e) {
        err << "umkm-fcgi: " << e.what() << "\n";
    } catch (const ShopError& e) {
        // The database is down or unreachable (the cause was logged above).
        err << "umkm-fcgi: " << e.what() << " (database " << config.database.name << " as "
            << config.database.user << ")\n";
    } catch (const sql::SQLException& e) {
        if (e.getErrorCode() == 1062) {  // ER_DUP_ENTRY: a create of the same name won the race
            err << "umkm-fcgi: a token named '" << args[1]
                << "' was created at the same moment; nothing was changed\n";
        } else {
            err << "umkm-fcgi: database error " << e.getErrorCode() << ": " << e.what() << "\n";
        }
    } catch (const std::exception& e) {
        err << "umkm-fcgi: " << e.what() << "\n";
    }
    return 1;
}

}  // namespace umkm::cli
