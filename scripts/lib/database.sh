# shellcheck shell=bash
# MariaDB for scripts/stack (one private server: db_start, db_stop,
# db_status) and scripts/cluster (Galera nodes), both through the helpers
# at the top (umkm_db_*). Sourced; sets no shell options of its own. The
# server's settings are conf/mariadb/umkm.cnf's: this file renders only
# paths around them.

[[ -z "${_umkm_lib_database:-}" ]] || return 0
_umkm_lib_database=1
# shellcheck source=scripts/lib/process.sh
source "${BASH_SOURCE[0]%/*}/process.sh"
# shellcheck source=scripts/lib/render.sh
source "${BASH_SOURCE[0]%/*}/render.sh"

# ---- Any server of ours -------------------------------------------------------

# The privileged client: the OS user's own socket-authenticated account,
# through the option file umkm_render_client_cnf wrote.
umkm_db_client() {
    local admin_cnf="$1"
    shift
    mariadb --defaults-file="$admin_cnf" --batch --skip-column-names --connect-timeout=5 "$@"
}

umkm_db_ping() {
    mariadb-admin --defaults-file="$1" --connect-timeout=1 ping >/dev/null 2>&1
}

# umkm_db_install CNF LOG: system tables for a fresh data directory. The OS
# user who runs this (root or not) becomes a socket-authenticated superuser.
# --force --skip-name-resolve: the installer otherwise insists on resolving
# the host name (resolveip) and fails where /etc/hosts lacks it
# (containers, fresh chroots); host names play no part in our grants.
umkm_db_install() {
    local cnf="$1" log="$2" installer
    installer="$(find_binary mariadb-install-db mysql_install_db)"
    if ! "$installer" --defaults-file="$cnf" --auth-root-authentication-method=socket \
        --auth-root-socket-user="$(id -un)" --skip-test-db --force --skip-name-resolve \
        >"$log" 2>&1; then
        show_logs "$log"
        umkm_die "mariadb-install-db failed ($cnf)"
    fi
}

# umkm_db_password FILE: the pool account's password, made once (48 hex
# digits) and kept, so a restarted stack keeps working.
umkm_db_password() {
    local file="$1"
    if [[ ! -s "$file" ]]; then
        (umask 077 && od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$file")
    fi
    chmod 0600 "$file"
    printf '%s' "$(<"$file")"
}

# umkm_db_grant_app ADMIN_CNF HOST PASSWORD_FILE: the schema and the pool's
# account (conf/mariadb/app-account.sql), the SQL on standard input.
umkm_db_grant_app() {
    local admin_cnf="$1" host="$2" password
    password="$(umkm_db_password "$3")"
    umkm_render_app_account "$host" "$password" | umkm_db_client "$admin_cnf"
}

# umkm_db_migrate ADMIN_CNF DEMO_MARK: migrations on every start (new ones
# apply to an old database); the demo catalog only once, so that a
# shopkeeper's edits are never undone.
umkm_db_migrate() {
    local admin_cnf="$1" mark="$2"
    local -a args=(--defaults-file="$admin_cnf" --database "$UMKM_DB_NAME_DEFAULT")
    [[ -e "$mark" ]] || args+=(--demo)
    "$UMKM_ROOT/scripts/migrate" "${args[@]}"
    touch "$mark"
}

# ---- The private stack's server (scripts/stack's paths) ------------------------

db_pid() { live_pid "$DB_PID_FILE" "$MY_CNF"; }
# True when the pool uses another box's database (UMKM_DB_HOSTS).
db_external() { [[ -n "${UMKM_DB_HOSTS:-}" ]]; }

# Unix socket only; mariadbd refuses to run as root unless told so.
# shellcheck disable=SC2153  # ADMIN_CNF and the paths: scripts/stack's
write_my_cnf() {
    local -a own=(datadir="$DATADIR" socket="$DB_SOCKET" pid-file="$DB_PID_FILE"
        log-error="$LOG/mariadb.log" tmpdir="$TMPDIR_DB" skip-networking)
    umkm_is_root && own+=(user=root)
    umkm_render_mariadb_cnf "$MY_CNF" "Written by scripts/stack on every start; edits are lost." "${own[@]}"
    umkm_render_client_cnf "$ADMIN_CNF" "$DB_SOCKET"
}

db_start() {
    local pid server i
    if pid="$(db_pid)"; then
        umkm_log "mariadb already running (pid $pid)"
        return 0
    fi
    server="$(find_binary mariadbd mysqld)"
    make_dirs
    write_my_cnf
    if [[ -z "$(ls -A "$DATADIR")" ]]; then
        umkm_log "initialising a new MariaDB data directory in $DATADIR"
        # A new database has no demo catalog, whatever an old marker says.
        rm -f "$DEMO_MARK"
        umkm_db_install "$MY_CNF" "$LOG/mariadb-install.log"
    fi
    # A crashed server leaves its socket; mariadbd removes it, but only if it
    # is not in use, which is what we want.
    spawn "$server" --defaults-file="$MY_CNF" >>"$LOG/mariadb.out" 2>&1
    pid=$!
    for ((i = 0; i < DB_START_TIMEOUT * 5; i++)); do
        if umkm_db_ping "$ADMIN_CNF"; then
            umkm_log "mariadb running (pid $pid, socket $DB_SOCKET)"
            return 0
        fi
        alive "$pid" || break
        sleep 0.2
    done
    show_logs "$LOG/mariadb.log" "$LOG/mariadb.out"
    umkm_die "mariadb did not answer on $DB_SOCKET within ${DB_START_TIMEOUT}s"
}

db_stop() {
    local pid
    if pid="$(db_pid)"; then
        # TERM is mariadbd's normal shutdown: InnoDB flushes and the next start
        # needs no crash recovery. No client login needed, so it works even
        # when authentication is what broke.
        stop_pid "$pid" mariadbd "$MY_CNF" TERM "$DB_STOP_TIMEOUT"
        umkm_log "mariadb stopped"
    fi
}

db_status() {
    local pid
    if db_external; then
        echo "mariadb:   $UMKM_DB_HOSTS (not this stack's)"
    elif pid="$(db_pid)"; then
        echo "mariadb:   running (pid $pid)"
    else
        echo "mariadb:   stopped"
        return 1
    fi
}

# The pool connects over the socket, as localhost.
db_prepare() {
    umkm_db_grant_app "$ADMIN_CNF" localhost "$APP_PASSWORD_FILE"
}

db_migrate() {
    umkm_db_migrate "$ADMIN_CNF" "$DEMO_MARK"
}

db_sql() {
    db_pid >/dev/null || umkm_die "mariadb is not running for $STATE"
    if (($#)); then
        umkm_db_client "$ADMIN_CNF" "$UMKM_DB_NAME_DEFAULT" -e "$1"
    else
        umkm_db_client "$ADMIN_CNF" "$UMKM_DB_NAME_DEFAULT"
    fi
}
