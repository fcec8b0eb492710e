# shellcheck shell=bash
# The one renderer of the shop's deployed configuration. Every file a daemon
# reads is made here from its single source in conf/ or nginx/, by
# scripts/stack, scripts/cluster, scripts/install and docker/entrypoint
# alike; none of them writes a setting of its own or edits another's output.
#
#   conf/umkm.conf                    the pool's settings, documented, with
#                                     their defaults (umkm_render_pool_conf)
#   conf/mariadb/umkm.cnf             MariaDB's tuning (umkm_render_mariadb_cnf
#                                     includes it; Docker and a native install
#                                     use the file itself)
#   conf/mariadb/galera.cnf           what a Galera node adds to it
#   conf/mariadb/app-account.sql      the pool's account and its grants
#                                     (umkm_render_app_account)
#   nginx/nginx.conf.template         nginx's main file (umkm_render_nginx_main)
#   nginx/umkm-site.conf.template     the site (umkm_render_nginx_site)
#
# Sourced; sets no shell options of its own. Values are given as NAME=VALUE
# arguments (inside bash: a password given so is never on a process's
# command line).

[[ -z "${_umkm_lib_render:-}" ]] || return 0
_umkm_lib_render=1
# shellcheck source=scripts/lib/common.sh
source "${BASH_SOURCE[0]%/*}/common.sh"

UMKM_CONF_DIR="$UMKM_ROOT/conf"
UMKM_MARIADB_CNF="$UMKM_CONF_DIR/mariadb/umkm.cnf"
UMKM_GALERA_CNF="$UMKM_CONF_DIR/mariadb/galera.cnf"
UMKM_POOL_CONF_SOURCE="$UMKM_CONF_DIR/umkm.conf"

# The shipped defaults of the pool's settings, read once from conf/umkm.conf
# ("section.key" -> value), so that a script's default (the account, the
# database, the stack's UMKM_WORKERS) is the one the pool would use.
declare -gA UMKM_CONF_DEFAULTS=()
umkm_read_conf_defaults() {
    local line section=""
    while IFS= read -r line || [[ -n "$line" ]]; do
        if [[ "$line" =~ ^\[([a-z_]+)\]$ ]]; then
            section="${BASH_REMATCH[1]}"
        elif [[ "$line" =~ ^([a-z_]+)\ =\ ?(.*)$ ]]; then
            UMKM_CONF_DEFAULTS["$section.${BASH_REMATCH[1]}"]="${BASH_REMATCH[2]}"
        fi
    done <"$UMKM_POOL_CONF_SOURCE"
}
umkm_read_conf_defaults

# umkm_conf_default SECTION KEY: one of them; a key the file lacks stops.
umkm_conf_default() {
    [[ -n "${UMKM_CONF_DEFAULTS[$1.$2]+set}" ]] || umkm_die "conf/umkm.conf has no $2 in [$1]"
    printf '%s\n' "${UMKM_CONF_DEFAULTS[$1.$2]}"
}

# The names every renderer shares, from the pool's own defaults.
UMKM_DB_NAME_DEFAULT="$(umkm_conf_default database name)"
UMKM_APP_USER="$(umkm_conf_default database user)"

# Writes OUT through a temporary file and a rename: a reader (nginx -s
# reload, a starting pool) sees the old file or the new one, never half.
# MODE is the new file's mode.
umkm_render_write() {
    local out="$1" mode="$2" text="$3"
    (
        umask 077
        printf '%s' "$text" >"$out.tmp"
    )
    chmod "$mode" "$out.tmp"
    mv -f "$out.tmp" "$out"
}

# umkm_render_template TEMPLATE NAME=VALUE...: prints TEMPLATE with every
# @UMKM_NAME@ replaced by VALUE. Strict both ways, so a template and its
# renderers cannot drift apart: a NAME the template lacks, or a placeholder
# left unfilled, stops the render and names it.
umkm_render_template() {
    local template="$1" text pair name value left
    shift
    text="$(<"$template")"$'\n'
    for pair in "$@"; do
        name="${pair%%=*}"
        value="${pair#*=}"
        [[ "$text" == *"@UMKM_${name}@"* ]] ||
            umkm_die "${template#"$UMKM_ROOT"/} has no placeholder @UMKM_${name}@"
        # Quoted pattern and replacement: no glob, and bash 5.2's '&' in a
        # replacement stays a plain '&'.
        text="${text//"@UMKM_${name}@"/"$value"}"
    done
    if [[ "$text" =~ @UMKM_[A-Z_]+@ ]]; then
        left="${BASH_REMATCH[0]}"
        umkm_die "${template#"$UMKM_ROOT"/}: placeholder $left is not filled by this renderer"
    fi
    printf '%s' "$text"
}

