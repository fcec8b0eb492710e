#include "crypto/token.h"

#include <boost/test/unit_test.hpp>
#include <limits>
#include <set>
#include <sstream>
#include <vector>

#include "cli/token_command.h"
#include "config/config.h"

namespace crypto = umkm::crypto;

namespace {

const std::string hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

}  // namespace

BOOST_AUTO_TEST_SUITE(token)

BOOST_AUTO_TEST_CASE(parses_the_exact_form) {
    auto t = crypto::parse_token("umkm_42_" + hex64);
    BOOST_TEST_REQUIRE(t.has_value());
    BOOST_TEST(t->id == 42);
    BOOST_TEST(t->secret == hex64);

    auto largest = crypto::parse_token("umkm_9223372036854775807_" + hex64);
    BOOST_TEST_REQUIRE(largest.has_value());
    BOOST_TEST(largest->id == std::numeric_limits<std::int64_t>::max());
}

BOOST_AUTO_TEST_CASE(rejects_every_other_form) {
    const std::string upper = "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef";
    for (const std::string& bad : std::vector<std::string>{
             "",
             "umkm_1_",
             "umkm_1",
             "umkm__" + hex64,                       // no id
             "UMKM_1_" + hex64,                      // prefix is case-sensitive
             "umk_1_" + hex64,                       // wrong prefix
             "xumkm_1_" + hex64,                     // something before
             "Bearer umkm_1_" + hex64,               // the scheme is not part of it
             " umkm_1_" + hex64,                     // whitespace
             "umkm_1_" + hex64 + " ",                //
             "umkm_1_" + hex64 + "\n",               //
             "umkm_1_" + hex64 + "0",                // secret too long
             "umkm_1_" + hex64.substr(1),            // secret too short
             "umkm_12_" + hex64.substr(1),           // ... even when the length adds up
             "umkm_1_" + upper,                      // upper-case hex
             "umkm_1_" + hex64.substr(0, 63) + "g",  // not hex
             "umkm_1x_" + hex64,                     // id not digits
             "umkm_-1_" + hex64,                     // sign
             "umkm_+1_" + hex64,                     //
             "umkm_0_" + hex64,                      // ids start at 1
             "umkm_01_" + hex64,                     // leading zero
             "umkm_9223372036854775808_" + hex64,    // INT64_MAX + 1
             "umkm_99999999999999999999_" + hex64,   // 20 digits
             "umkm_1_2_" + hex64,                    // extra field
             "umkm_1__" + hex64,                     //
             "umkm_1-" + hex64,                      // wrong separator
             "umkm_1_" + hex64.substr(0, 32) + std::string(1, '\0') + hex64.substr(33),
         }) {
        BOOST_TEST(!crypto::parse_token(bad).has_value(), "accepted: " << bad);
    }
}

BOOST_AUTO_TEST_CASE(format_and_parse_round_trip) {
    std::string secret = crypto::new_secret();
    auto t = crypto::parse_token(crypto::format_token(7, secret));
    BOOST_TEST_REQUIRE(t.has_value());
    BOOST_TEST(t->id == 7);
    BOOST_TEST(t->secret == secret);
}

BOOST_AUTO_TEST_CASE(sha256_matches_known_vectors) {
    BOOST_TEST(crypto::sha256("").size() == 32u);
    BOOST_TEST(crypto::to_hex(crypto::sha256("")) ==
               "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    BOOST_TEST(crypto::to_hex(crypto::sha256("abc")) ==
               "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    BOOST_TEST(crypto::to_hex(
                   crypto::sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
               "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    // Binary input, NUL included.
    BOOST_TEST(crypto::sha256(std::string("a\0b", 3)) != crypto::sha256("a"));
}

BOOST_AUTO_TEST_CASE(compares_in_constant_time_by_content_and_size) {
    std::string a = crypto::sha256("one");
    std::string b = crypto::sha256("two");
    BOOST_TEST(crypto::equal_in_constant_time(a, a));
    BOOST_TEST(crypto::equal_in_constant_time(a, std::string(a)));
    BOOST_TEST(!crypto::equal_in_constant_time(a, b));
    BOOST_TEST(!crypto::equal_in_constant_time(a, a.substr(0, 31)));
    BOOST_TEST(!crypto::equal_in_constant_time(a + "x", a));
    BOOST_TEST(crypto::equal_in_constant_time("", ""));
    std::string last_differs = a;
    last_differs[31] = static_cast<char>(last_differs[31] ^ 1);
    BOOST_TEST(!crypto::equal_in_constant_time(a, last_differs));
}

BOOST_AUTO_TEST_CASE(new_secrets_are_64_lower_hex_and_differ) {
    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) {
        std::string s = crypto::new_secret();
        BOOST_TEST(s.size() == crypto::secret_length);
        BOOST_TEST(s.find_first_not_of("0123456789abcdef") == std::string::npos);
        seen.insert(s);
    }
    BOOST_TEST(seen.size() == 50u);
}

BOOST_AUTO_TEST_CASE(token_names) {
    BOOST_TEST(umkm::cli::valid_token_name("alice"));
    BOOST_TEST(umkm::cli::valid_token_name("ops-2025.backup_1"));
    BOOST_TEST(umkm::cli::valid_token_name(std::string(64, 'a')));
    BOOST_TEST(!umkm::cli::valid_token_name(std::string(65, 'a')));
    BOOST_TEST(!umkm::cli::valid_token_name(""));
    BOOST_TEST(!umkm::cli::valid_token_name("a b"));
    BOOST_TEST(!umkm::cli::valid_token_name("a/b"));
    BOOST_TEST(!umkm::cli::valid_token_name("\"x\""));
    BOOST_TEST(!umkm::cli::valid_token_name("caf\xc3\xa9"));
}

namespace {

int run(const std::vector<std::string>& args, std::string& out, std::string& err) {
    umkm::Config config;
    // Nothing listens here: a command that reaches the database fails fast.
    config.database.socket = "/nonexistent/umkm-unit-test.sock";
    std::ostringstream o, e;
    int code = umkm::cli::run_token_command(config, args, o, e);
    out = o.str();
    err = e.str();
    return code;
}

}  // namespace

BOOST_AUTO_TEST_CASE(command_usage_errors_exit_2_without_touching_the_database) {
    std::string out, err;
    for (const auto& args : std::vector<std::vector<std::string>>{
             {},
             {"frobnicate"},
             {"create"},
             {"create", "a", "b"},
             {"list", "extra"},
             {"revoke"},
             {"create", "bad name"},
             {"revoke", std::string(65, 'x')},
         }) {
        BOOST_TEST(run(args, out, err) == 2);
        BOOST_TEST(out.empty());
        BOOST_TEST(err.find("usage:") != std::string::npos);
        BOOST_TEST(err.find("database") == std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(command_without_a_database_exits_1_and_prints_no_token) {
    std::string out, err;
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"create", "alice"}, {"list"}, {"revoke", "alice"}}) {
        BOOST_TEST(run(args, out, err) == 1);
        BOOST_TEST(out.empty());
        BOOST_TEST(err.find("database") != std::string::npos, err);
    }
}

BOOST_AUTO_TEST_SUITE_END()
