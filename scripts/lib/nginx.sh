# shellcheck shell=bash
# nginx for scripts/stack (nginx_start, nginx_stop, nginx_reload,
# nginx_status) and the cluster's front, which is a stack of its own.
# Sourced; uses scripts/stack's paths and settings. nginx runs by hand (-p
# the state directory), so it never touches /var/log/nginx, /run or the
# system's nginx.

[[ -z "${_umkm_lib_nginx:-}" ]] || return 0
_umkm_lib_nginx=1
# shellcheck source=scripts/lib/process.sh
source "${BASH_SOURCE[0]%/*}/process.sh"
# shellcheck source=scripts/lib/render.sh
source "${BASH_SOURCE[0]%/*}/render.sh"

nginx_pid() { live_pid "$NGINX_PID_FILE" "$NGINX_CONF"; }

# Both files from their templates (scripts/lib/render.sh).
# shellcheck disable=SC2153  # NGINX_DIR and the paths: scripts/stack's
render_nginx() {
    umkm_render_nginx_main "$NGINX_CONF" "$NGINX_DIR" "$LOG" "$NGINX_PID_FILE"
    umkm_render_nginx_site "$NGINX_DIR/umkm-site.conf" port="$UMKM_HTTP_PORT" \
        web_root="$UMKM_ROOT/web" docs_dir="$UMKM_ROOT/docs" \
        pool_socket="$FCGI_SOCKET" pool_servers="${UMKM_POOL_SERVERS:-}" \
        request_timeout="$UMKM_REQUEST_TIMEOUT" rate_exempt="$UMKM_RATE_EXEMPT"
}

nginx_cmd() {
    local binary
    binary="$(find_binary nginx)"
    "$binary" -p "$NGINX_DIR/" -c "$NGINX_CONF" -e "$LOG/nginx-error.log" "$@"
}

nginx_test() {
    local output
    if ! output="$(nginx_cmd -t -q 2>&1)"; then
        printf '%s\n' "$output" >&2
        umkm_die "nginx rejects $NGINX_CONF"
    fi
}

nginx_start() {
    local pid i
    if pid="$(nginx_pid)"; then
        umkm_log "nginx already running (pid $pid)"
        return 0
    fi
    make_dirs
    render_nginx
    nginx_test
    # nginx daemonizes itself; the master writes the pid file.
    if ! without_lock nginx_cmd </dev/null >>"$LOG/nginx.out" 2>&1; then
        show_logs "$LOG/nginx-error.log" "$LOG/nginx.out"
        umkm_die "nginx did not start (is port $UMKM_HTTP_PORT free?)"
    fi
    for ((i = 0; i < 50; i++)); do
        if pid="$(nginx_pid)"; then
            umkm_log "nginx running (pid $pid, http://127.0.0.1:$UMKM_HTTP_PORT/)"
            return 0
        fi
        sleep 0.1
    done
    show_logs "$LOG/nginx-error.log"
    umkm_die "nginx wrote no pid file"
}

nginx_stop() {
    local pid
    if pid="$(nginx_pid)"; then
        # QUIT lets requests in flight finish; TERM (then KILL) only if that
        # takes longer than a request may.
        kill -s QUIT "$pid" 2>/dev/null || true
        if ! wait_gone "$pid" "$NGINX_CONF" "$NGINX_STOP_TIMEOUT"; then
            stop_pid "$pid" nginx "$NGINX_CONF" TERM 5
        fi
        umkm_log "nginx stopped"
    fi
}

# Returns once every worker runs the new configuration: the old workers
# finish their requests and exit, so a test that changed a setting and
# reloaded never hits an old worker afterwards.
nginx_reload() {
    local pid old i
    pid="$(nginx_pid)" || umkm_die "nginx is not running for $STATE"
    render_nginx
    nginx_test
    old="$(pgrep -d, -P "$pid" || true)"
    kill -s HUP "$pid"
    for ((i = 0; i < 100; i++)); do
        if [[ -z "$old" ]] || ! ps -o pid= -p "$old" >/dev/null 2>&1; then
            umkm_log "nginx reloaded"
            return 0
        fi
        sleep 0.1
    done
    umkm_warn "old nginx workers still finishing requests after 10s"
}

nginx_status() {
    local pid
    if pid="$(nginx_pid)"; then
        echo "nginx:     running (pid $pid)"
    else
        echo "nginx:     stopped"
        return 1
    fi
}
