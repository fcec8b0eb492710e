# shellcheck shell=bash
# Finding, waiting for and stopping the daemons a script started (MariaDB,
# the pool, nginx), by pid file and config file. Sourced by scripts/stack and
# scripts/cluster; sets no shell options of its own.

[[ -z "${_umkm_lib_process:-}" ]] || return 0
_umkm_lib_process=1
# shellcheck source=scripts/lib/common.sh
source "${BASH_SOURCE[0]%/*}/common.sh"

# Prints the path of the first of the programs named that is installed.
find_binary() {
    local name
    for name in "$@"; do
        # Debian keeps daemons in /usr/sbin, which is not on a normal user's PATH.
        if PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" command -v "$name"; then
            return 0
        fi
    done
    umkm_die "none of '$*' found; run scripts/run as root once to install packages"
}

# True if PID is a live (not zombie) process of ours: its command line names
# the config file it was started with (each daemon is started with one). A
# stale pid file can then never make us signal another stack's daemon, or
# an unrelated process that reused the number.
process_is() {
    local pid="$1" config="$2" cmdline
    [[ -r "/proc/$pid/status" ]] || return 1
    grep -q '^State:[[:space:]]*[ZX]' "/proc/$pid/status" 2>/dev/null && return 1
    cmdline=" $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true) "
    # A whole argument (or an --option=value), so /a/s/etc/my.cnf never
    # matches the stack in /b/a/s.
    [[ "$cmdline" == *[=\ ]"$config"\ * ]]
}

# True while PID exists and has not exited. Unlike process_is, it does not
# look at the command line: right after `spawn`, the child may still be the
# forked shell that has yet to exec the program.
alive() {
    local pid="$1"
    [[ -r "/proc/$pid/status" ]] || return 1
    ! grep -q '^State:[[:space:]]*[ZX]' "/proc/$pid/status" 2>/dev/null
}

# Prints the pid from a pid file if that process is alive and has CONFIG.
live_pid() {
    local file="$1" config="$2" pid
    [[ -r "$file" ]] || return 1
    pid="$(tr -cd '0-9' <"$file")"
    [[ -n "$pid" ]] && process_is "$pid" "$config" || return 1
    printf '%s\n' "$pid"
}

# Waits up to SECONDS for PID to be gone (or a zombie).
wait_gone() {
    local pid="$1" config="$2" seconds="$3" i
    for ((i = 0; i < seconds * 10; i++)); do
        process_is "$pid" "$config" || return 0
        sleep 0.1
    done
    return 1
}

# Sends SIGNAL to PID, waits, and escalates to KILL after SECONDS.
stop_pid() {
    local pid="$1" name="$2" config="$3" signal="$4" seconds="$5"
    kill -s "$signal" "$pid" 2>/dev/null || true
    wait_gone "$pid" "$config" "$seconds" && return 0
    umkm_warn "$name (pid $pid) still running after ${seconds}s; sending KILL"
    kill -s KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" "$config" 5 || umkm_die "$name (pid $pid) survived KILL"
}

# Prints the last lines of each log file given, for a failure message.
show_logs() {
    local file
    for file in "$@"; do
        [[ -s "$file" ]] || continue
        printf -- '--- last lines of %s ---\n' "$file" >&2
        tail -n 30 "$file" >&2
    done
}


# The HTTP status URL answers with (nothing: none), asked directly, never
# through a proxy of the environment.
umkm_http_code() {
    curl -s -o /dev/null -w '%{http_code}' --noproxy '*' --max-time 2 "$1" 2>/dev/null || true
}

# umkm_wait_for_200 URL SECONDS [COMMAND...]: waits until URL answers 200,
# giving up early when COMMAND (is the daemon still alive?) fails. On
# failure UMKM_LAST_CODE holds the last answer.
UMKM_LAST_CODE=
umkm_wait_for_200() {
    local url="$1" seconds="$2" i
    shift 2
    for ((i = 0; i < seconds * 5; i++)); do
        UMKM_LAST_CODE="$(umkm_http_code "$url")"
        [[ "$UMKM_LAST_CODE" == 200 ]] && return 0
        (($# == 0)) || "$@" >/dev/null 2>&1 || return 1
        sleep 0.2
    done
    return 1
}

# umkm_read_recorded FILE ARRAY: the KEY=VALUE lines a `start` recorded, into
# the associative array named ARRAY (nothing when there is no FILE).
# shellcheck disable=SC2034  # into: a reference to the caller's array
umkm_read_recorded() {
    local file="$1" line
    local -n into="$2"
    [[ -r "$file" ]] || return 0
    while IFS= read -r line; do
        into["${line%%=*}"]="${line#*=}"
    done <"$file"
}
