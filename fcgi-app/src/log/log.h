// Logging to stderr (or a file): one line per event, "time level [pid] text".
// The pool's master and workers share the stream; lines are written with a
// single write(2) so they do not interleave.
#pragma once

#include <sstream>
#include <string>

namespace umkm::log {

enum class Level { error = 0, warn = 1, info = 2, debug = 3 };

// Throws std::invalid_argument for an unknown name.
Level parse_level(const std::string& name);
void set_level(Level level);
bool enabled(Level level);
// Reopens stderr onto `path` (append); empty keeps stderr.
void open_file(const std::string& path);
void write(Level level, const std::string& text);

}  // namespace umkm::log

#define UMKM_LOG(level, expr)                                                  \
    do {                                                                       \
        if (::umkm::log::enabled(::umkm::log::Level::level)) {                 \
            std::ostringstream umkm_log_os_;                                   \
            umkm_log_os_ << expr;                                              \
            ::umkm::log::write(::umkm::log::Level::level, umkm_log_os_.str()); \
        }                                                                      \
    } while (0)

#define LOG_ERROR(expr) UMKM_LOG(error, expr)
#define LOG_WARN(expr) UMKM_LOG(warn, expr)
#define LOG_INFO(expr) UMKM_LOG(info, expr)
#define LOG_DEBUG(expr) UMKM_LOG(debug, expr)
