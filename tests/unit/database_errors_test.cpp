// How a database error decides a request's fate: retried (lock conflicts),
// a 503 to retry later (server gone, disk full), or a 500 (a bug).
#include <cppconn/exception.h>

#include <boost/test/unit_test.hpp>

#include "store/database.h"

using umkm::store::classify;
using umkm::store::SqlFailure;

namespace {

SqlFailure of(int code, const std::string& message = "") {
    return classify(sql::SQLException(message, "HY000", code));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(database_errors)

BOOST_AUTO_TEST_CASE(lock_conflicts_are_retried) {
    BOOST_TEST((of(1213) == SqlFailure::conflict));
    BOOST_TEST((of(1205) == SqlFailure::conflict));
}

BOOST_AUTO_TEST_CASE(a_server_gone_or_unreachable_is_a_lost_connection) {
    for (int code : {1053, 2002, 2006, 2013}) BOOST_TEST((of(code) == SqlFailure::connection_lost));
}

BOOST_AUTO_TEST_CASE(a_galera_node_out_of_the_cluster_is_left_for_another_host) {
    BOOST_TEST((of(1047, "WSREP has not yet prepared node for application use") ==
                SqlFailure::connection_lost));
}

BOOST_AUTO_TEST_CASE(a_galera_certification_failure_at_commit_is_retried_like_a_deadlock) {
    // Galera reports a write set that lost certification to another node's
    // as a deadlock, at COMMIT or at the next statement.
    BOOST_TEST((of(1213,
                   "WSREP detected deadlock/conflict and aborted the transaction. Try "
                   "restarting the transaction") == SqlFailure::conflict));
}

BOOST_AUTO_TEST_CASE(a_full_disk_is_no_space_whichever_way_mariadb_says_it) {
    BOOST_TEST((of(1114, "The table 'carts' is full") == SqlFailure::no_space));
    BOOST_TEST((of(1021) == SqlFailure::no_space));
    BOOST_TEST((of(1030, "Got error 28 \"No space left on device\" from storage engine InnoDB") ==
                SqlFailure::no_space));
    // Another errno from the engine is not a full disk.
    BOOST_TEST(
        (of(1030, "Got error 5 \"Input/output error\" from storage engine") == SqlFailure::other));
}

BOOST_AUTO_TEST_CASE(anything_else_is_never_retried) {
    BOOST_TEST((of(1062, "Duplicate entry") == SqlFailure::other));
    BOOST_TEST((of(1064, "You have an error in your SQL syntax") == SqlFailure::other));
}

BOOST_AUTO_TEST_SUITE_END()