# umkm_render_pool_conf OUT HEADER [--from FILE] SECTION.KEY=VALUE...: the
# pool's configuration is conf/umkm.conf itself (or FILE, a copy of it: an
# install's umkm.conf.example, which matches the binary installed with it),
# documentation and defaults included, with the given keys set to the given
# values (each must be a key of the shipped file: a renamed key fails here,
# not at the pool's start). HEADER is a comment put first (who wrote it).
# 0600: it holds the database password.
umkm_render_pool_conf() {
    local out="$1" header="$2" source="$UMKM_POOL_CONF_SOURCE" pair line section="" key text=""
    shift 2
    if [[ "${1:-}" == --from ]]; then
        source="$2"
        shift 2
    fi
    local -A want=() used=()
    for pair in "$@"; do
        key="${pair%%=*}"
        [[ "${pair#*=}" != *$'\n'* ]] || umkm_die "umkm.conf $key: a value cannot hold a newline"
        want["$key"]="${pair#*=}"
    done
    while IFS= read -r line || [[ -n "$line" ]]; do
        if [[ "$line" =~ ^\[([a-z_]+)\]$ ]]; then
            section="${BASH_REMATCH[1]}"
        elif [[ "$line" =~ ^([a-z_]+)\ = ]]; then
            key="$section.${BASH_REMATCH[1]}"
            if [[ -n "${want[$key]+set}" ]]; then
                line="${BASH_REMATCH[1]} =${want[$key]:+ ${want[$key]}}"
                used["$key"]=1
            fi
        fi
        text+="$line"$'\n'
    done <"$source"
    for key in "${!want[@]}"; do
        [[ -n "${used[$key]+set}" ]] || umkm_die "${source#"$UMKM_ROOT"/} has no key ${key#*.} in [${key%%.*}]"
    done
    umkm_render_write "$out" 0600 "; ${header//$'\n'/$'\n'; }"$'\n;\n'"$text"
}

# umkm_render_mariadb_cnf OUT HEADER [--galera] OPTION=VALUE...: a server's
# option file: the shop's tuning (conf/mariadb/umkm.cnf, and with --galera
# conf/mariadb/galera.cnf) included, then only what is this server's own
# (paths, how it listens, its node addresses). Later lines win in MariaDB's
# option files, so what is given here is all a renderer can change.
umkm_render_mariadb_cnf() {
    local out="$1" header="$2" text option
    shift 2
    text="# ${header//$'\n'/$'\n'# }"$'\n'"!include $UMKM_MARIADB_CNF"$'\n'
    if [[ "${1:-}" == --galera ]]; then
        text+="!include $UMKM_GALERA_CNF"$'\n'
        shift
    fi
    text+=$'\n[mariadbd]\n'
    for option in "$@"; do
        [[ "$option" != *$'\n'* ]] || umkm_die "my.cnf: an option cannot hold a newline"
        text+="$option"$'\n'
    done
    umkm_render_write "$out" 0644 "$text"
}

# umkm_render_client_cnf OUT SOCKET: the privileged client's option file
# (migrations, scripts/stack sql, backups): the OS user's own MariaDB
# account, authenticated by the unix socket, so no password is stored.
umkm_render_client_cnf() {
    umkm_render_write "$1" 0600 "# Written by scripts/lib/render.sh: the privileged client connection.
[client]
socket=$2
user=$(id -un)
default-character-set=utf8mb4
"
}

