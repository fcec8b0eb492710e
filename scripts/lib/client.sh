# shellcheck shell=bash
# How the operator's scripts (migrate, backup, restore) reach MariaDB: one
# set of connection options and one client, parsed and built here. Sourced;
# sets no shell options of its own.
#
#   --defaults-file FILE   a client option file ([client] socket, user,
#                          password): what scripts/stack and Docker pass
#   --socket PATH          the server's socket ...
#   --user NAME            ... and the account (root over the socket on a
#                          Debian box)
#   --database NAME        the shop's database
#
# The same come from UMKM_DB_DEFAULTS_FILE, UMKM_DB_SOCKET, UMKM_DB_USER and
# UMKM_DB_NAME. With none of the first three, backup and restore use the
# private stack of UMKM_STATE_DIR (umkm_connect stack).

[[ -z "${_umkm_lib_client:-}" ]] || return 0
_umkm_lib_client=1
# shellcheck source=scripts/lib/common.sh
source "${BASH_SOURCE[0]%/*}/common.sh"

# The lock scripts/migrate takes while it migrates, and scripts/restore
# while it loads: a migration never runs on a half-loaded database.
# shellcheck disable=SC2034  # read by migrate and restore
readonly UMKM_MIGRATE_LOCK=umkm_migrate UMKM_MIGRATE_LOCK_TIMEOUT=30

# umkm_migrate_lock_sql WHO: the SQL that takes that lock for this client
# session, or stops the session with an error naming WHO. A named lock is
# the session's: it is released even if the client dies mid-file.
umkm_migrate_lock_sql() {
    cat <<SQL
SELECT GET_LOCK('$UMKM_MIGRATE_LOCK', $UMKM_MIGRATE_LOCK_TIMEOUT) INTO @umkm_migrate_locked;
DELIMITER //
BEGIN NOT ATOMIC
    IF COALESCE(@umkm_migrate_locked, 0) <> 1 THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '$1: timed out waiting for a migration or restore';
    END IF;
END //
DELIMITER ;
SQL
}

db_defaults_file="${UMKM_DB_DEFAULTS_FILE:-}"
db_socket="${UMKM_DB_SOCKET:-}"
db_user="${UMKM_DB_USER:-}"
database="${UMKM_DB_NAME:-}"

# umkm_connection_option ARGS...: when ARGS starts with a connection option,
# takes it and sets UMKM_SHIFT to the words it used (the caller shifts
# them); otherwise returns 1 and takes nothing.
UMKM_SHIFT=0
# shellcheck disable=SC2034  # UMKM_SHIFT: the callers read it
umkm_connection_option() {
    local name="${1%%=*}" value
    case "$name" in
        --defaults-file | --socket | --user | --database) ;;
        *) return 1 ;;
    esac
    if [[ "$1" == *=* ]]; then
        value="${1#*=}"
        UMKM_SHIFT=1
    else
        (($# >= 2)) || umkm_die "$1 needs a value"
        value="$2"
        UMKM_SHIFT=2
    fi
    [[ -n "$value" ]] || umkm_die "$name needs a value"
    case "$name" in
        --defaults-file) db_defaults_file="$value" ;;
        --socket) db_socket="$value" ;;
        --user) db_user="$value" ;;
        --database) database="$value" ;;
    esac
}

# True when a connection was given (options or environment), not the stack.
umkm_connection_given() {
    [[ -n "$db_defaults_file" || -n "$db_socket" ]]
}

# umkm_connect [stack]: fills `connection`, the client's first options, and
# `database`. --defaults-file has to be the client's first option, and it
# (like --no-defaults) excludes the user's own ~/.my.cnf, so a developer's
# personal settings never leak in. With "stack" and no connection given,
# the private stack's privileged client file and database, and
# UMKM_STACK_STATE_DIR its state directory.
connection=()
UMKM_STACK_STATE_DIR=
# shellcheck disable=SC2120  # the argument is optional
umkm_connect() {
    local stack_env
    if [[ -n "$db_defaults_file" ]]; then
        [[ -r "$db_defaults_file" ]] || umkm_die "cannot read $db_defaults_file"
        connection=(--defaults-file="$db_defaults_file")
    elif [[ "${1:-}" != stack ]] || umkm_connection_given; then
        connection=(--no-defaults)
        [[ -z "$db_socket" ]] || connection+=(--socket="$db_socket")
        [[ -z "$db_user" ]] || connection+=(--user="$db_user")
    else
        # The stack's own view of its paths (it honours UMKM_STATE_DIR).
        stack_env="$("$UMKM_ROOT/scripts/stack" env)" || exit 1
        UMKM_STACK_STATE_DIR="$(sed -n 's/^UMKM_STATE_DIR=//p' <<<"$stack_env")"
        local admin_cnf
        admin_cnf="$(sed -n 's/^UMKM_DB_ADMIN_CNF=//p' <<<"$stack_env")"
        [[ -r "$admin_cnf" ]] ||
            umkm_die "no stack in $UMKM_STACK_STATE_DIR ($admin_cnf is missing): start it once with scripts/stack start, or with scripts/stack db-start"
        connection=(--defaults-file="$admin_cnf")
        : "${database:=$(sed -n 's/^UMKM_DB_NAME=//p' <<<"$stack_env")}"
    fi
    : "${database:=umkm}"
    # The name is spliced into SQL and into file names.
    [[ "$database" =~ ^[A-Za-z0-9_]+$ ]] || umkm_die "invalid database name: $database"
}

client() {
    mariadb "${connection[@]}" --batch --skip-column-names --connect-timeout=5 "$@"
}

# Triggers, routines, events and views are dumped with the account that
# created them as DEFINER (for the triggers of migration 003, whoever ran
# scripts/migrate: root over the socket in scripts/stack). On a server
# without that account every statement that fires such a trigger fails, and
# goods' triggers fire on every payment. Without a DEFINER clause, the
# restoring account becomes the definer, and it exists wherever the restore
# ran. The clauses are only in the statement lines that mariadb-dump writes
# (they start with "/*!50" or "CREATE "); a row of data never starts so.
# scripts/backup strips them as it dumps, scripts/restore again for dumps
# not made here.
# shellcheck disable=SC2016,SC2034  # SQL's backticks; read by backup and restore
readonly STRIP_DEFINERS='/^(\/\*!50|CREATE )/ s/DEFINER=`([^`]|``)*`@`([^`]|``)*` ?//'
