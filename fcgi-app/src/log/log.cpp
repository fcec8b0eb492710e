#include "log/log.h"

#include <fcntl.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>

namespace umkm::log {
namespace {
Level current = Level::info;
const char* const names[] = {"error", "warn", "info", "debug"};
}  // namespace

Level parse_level(const std::string& name) {
    for (int i = 0; i < 4; ++i) {
        if (name == names[i]) return static_cast<Level>(i);
    }
    throw std::invalid_argument("unknown log level '" + name + "' (error, warn, info, debug)");
}

void set_level(Level level) {
    current = level;
}

bool enabled(Level level) {
    return static_cast<int>(level) <= static_cast<int>(current);
}

void open_file(const std::string& path) {
    if (path.empty()) return;
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0)
        throw std::runtime_error("cannot open log file " + path + ": " + std::strerror(errno));
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
}

void write(Level level, const std::string& text) {
    timeval tv{};
    ::gettimeofday(&tv, nullptr);
    tm utc{};
    ::gmtime_r(&tv.tv_sec, &utc);
    char stamp[40];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    char prefix[96];
    std::snprintf(prefix, sizeof prefix, "%s.%03ldZ %s [%d] ", stamp,
                  static_cast<long>(tv.tv_usec / 1000), names[static_cast<int>(level)],
                  static_cast<int>(::getpid()));
    std::string line = prefix + text + "\n";
    // One write(2) per line: O_APPEND keeps lines from several processes whole.
    ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
    (void)ignored;
}

}  // namespace umkm::log
