// A worker process: accepts FastCGI requests on the shared listening socket
// one at a time, with its own database connection, until told to stop or
// until it has served max_requests.
#pragma once

#include <sys/types.h>

#include "config/config.h"
#include "pool/scoreboard.h"

namespace umkm::pool {

// Runs in the forked child of `master`; returns the process exit code.
int run_worker(const Config& config, int listen_fd, pid_t master, Scoreboard& board,
               WorkerSlot& slot);

}  // namespace umkm::pool
