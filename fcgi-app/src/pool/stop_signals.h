// How the pool's children (workers, the dispatcher) learn they must stop.
#pragma once

namespace umkm::pool {

// Blocks the stop signals (TERM, INT, QUIT) for the rest of the process's
// life and returns a non-blocking signalfd that reads them, to be waited on
// beside the process's other descriptors: a stop that arrives mid-request
// is acted on once the request is done, and one that arrives while work is
// queued is seen before the next piece (a handler plus epoll_pwait would
// leave it pending for as long as other descriptors stayed ready).
// HUP and USR1 are the master's business and ignored (libfcgi's own USR1
// handler would make every later accept fail); PIPE is ignored so that a
// vanished peer fails a write instead of killing the process. -1 on error.
int open_stop_signals();

}  // namespace umkm::pool
