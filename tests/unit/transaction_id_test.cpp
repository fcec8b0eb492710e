#include <boost/test/unit_test.hpp>

#include "controller/shop_controller.h"

using umkm::controller::transaction_id_of;

BOOST_AUTO_TEST_SUITE(transaction_id)

BOOST_AUTO_TEST_CASE(uuids_are_accepted_and_lower_cased) {
    BOOST_TEST(transaction_id_of("b915141c-82a9-48eb-842f-b4c64794dcb9").value() ==
               "b915141c-82a9-48eb-842f-b4c64794dcb9");
    BOOST_TEST(transaction_id_of("B915141C-82A9-48EB-842F-B4C64794DCB9").value() ==
               "b915141c-82a9-48eb-842f-b4c64794dcb9");
}

BOOST_AUTO_TEST_CASE(anything_else_is_not_a_transaction) {
    for (const char* bad :
         {"", "1", "b915141c82a948eb842fb4c64794dcb9", "b915141c-82a9-48eb-842f-b4c64794dcb",
          "b915141c-82a9-48eb-842f-b4c64794dcb9a", "g915141c-82a9-48eb-842f-b4c64794dcb9",
          "b915141c_82a9-48eb-842f-b4c64794dcb9", "b915141c-82a9-48eb-842f-b4c64794dc'9"}) {
        BOOST_TEST_CONTEXT("id " << bad) {
            BOOST_TEST(!transaction_id_of(bad).has_value());
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
