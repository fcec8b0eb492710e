# shellcheck shell=bash
# The umkm-fcgi pool of scripts/stack: pool_start, pool_stop, pool_status.
# Sourced; uses scripts/stack's paths and settings. Its configuration is
# conf/umkm.conf with this stack's values set (umkm_render_pool_conf).

[[ -z "${_umkm_lib_pool:-}" ]] || return 0
_umkm_lib_pool=1
# shellcheck source=scripts/lib/process.sh
source "${BASH_SOURCE[0]%/*}/process.sh"
# shellcheck source=scripts/lib/render.sh
source "${BASH_SOURCE[0]%/*}/render.sh"

pool_pid() { live_pid "$POOL_PID_FILE" "$POOL_CONF"; }

pool_binary() {
    printf '%s\n' "$UMKM_BUILD_DIR/fcgi-app/umkm-fcgi"
}

# Only what differs from conf/umkm.conf's defaults.
write_pool_conf() {
    local password socket="$DB_SOCKET" hosts=localhost allowed=""
    # Over TCP, only nginx (on this box) may connect.
    [[ "$POOL_LISTEN" != *:* ]] || allowed=127.0.0.1
    password="$(<"$APP_PASSWORD_FILE")"
    if db_external; then
        socket=""
        hosts="$UMKM_DB_HOSTS"
    fi
    umkm_render_pool_conf "$POOL_CONF" "Written by scripts/stack on every start from conf/umkm.conf; edits are lost." \
        pool.listen="$POOL_LISTEN" pool.listen_allowed_clients="$allowed" \
        pool.listen_backlog="$UMKM_LISTEN_BACKLOG" pool.workers="$UMKM_WORKERS" \
        pool.max_requests="$UMKM_MAX_REQUESTS" pool.request_timeout="$UMKM_REQUEST_TIMEOUT" \
        pool.max_queue_wait_ms="$UMKM_MAX_QUEUE_WAIT" \
        database.socket="$socket" database.host="$hosts" database.password="$password" \
        events.publish_url="http://127.0.0.1:$UMKM_HTTP_PORT/_umkm/events/publish/" \
        log.file="$LOG/umkm-fcgi.log"
}

# Stops what is left of a pool whose master is gone: workers orphaned by a
# SIGKILLed master keep a database connection each. The master was started
# with setsid, so they are the processes of the session it led; the kernel
# does not hand out a pid while a session still carries it as its id, so
# these can only be ours. The config check is belt and braces. (The workers
# also ask for SIGTERM when their master dies; this covers the window.)
reap_pool_session() {
    local sid pid i
    local -a left=()
    [[ -r "$POOL_PID_FILE" ]] || return 0
    sid="$(tr -cd '0-9' <"$POOL_PID_FILE")"
    [[ -n "$sid" ]] || return 0
    for pid in $(pgrep -s "$sid" 2>/dev/null || true); do
        process_is "$pid" "$POOL_CONF" && left+=("$pid")
    done
    ((${#left[@]})) || return 0
    umkm_log "stopping ${#left[@]} leftover umkm-fcgi process(es) of session $sid"
    kill -s TERM "${left[@]}" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        pgrep -s "$sid" >/dev/null 2>&1 || return 0
        sleep 0.1
    done
    kill -s KILL "${left[@]}" 2>/dev/null || true
}

# The pool's socket exists, or its TCP port takes connections (a worker
# accepts the probe and sees it close, which costs it nothing).
pool_listening() {
    if [[ "$POOL_LISTEN" == *:* ]]; then
        (exec 3<>"/dev/tcp/${POOL_LISTEN%:*}/${POOL_LISTEN##*:}") 2>/dev/null
    else
        [[ -S "$POOL_LISTEN" ]]
    fi
}

pool_start() {
    local pid binary i
    if pid="$(pool_pid)"; then
        umkm_log "umkm-fcgi already running (pid $pid)"
        return 0
    fi
    binary="$(pool_binary)"
    [[ -x "$binary" ]] ||
        umkm_die "umkm-fcgi is not built: $binary is missing (run scripts/run, or cmake --build build)"
    [[ -s "$APP_PASSWORD_FILE" ]] || umkm_die "no database user yet: run scripts/stack start first"
    make_dirs
    reap_pool_session
    write_pool_conf
    # No live master owns it (checked above): a socket left by a killed one.
    rm -f "$FCGI_SOCKET"
    local -a pool_command=("$binary")
    # An arm64 build run under qemu-user (scripts/test's arm64 stage).
    # shellcheck disable=SC2206  # "qemu-aarch64 -cpu max": words on purpose
    [[ -z "${UMKM_POOL_EMULATOR:-}" ]] || pool_command=($UMKM_POOL_EMULATOR "$binary")
    spawn "${pool_command[@]}" -c "$POOL_CONF" >>"$LOG/umkm-fcgi.log" 2>&1
    pid=$!
    printf '%s\n' "$pid" >"$POOL_PID_FILE"
    for ((i = 0; i < 50; i++)); do
        pool_listening && break
        alive "$pid" || break
        sleep 0.2
    done
    if ! process_is "$pid" "$POOL_CONF" || ! pool_listening; then
        show_logs "$LOG/umkm-fcgi.log"
        umkm_die "umkm-fcgi (pid $pid) did not come up listening on $POOL_LISTEN"
    fi
    umkm_log "umkm-fcgi running (pid $pid, $UMKM_WORKERS workers, listening on $POOL_LISTEN)"
}

pool_stop() {
    local pid
    if pid="$(pool_pid)"; then
        # TERM: in-flight requests finish, nothing new is accepted; the pool's
        # shutdown_timeout is 30 s, so 35 s is its own deadline plus margin.
        stop_pid "$pid" umkm-fcgi "$POOL_CONF" TERM 35
        umkm_log "umkm-fcgi stopped"
    fi
    reap_pool_session
    rm -f "$POOL_PID_FILE" "$FCGI_SOCKET"
}

pool_status() {
    local pid
    if pid="$(pool_pid)"; then
        echo "umkm-fcgi: running (pid $pid)"
    else
        echo "umkm-fcgi: stopped"
        return 1
    fi
}
