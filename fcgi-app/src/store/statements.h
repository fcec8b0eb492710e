// For the stores (store/*.cpp) only: a Database's prepared statements and
// the driver's types that bind and read them. Nothing outside store/
// includes this, so SQL has one room (store/database.h).
#pragma once

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <memory>
#include <optional>
#include <string>

#include "store/database.h"

namespace umkm::store {

using ResultSetPtr = std::unique_ptr<sql::ResultSet>;

// The cached prepared statement for `sql_text` on db's current connection
// (a Database's friend: the stores' only way to SQL).
sql::PreparedStatement& prepare(Database& db, const char* sql_text);

// A DATETIME column as RFC 3339 text in UTC (the session's time zone is
// +00:00, store/database.cpp), whole seconds, as the API shows times.
#define UMKM_RFC3339(column) "DATE_FORMAT(" column ", '%Y-%m-%dT%H:%i:%sZ')"

// Binds `value`, or SQL NULL when there is none.
void set_optional_string(sql::PreparedStatement& ps, int index,
                         const std::optional<std::string>& value);

}  // namespace umkm::store
