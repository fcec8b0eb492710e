#define BOOST_TEST_MODULE umkm_unit_tests
#include <boost/test/unit_test.hpp>
