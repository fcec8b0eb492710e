// umkm-fcgi: the shop's FastCGI worker pool.
//
//   umkm-fcgi [-c FILE]      run in the foreground (systemd style) with FILE
//   umkm-fcgi -t [-c FILE]   check the configuration and exit
//   umkm-fcgi [-c FILE] token create NAME | list | revoke NAME
//                            manage admin tokens (cli/token_command.h);
//                            -c may also follow the token command
//
// FILE defaults to $UMKM_CONFIG, then /etc/umkm/umkm.conf.
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "cli/token_command.h"
#include "config/config.h"
#include "log/log.h"
#include "pool/master.h"

namespace {

void usage(std::ostream& out) {
    out << "usage: umkm-fcgi [-c FILE] [-t]\n"
           "  -c FILE  configuration file (default: $UMKM_CONFIG or /etc/umkm/umkm.conf)\n"
           "  -t       test the configuration and exit\n"
        << umkm::cli::token_usage();
}

}  // namespace

int main(int argc, char** argv) {
    const char* env = std::getenv("UMKM_CONFIG");
    std::string path = env && *env ? env : "/etc/umkm/umkm.conf";
    bool test_only = false;
    // "token" starts a command; the words after it are its arguments, and
    // -c FILE is accepted before or after it ("--" ends the options, for a
    // name that starts with '-').
    bool token_command = false;
    bool options_done = false;
    std::vector<std::string> command_args;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (!options_done && arg == "-c") {
            if (i + 1 >= argc) {
                usage(std::cerr);
                return 2;
            }
            path = argv[++i];
        } else if (!options_done && arg == "-t" && !token_command) {
            test_only = true;
        } else if (!options_done && (arg == "-h" || arg == "--help")) {
            usage(std::cout);
            return 0;
        } else if (!options_done && arg == "--") {
            options_done = true;
        } else if (token_command && (options_done || arg.empty() || arg[0] != '-')) {
            command_args.push_back(arg);
        } else if (!token_command && !test_only && arg == "token") {
            token_command = true;
        } else {
            usage(std::cerr);
            return 2;
        }
    }
    umkm::Config config;
    std::vector<std::string> warnings;  // logged where each mode logs
    try {
        config = umkm::load_config(path, &warnings);
    } catch (const std::exception& e) {
        std::cerr << "umkm-fcgi: " << e.what() << "\n";
        return 1;
    }
    const auto log_warnings = [&] {
        for (const std::string& warning : warnings) LOG_WARN(warning);
    };
    if (token_command) {
        // Problems go to the terminal, not to the pool's log file.
        umkm::log::set_level(umkm::log::parse_level(config.log.level));
        log_warnings();
        return umkm::cli::run_token_command(config, command_args, std::cout, std::cerr);
    }
    if (test_only) {
        log_warnings();
        std::cout << "umkm-fcgi: configuration file " << path << " test is successful\n";
        return 0;
    }
    try {
        umkm::log::set_level(umkm::log::parse_level(config.log.level));
        umkm::log::open_file(config.log.file);
        log_warnings();
        umkm::pool::Master master(path, config);
        return master.run();
    } catch (const std::exception& e) {
        LOG_ERROR(e.what());
        return 1;
    }
}
