// umkm-fcgi: the shop's FastCGI worker pool.
//
//   umkm-fcgi [-c FILE]      run in the foreground (systemd style) with FILE
//   umkm-fcgi -t [-c FILE]   check the configuration and exit
//
// FILE defaults to $UMKM_CONFIG, then /etc/umkm/umkm.conf.
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "config/config.h"
#include "log/log.h"
#include "pool/master.h"

namespace {

void usage(std::ostream& out) {
    out << "usage: umkm-fcgi [-c FILE] [-t]\n"
           "  -c FILE  configuration file (default: $UMKM_CONFIG or /etc/umkm/umkm.conf)\n"
           "  -t       test the configuration and exit\n";
}

}  // namespace

int main(int argc, char** argv) {
    const char* env = std::getenv("UMKM_CONFIG");
    std::string path = env && *env ? env : "/etc/umkm/umkm.conf";
    bool test_only = false;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "-c" && i + 1 < argc) {
            path = argv[++i];
        } else if (arg == "-t") {
            test_only = true;
        } else if (arg == "-h" || arg == "--help") {
            usage(std::cout);
            return 0;
        } else {
            usage(std::cerr);
            return 2;
        }
    }
    umkm::Config config;
    try {
        config = umkm::load_config(path);
    } catch (const std::exception& e) {
        std::cerr << "umkm-fcgi: " << e.what() << "\n";
        return 1;
    }
    if (test_only) {
        std::cout << "umkm-fcgi: configuration file " << path << " test is successful\n";
        return 0;
    }
    try {
        umkm::log::set_level(umkm::log::parse_level(config.log.level));
        umkm::log::open_file(config.log.file);
        umkm::pool::Master master(path, config);
        return master.run();
    } catch (const std::exception& e) {
        LOG_ERROR(e.what());
        return 1;
    }
}
