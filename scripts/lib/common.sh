# shellcheck shell=bash
# Shared helpers for scripts/run, scripts/test, scripts/stack and scripts/migrate.
# Sourced, never executed: it sets no shell options of its own, so each script
# keeps control of `set -euo pipefail` and its traps. The other libraries
# source it themselves; a second source is a no-op.

[[ -z "${_umkm_lib_common:-}" ]] || return 0
_umkm_lib_common=1

# The checkout's root, found from this file's location so that the scripts
# work from any working directory (CI runs them from a fresh clone elsewhere).
UMKM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
export UMKM_ROOT

# Debian packages, in lists by what needs them. scripts/build and the Docker
# image (docker/Dockerfile) install one list each; scripts/run and
# scripts/test install UMKM_PACKAGES, which holds them all.
#
# To build umkm-fcgi. libsystemd-dev brings sd_notify for the pool's systemd
# unit (systemd/); libboost-dev Boost's headers (PropertyTree reads the INI
# config). The tests' Boost.Test is UMKM_TEST_BUILD_PACKAGES': a build of
# the pool alone (scripts/build, scripts/install, Docker) configures without
# the tests (BUILD_TESTING=OFF, umkm_build).
# shellcheck disable=SC2034  # the lists are read by scripts/build
UMKM_BUILD_PACKAGES=(
    build-essential cmake pkg-config
    libfcgi-dev libmysqlcppconn-dev libjsoncpp-dev nlohmann-json3-dev libboost-dev uuid-dev
    libcurl4-openssl-dev libssl-dev libsystemd-dev
)
# What building the tests adds (scripts/run and scripts/test build them).
UMKM_TEST_BUILD_PACKAGES=(libboost-test-dev)
# To run a built umkm-fcgi without its build packages (the Docker image's
# pool): the package of every library it links to (tests/docker checks them
# against the binary; libc6 is in every Debian system), and libfcgi-bin for
# cgi-fcgi, the image's FastCGI health probe.
# shellcheck disable=SC2034
UMKM_POOL_PACKAGES=(
    libfcgi0ldbl libmysqlcppconn7v5 libjsoncpp25 libuuid1 libcurl4 libssl3 libsystemd0
    libstdc++6 libgcc-s1 libfcgi-bin
)
# nginx with the module that holds the customers' events streams
# (libnginx-mod-nchan), and curl for its health probe.
UMKM_NGINX_PACKAGES=(nginx libnginx-mod-nchan curl)
# scripts/migrate, backup and restore against a MariaDB server elsewhere.
UMKM_DB_CLIENT_PACKAGES=(mariadb-client)
# Everything scripts/run needs on one machine. nginx and mariadb-server bring
# the binaries; the private stack never uses their system services (see
# umkm_install_packages).
# shellcheck disable=SC2034  # read by the scripts that source this file
UMKM_PACKAGES=(
    "${UMKM_BUILD_PACKAGES[@]}" "${UMKM_TEST_BUILD_PACKAGES[@]}"
    "${UMKM_NGINX_PACKAGES[@]}" mariadb-server "${UMKM_DB_CLIENT_PACKAGES[@]}"
    wrk procps shellcheck
)

# What scripts/bench needs on top (scripts/test runs its smoke run): wrk for
# the closed-loop peaks, gnuplot for the plots, jq for the report, taskset
# (util-linux) for the Pi budget.
UMKM_BENCH_PACKAGES=(wrk gnuplot-nox jq util-linux)

