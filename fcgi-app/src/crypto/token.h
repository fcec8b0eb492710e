// Admin bearer tokens: "umkm_<id>_<secret>", where <id> is the row of
// admin_tokens and <secret> 64 lower-case hex characters (32 random bytes).
// Only SHA-256(secret) is stored; the request path finds the row by id and
// compares the hashes in constant time, so a wrong token costs one indexed
// lookup and reveals nothing through timing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace umkm::crypto {

// Characters of the secret: 32 bytes as hex.
constexpr std::size_t secret_length = 64;

struct ParsedToken {
    std::int64_t id;
    std::string secret;  // 64 lower-case hex characters
};

// The token itself (without "Bearer "), in its exact form: "umkm_", a
// decimal id from 1 to INT64_MAX without sign or leading zeros, "_", and 64
// lower-case hex digits; nothing before or after (no whitespace either).
// Anything else is nullopt.
std::optional<ParsedToken> parse_token(const std::string& bearer_value);

// The token shown to the admin for row `id` and `secret`.
std::string format_token(std::int64_t id, const std::string& secret);

// SHA-256 of `data`: 32 raw bytes. Throws std::runtime_error if OpenSSL fails.
std::string sha256(const std::string& data);

// Lower-case hex of `bytes`.
std::string to_hex(const std::string& bytes);

// Compares in time that depends only on the length (CRYPTO_memcmp); false
// when the sizes differ.
bool equal_in_constant_time(const std::string& a, const std::string& b);

// 64 lower-case hex characters from 32 bytes of getrandom(2). Throws
// std::runtime_error if the kernel cannot supply them.
std::string new_secret();

}  // namespace umkm::crypto
