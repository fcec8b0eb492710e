#include "cli/token_command.h"

#include <cppconn/exception.h>

#include <cstdint>
#include <stdexcept>

#include "crypto/token.h"
#include "domain/errors.h"
#include "store/audit_store.h"
#include "store/database.h"
#include "store/token_store.h"

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
    Id id = db.transaction([&] {
        // Locked: a concurrent revoke or reuse of the name waits.
        auto token = store::lock_admin_token_named(db, name);
        Id token_id = 0;
        if (token) {
            if (!token->revoked) {
                throw Refused("an active token named '" + token->name +
                              "' exists; revoke it first to replace it");
            }
            // A revoked name is reused: same id, new secret, a fresh life.
            // The old token stays dead, since its secret no longer matches.
            token_id = token->id;
            store::renew_admin_token(db, token_id, name, hash);
        } else {
            auto inserted = store::insert_admin_token(db, name, hash);
            if (!inserted) {
                throw Refused("a token named '" + name +
                              "' was created at the same moment; nothing was changed");
            }
            token_id = *inserted;
        }
        audit(db, "token.create", name, nullptr, name_json(name));
        return token_id;
    });
    out << "token for " << name << " (shown once, store it now):\n"
        << crypto::format_token(id, secret) << "\n";
    return 0;
}

int list(store::Database& db, std::ostream& out, std::ostream& err) {
    auto tokens = db.read([&] { return store::list_admin_tokens(db); });
    for (const store::AdminTokenListing& t : tokens) {
        out << "name=" << t.name << " id=" << t.id << " created_at=" << t.created_at
            << " last_used_at=" << t.last_used_at.value_or("-")
            << " revoked_at=" << t.revoked_at.value_or("-") << "\n";
    }
    if (tokens.empty()) err << "umkm-fcgi: no tokens\n";
    return 0;
}

int revoke(store::Database& db, const std::string& name, std::ostream& out) {
    store::AdminToken revoked = db.transaction([&] {
        auto token = store::lock_admin_token_named(db, name);
        if (!token || token->revoked) throw Refused("no active token named '" + name + "'");
        store::revoke_admin_token(db, token->id);
        std::string before = "{\"name\":\"" + token->name + "\",\"revoked\":false}";
        audit(db, "token.revoke", token->name, &before,
              "{\"name\":\"" + token->name + "\",\"revoked\":true}");
        return *token;
    });
    out << "revoked token " << revoked.name << " (id " << revoked.id << ")\n";
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
        err << "umkm-fcgi: database error " << e.getErrorCode() << ": " << e.what() << "\n";
    } catch (const std::exception& e) {
        err << "umkm-fcgi: " << e.what() << "\n";
    }
    return 1;
}

}  // namespace umkm::cli
