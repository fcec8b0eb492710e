#include "domain/shop.h"

namespace umkm {

const char* status_name(TransactionStatus status) {
    switch (status) {
        case TransactionStatus::paid:
            return "PAID";
        case TransactionStatus::verified:
            return "VERIFIED";
        case TransactionStatus::rejected:
            return "REJECTED";
    }
    return "PAID";
}

std::optional<TransactionStatus> transaction_status_named(const std::string& name) {
    for (TransactionStatus status :
         {TransactionStatus::paid, TransactionStatus::verified, TransactionStatus::rejected}) {
        if (name == status_name(status)) return status;
    }
    return std::nullopt;
}

}  // namespace umkm
