// `umkm-fcgi token create NAME | list | revoke NAME`: admin tokens managed on
// the server's command line, with the pool's [database] settings.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "config/config.h"

namespace umkm::cli {

// 1 to 64 characters of [A-Za-z0-9._-].
bool valid_token_name(const std::string& name);

// `args` are the words after "token" (e.g. {"create", "alice"}). Results go
// to `out` (a created token alone on its last line), problems to `err`.
// Returns the exit code: 0 done, 1 refused or failed, 2 usage error.
int run_token_command(const Config& config, const std::vector<std::string>& args, std::ostream& out,
                      std::ostream& err);

// The usage lines of the token commands, for the program's help.
const char* token_usage();

}  // namespace umkm::cli
