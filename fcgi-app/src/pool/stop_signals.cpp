#include "pool/stop_signals.h"

#include <signal.h>
#include <sys/signalfd.h>

#include <initializer_list>

namespace umkm::pool {

int open_stop_signals() {
    sigset_t stop;
    sigemptyset(&stop);
    for (int s : {SIGTERM, SIGINT, SIGQUIT}) sigaddset(&stop, s);
    ::sigprocmask(SIG_SETMASK, &stop, nullptr);

    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    for (int s : {SIGHUP, SIGPIPE, SIGUSR1}) ::sigaction(s, &ignore, nullptr);
    struct sigaction deflt {};
    deflt.sa_handler = SIG_DFL;
    sigemptyset(&deflt.sa_mask);
    ::sigaction(SIGCHLD, &deflt, nullptr);
    return ::signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK);
}

}  // namespace umkm::pool
