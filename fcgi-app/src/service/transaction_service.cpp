#include "service/transaction_service.h"

#include <map>

#include "json_io/shop_json.h"
#include "json_io/writer.h"
#include "service/paging.h"
#include "store/audit_store.h"
#include "store/event_store.h"
#include "store/goods_store.h"
#include "store/transaction_store.h"

namespace umkm::service {
namespace {

ShopError transaction_not_found() {
    return ShopError(ErrorKind::not_found, "transaction_id", "transaction not found");
}

}  // namespace

TransactionView get_transaction(store::Database& db, const std::string& id) {
    return db.read([&] {
        auto view = store::load_transaction_view(db, id);
        if (!view) throw transaction_not_found();
        return *view;
    });
}

Page<TransactionView> list_transactions(store::Database& db,
                                        std::optional<TransactionStatus> status, std::int64_t page,
                                        std::int64_t page_size) {
    return db.read([&] {
        Page<TransactionView> result;
        result.total_items = store::count_transactions(db, status);
        result.total_pages = total_pages(result.total_items, page_size);
        if (page - 1 < result.total_pages) {
            result.items =
                store::list_transaction_views(db, status, page_size, page_offset(page, page_size));
        }
        return result;
    });
}

void prepare_subscription(store::Database& db, const std::string& id) {
    db.transaction([&] {
        if (!store::transaction_exists(db, id)) throw transaction_not_found();
        store::request_event_resend(db, id);
        return true;
    });
}

TransactionView verify_transaction(store::Database& db, const std::string& actor,
                                   const std::string& id, bool approve,
                                   const std::optional<std::string>& note) {
    return db.transaction([&] {
        // The transaction row lock makes two admins deciding at once queue
        // up: the second sees the first's decision and gets 409.
        auto before = store::load_transaction_view(db, id, true);
        if (!before) throw transaction_not_found();
        const TransactionStatus was = before->transaction.status;
        if (was != TransactionStatus::paid) {
            throw ShopError(ErrorKind::already_decided, "decision",
                            std::string("transaction is already ") + status_name(was));
        }
        if (!approve) {
            // Lock order as in pay (goods by ascending id), then give back
            // exactly what the payment took, line by line.
            std::map<Id, std::int64_t> units;
            for (const TransactionItem& item : before->items) units[item.goods_id] += item.quantity;
            for (const auto& [goods_id, quantity] : units) {
                store::lock_goods(db, goods_id);
                store::add_stock(db, goods_id, quantity);
            }
        }
        const TransactionStatus status =
            approve ? TransactionStatus::verified : TransactionStatus::rejected;
        store::decide_transaction(db, id, status, note);
        auto after = store::load_transaction_view(db, id);
        store::insert_transaction_event(db, id, status, json::transaction_view(*after));

        AuditEntry entry;
        entry.actor = actor;
        entry.action = "transaction.verify";
        entry.target = "transaction/" + id;
        entry.before = json::Object().add("status", status_name(was)).str();
        json::Object decided;
        decided.add("status", status_name(status));
        if (note) {
            decided.add("note", *note);
        } else {
            decided.add_null("note");
        }
        entry.after = decided.str();
        store::insert_audit(db, entry);
        return *after;
    });
}

}  // namespace umkm::service