# What scripts/test needs on top: Debian's Chromium for the browser tests
# (driven by playwright-core from npm, never a downloaded browser), a font for
# its screenshots, and Node.js with npm for the test tooling in package.json.
# Node.js and npm are asked for only when their commands are missing, so a
# machine with Node.js from elsewhere (nodesource bundles npm) keeps it.
# systemd brings systemd-analyze, which checks the unit files (tests/systemd);
# a container without it as PID 1 gets the command and never runs systemd.
umkm_test_packages() {
    printf '%s\n' chromium fonts-dejavu-core "${UMKM_BENCH_PACKAGES[@]}"
    # scripts/fuzz's compiler and libFuzzer, installed up front with the rest.
    printf '%s\n' clang libclang-rt-dev
    command -v systemd-analyze >/dev/null || printf '%s\n' systemd
    command -v node >/dev/null || printf '%s\n' nodejs
    command -v npm >/dev/null || printf '%s\n' npm
    # tests/docker: Debian 12's compose (1.29; no v2 plugin in Debian 12 or its
    # backports) validates docker/compose.yaml without an engine; cgi-fcgi
    # is the image's pool health probe, tried on a built pool.
    printf '%s\n' docker-compose libfcgi-bin
    # tests/cluster and scripts/bench's cluster section: MariaDB's Galera
    # provider, and mariabackup with socat for a joining node's copy of
    # the data (rsync's cannot write as root). iproute2: tests/docker's
    # network namespace.
    printf '%s\n' galera-4 mariadb-backup socat iproute2
}

# scripts/test's arm64 stage: the cross compiler, qemu-user to run the
# unit tests, and the arm64 build of each library the pool links
# (multiarch: they install beside the build machine's own, and bring
# libc6:arm64, whose loader qemu-user runs the tests with).
# shellcheck disable=SC2034  # read by scripts/test
UMKM_ARM64_PACKAGES=(
    crossbuild-essential-arm64 qemu-user
    libfcgi-dev:arm64 libmysqlcppconn-dev:arm64 libjsoncpp-dev:arm64 libboost-test-dev:arm64
    uuid-dev:arm64 libcurl4-openssl-dev:arm64 libssl-dev:arm64 libsystemd-dev:arm64
)

# Lets apt install packages of another architecture (multiarch). Must run
# before the apt-get update that umkm_install_packages does for them.
umkm_add_architecture() {
    local arch="$1"
    if ! dpkg --print-foreign-architectures | grep -qxF "$arch"; then
        umkm_is_root || umkm_die "run as root to add the $arch architecture (dpkg --add-architecture $arch)"
        umkm_log "adding the $arch architecture to dpkg (multiarch)"
        dpkg --add-architecture "$arch"
    fi
}

umkm_log() {
    printf '[umkm] %s\n' "$*" >&2
}

umkm_warn() {
    printf '[umkm] warning: %s\n' "$*" >&2
}

umkm_die() {
    printf '[umkm] error: %s\n' "$*" >&2
    exit 1
}

umkm_is_root() {
    [[ "$(id -u)" -eq 0 ]]
}

# Prints the packages from the arguments that dpkg does not report as
# installed. dpkg-query exits non-zero for a package it has never heard of,
# which counts as missing too.
umkm_missing_packages() {
    local package native status installed
    native="$(dpkg --print-architecture)"
    for package in "$@"; do
        installed=0
        if [[ "$package" == *:* ]]; then
            status="$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)"
            [[ "$status" != "install ok installed" ]] || installed=1
        else
            # With a second architecture added (scripts/test's arm64 stage),
            # a library can be installed twice: only the machine's own
            # build, or an architecture-independent package, counts.
            while read -r status; do
                [[ "$status" != "install ok installed $native" &&
                    "$status" != "install ok installed all" ]] || installed=1
            done < <(dpkg-query -W -f='${Status} ${Architecture}\n' "$package" 2>/dev/null || true)
        fi
        ((installed)) || printf '%s\n' "$package"
    done
}

# Installs whatever is missing of the packages given (scripts/run:
# "${UMKM_PACKAGES[@]}"). Silent when nothing is missing, so that a second
# `scripts/run` prints only what matters.
umkm_install_packages() {
    local -a missing
    mapfile -t missing < <(umkm_missing_packages "$@")
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    if ! umkm_is_root; then
        umkm_log "missing Debian packages: ${missing[*]}"
        umkm_log "install them as root, then run this again:"
        printf '  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends %s\n' \
            "${missing[*]}" >&2
        exit 1
    fi
    umkm_log "installing missing Debian packages: ${missing[*]}"
    local rc=0
    umkm_block_service_starts
    # apt-get update only here, once, because something is missing: an update
    # on every run would make a second `scripts/run` slow and network-bound.
    {
        DEBIAN_FRONTEND=noninteractive apt-get update -q &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
    } >&2 || rc=$?
    umkm_unblock_service_starts
    ((rc == 0)) || umkm_die "apt-get failed (exit $rc)"
}