# umkm_render_app_account HOST PASSWORD [DATABASE]: prints the SQL that
# makes the pool's account (conf/mariadb/app-account.sql), for a client's
# standard input (a password on a command line shows in ps).
umkm_render_app_account() {
    local host="$1" password="$2" database="${3:-$UMKM_DB_NAME_DEFAULT}"
    [[ "$database" =~ ^[A-Za-z0-9_]+$ ]] || umkm_die "invalid database name: $database"
    [[ "$host" =~ ^[A-Za-z0-9.:%_-]+$ ]] || umkm_die "invalid account host: $host"
    # A string literal in SQL: backslashes and quotes doubled.
    password="${password//\\/\\\\}"
    password="${password//\'/\'\'}"
    umkm_render_template "$UMKM_CONF_DIR/mariadb/app-account.sql" \
        "DB_NAME=$database" "APP_USER=$UMKM_APP_USER" "APP_HOST=$host" "APP_PASSWORD=$password"
}

# umkm_render_nginx_main OUT NGINX_DIR LOG_DIR PID_FILE: nginx's main file
# for nginx run by hand (-p NGINX_DIR): the private stack, the cluster's
# front and the Docker image. A real install uses Debian's own.
umkm_render_nginx_main() {
    local out="$1" nginx_dir="$2" log_dir="$3" pid_file="$4" user_line text
    if umkm_is_root; then
        user_line="user root;"
    else
        user_line="# Not root: nginx runs as $(id -un), like the pool."
    fi
    # An assignment of its own, so that a failed render stops here (set -e)
    # instead of writing an empty file.
    text="$(umkm_render_template "$UMKM_ROOT/nginx/nginx.conf.template" \
        "NGINX_USER=$user_line" "NGINX_PID=$pid_file" "NGINX_DIR=$nginx_dir" "LOG_DIR=$log_dir")"
    umkm_render_write "$out" 0644 "$text"$'\n'
}

# umkm_render_nginx_site OUT NAME=VALUE...: the site, for every renderer.
#   listen=ADDR          127.0.0.1 (the box only) or 0.0.0.0 (the network)
#   port=N
#   web_root=DIR docs_dir=DIR
#   pool_socket=PATH     the one pool on this box, or
#   pool_servers="H:P .." the pools of several boxes
#   request_timeout=S    the pool's, which nginx's FastCGI timeouts exceed
#   rate_exempt="CIDR .." addresses exempt from the rate limit (empty: none)
#   publish_allow="ADDR .." beside loopback, who may publish events (a pool
#                        on another host: Docker's)
#   header=TEXT          a comment put first (who wrote it, from what)
umkm_render_nginx_site() {
    local out="$1" pair cidr server geo="" servers="" allow=""
    shift
    local -A v=([listen]=127.0.0.1 [request_timeout]="$(umkm_conf_default pool request_timeout)"
        [rate_exempt]="127.0.0.0/8 ::1"
        [publish_allow]="" [pool_servers]="" [pool_socket]="" [header]="")
    for pair in "$@"; do
        v["${pair%%=*}"]="${pair#*=}"
    done
    for cidr in ${v[rate_exempt]}; do
        geo+="${geo:+$'\n    '}$cidr 1;"
    done
    [[ -n "$geo" ]] || geo="# (no address is exempt)"
    for server in ${v[pool_servers]}; do
        servers+="${servers:+$'\n    '}server $server max_fails=1 fail_timeout=10s;"
    done
    if [[ -z "$servers" ]]; then
        [[ -n "${v[pool_socket]}" ]] || umkm_die "umkm_render_nginx_site: pool_socket or pool_servers"
        servers="server \"unix:${v[pool_socket]}\" max_fails=0;"
    fi
    for cidr in ${v[publish_allow]}; do
        allow+="${allow:+$'\n        '}allow $cidr;"
    done
    [[ -n "$allow" ]] || allow="# (none: the pool is on this box)"
    local text
    text="$(umkm_render_template "$UMKM_ROOT/nginx/umkm-site.conf.template" \
        "HTTP_PORT=${v[port]:?port}" "LISTEN=${v[listen]}" \
        "WEB_ROOT=${v[web_root]:?web_root}" "DOCS_DIR=${v[docs_dir]:?docs_dir}" \
        "POOL_SERVERS=$servers" "FASTCGI_TIMEOUT=$((v[request_timeout] + 5))" \
        "RATE_EXEMPT_GEO=$geo" "PUBLISH_ALLOW=$allow")"
    [[ -z "${v[header]}" ]] || text="# ${v[header]//$'\n'/$'\n'# }"$'\n\n'"$text"
    umkm_render_write "$out" 0644 "$text"$'\n'
}
