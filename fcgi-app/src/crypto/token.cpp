#include "crypto/token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace umkm::crypto {
namespace {

constexpr char prefix[] = "umkm_";
constexpr std::size_t prefix_length = sizeof prefix - 1;
constexpr std::size_t secret_bytes = secret_length / 2;

bool is_lower_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

// A decimal in [1, INT64_MAX] without sign or leading zeros.
std::optional<std::int64_t> parse_id(const std::string& text) {
    if (text.empty() || text.size() > 19 || text[0] == '0') return std::nullopt;
    std::int64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        int digit = c - '0';
        if (value > (std::numeric_limits<std::int64_t>::max() - digit) / 10) return std::nullopt;
        value = value * 10 + digit;
    }
    return value;
}

}  // namespace

std::optional<ParsedToken> parse_token(const std::string& bearer_value) {
    if (bearer_value.compare(0, prefix_length, prefix) != 0) return std::nullopt;
    // The secret is the fixed-length tail; the id sits between the prefix
    // and the '_' just before it.
    if (bearer_value.size() < prefix_length + 2 + secret_length) return std::nullopt;
    std::size_t secret_at = bearer_value.size() - secret_length;
    if (bearer_value[secret_at - 1] != '_') return std::nullopt;
    std::string secret = bearer_value.substr(secret_at);
    for (char c : secret) {
        if (!is_lower_hex(c)) return std::nullopt;
    }
    auto id = parse_id(bearer_value.substr(prefix_length, secret_at - 1 - prefix_length));
    if (!id) return std::nullopt;
    return ParsedToken{*id, std::move(secret)};
}

std::string format_token(std::int64_t id, const std::string& secret) {
    return prefix + std::to_string(id) + "_" + secret;
}

std::string sha256(const std::string& data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("SHA-256 failed");
    }
    return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string to_hex(const std::string& bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(bytes.size() * 2);
    for (unsigned char b : bytes) {
        hex += digits[b >> 4];
        hex += digits[b & 0x0f];
    }
    return hex;
}

bool equal_in_constant_time(const std::string& a, const std::string& b) {
    // The sizes are not secret (a SHA-256 is always 32 bytes).
    if (a.size() != b.size()) return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string new_secret() {
    std::string bytes(secret_bytes, '\0');
    std::size_t filled = 0;
    while (filled < bytes.size()) {
        // Blocks only until the kernel's pool is first initialised at boot;
        // up to 256 bytes are never cut short once it is, but an interrupt
        // is retried all the same.
        ssize_t n = ::getrandom(&bytes[filled], bytes.size() - filled, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error(std::string("getrandom failed: ") + std::strerror(errno));
        }
        filled += static_cast<std::size_t>(n);
    }
    return to_hex(bytes);
}

}  // namespace umkm::crypto