# Installing nginx or mariadb-server on a machine with an init system would
# start their system services (port 80, /run/mysqld) as a side effect. The
# project never uses them, so a temporary policy-rc.d tells invoke-rc.d not to
# start anything during our install. One that is already there (Docker images
# ship one) is left alone, unless it is ours, left by an interrupted install.
UMKM_POLICY_RC_D=/usr/sbin/policy-rc.d
UMKM_POLICY_RC_D_MARK='# Written by umkm scripts/lib/common.sh during apt-get install.'
UMKM_POLICY_RC_D_OURS=0

umkm_block_service_starts() {
    if [[ -e "$UMKM_POLICY_RC_D" ]]; then
        if grep -qxF "$UMKM_POLICY_RC_D_MARK" "$UMKM_POLICY_RC_D"; then
            UMKM_POLICY_RC_D_OURS=1
        fi
        return 0
    fi
    printf '#!/bin/sh\n%s\nexit 101\n' "$UMKM_POLICY_RC_D_MARK" >"$UMKM_POLICY_RC_D"
    chmod 0755 "$UMKM_POLICY_RC_D"
    UMKM_POLICY_RC_D_OURS=1
}

umkm_unblock_service_starts() {
    if ((UMKM_POLICY_RC_D_OURS)); then
        rm -f "$UMKM_POLICY_RC_D"
        UMKM_POLICY_RC_D_OURS=0
    fi
}

# Configures and builds (Release) into UMKM_BUILD_DIR: everything, the tests
# included (scripts/run, scripts/test), or only the targets given
# (scripts/build, scripts/install: umkm-fcgi). A new build directory for
# targets only is configured without the tests (BUILD_TESTING=OFF), so it
# needs no Boost.Test; an existing one keeps what it was configured with.
# UMKM_WERROR=1 (scripts/test's default, CI) makes a compiler warning an
# error, UMKM_WERROR=0 not.
# Re-running is cheap: CMake and make only redo what changed.
# shellcheck disable=SC2120  # the targets are optional
umkm_build() {
    : "${UMKM_BUILD_DIR:=$UMKM_ROOT/build}"
    export UMKM_BUILD_DIR
    local -a options=(-DCMAKE_BUILD_TYPE=Release)
    if (($# == 0)); then
        options+=(-DBUILD_TESTING=ON)
    elif [[ ! -f "$UMKM_BUILD_DIR/CMakeCache.txt" ]]; then
        options+=(-DBUILD_TESTING=OFF)
    fi
    # Unset: whatever the build directory was configured with.
    case "${UMKM_WERROR:-}" in
        1) options+=(-DUMKM_WERROR=ON) ;;
        0) options+=(-DUMKM_WERROR=OFF) ;;
    esac
    umkm_log "building ${*:+$* }into $UMKM_BUILD_DIR (Release)"
    cmake -S "$UMKM_ROOT" -B "$UMKM_BUILD_DIR" "${options[@]}" >&2
    cmake --build "$UMKM_BUILD_DIR" -j"$(nproc)" --target "${@:-all}" >&2
}

# Installs the npm test tooling (package.json, versions locked in
# package-lock.json) into node_modules/, exactly as locked (`npm ci`). Skipped
# when node_modules/ already holds this lock file's install. No install
# scripts run: none of the tools needs one, and a dependency's postinstall is
# code from the registry we would run as root.
umkm_install_node_tools() {
    local stamp="$UMKM_ROOT/node_modules/.umkm-lock.sha256" want
    want="$(sha256sum "$UMKM_ROOT/package-lock.json" | cut -d' ' -f1)"
    if [[ -r "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        return 0
    fi
    umkm_log "installing the npm test tooling (npm ci)"
    (cd "$UMKM_ROOT" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2 ||
        umkm_die "npm ci failed"
    printf '%s\n' "$want" >"$stamp"
}

# An absolute path for a directory that may not exist yet (relative paths are
# taken from the current directory, as a user typing them would expect).
umkm_abs_path() {
    local path="$1"
    if [[ "$path" != /* ]]; then
        path="$PWD/$path"
    fi
    printf '%s\n' "$path"
}
