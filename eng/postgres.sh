#!/usr/bin/env bash
# Private PostgreSQL server for QazBus development and tests (no Docker, no system service).
#
#   QAZBUS_POSTGRES_HOME=/some/folder eng/postgres.sh install|start|stop|kill|status|env|psql ARGS...
#
# All state lives in $QAZBUS_POSTGRES_HOME (created if missing):
#   ports          the TCP port, chosen once and reused on every start
#   data/          the cluster (initdb: superuser `postgres`, trust auth; PostgreSQL's default settings)
#   run/           the unix socket directory;  postgres.log: the server log
#
# Commands:
#   install  apt-get install postgresql (Debian) without starting the system cluster, when no initdb is found
#   start    initdb on first use, start on 127.0.0.1:<port>, wait until ready, create database `qazbus`
#            (no-op when already running)
#   stop     fast shutdown (pg_ctl stop -m fast), falling back to SIGQUIT/SIGKILL of the postmaster by PID
#   kill     SIGKILL the postmaster (simulated crash; the next start recovers from WAL)
#   restart-immediate
#            pg_ctl restart -m immediate: every backend ends at once without a checkpoint (an operator's emergency
#            restart, or a crash); the server recovers from WAL and accepts connections on the same port
#   status   exit 0 when the server runs and accepts connections
#   env      print `export` lines: QAZBUS_TEST_POSTGRES (Npgsql connection string), QAZBUS_POSTGRES_HOME, ...
#   psql     run psql against the qazbus database, e.g. `eng/postgres.sh psql -c 'select 1'`
#
# PostgreSQL refuses to run as root: as root the server runs as the OS user `postgres` (created if missing)
# and the folder is chowned to it; that user must be able to reach the folder (its parents need o+x).
set -euo pipefail

SELF="$(readlink -f "${BASH_SOURCE[0]}")"
DB_NAME=qazbus
DB_USER=postgres
DB_PASSWORD=postgres # not checked (trust auth on loopback); Npgsql just needs something

die() { echo "postgres.sh: error: $*" >&2; exit 1; }
log() { echo "postgres.sh: $*" >&2; }
now() { echo "${EPOCHREALTIME/,/.}"; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
# kill -0, but a zombie (exited, not yet reaped by init) counts as gone.
alive() {
    [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null || return 1
    local st
    st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)
    [[ -n $st && $st != Z && $st != X ]]
}

find_bin() {
    if [[ -n ${QAZBUS_PG_BIN:-} ]]; then
        [[ -x $QAZBUS_PG_BIN/initdb ]] || die "QAZBUS_PG_BIN=$QAZBUS_PG_BIN has no initdb"
        echo "$QAZBUS_PG_BIN"
        return 0
    fi
    local d
    for d in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -rn); do
        [[ -x $d/initdb && -x $d/pg_ctl && -x $d/postgres ]] && { echo "$d"; return 0; }
    done
    return 1
}

# ---------------------------------------------------------------------------------------------- install
cmd_install() {
    find_bin >/dev/null && return 0
    local how="install it as root with: apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql (or point QAZBUS_PG_BIN at a folder with initdb, pg_ctl, postgres)"
    [[ $EUID -eq 0 ]] || die "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb) and we are not root; $how"
    command -v apt-get >/dev/null || die "PostgreSQL is not installed and apt-get is not available; $how"
    local t0 policy=/usr/sbin/policy-rc.d backup="" rc=0 aptlog
    t0=$(now)
    log "installing postgresql from Debian (no service start) ..."
    if [[ -e $policy ]]; then
        backup="$(mktemp /tmp/policy-rc.d.XXXXXX)"
        cp -p "$policy" "$backup"
    fi
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    aptlog="$(mktemp /tmp/qazbus-apt.XXXXXX.log)"
    {
        apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql
    } >"$aptlog" 2>&1 || rc=$?
    [[ $rc -eq 0 ]] || tail -n 30 "$aptlog" >&2
    rm -f "$aptlog"
    if [[ -n $backup ]]; then
        cp -p "$backup" "$policy" && rm -f "$backup"
    else
        rm -f "$policy"
    fi
    [[ $rc -eq 0 ]] && find_bin >/dev/null || die "apt-get failed (rc=$rc); $how"
    log "installed in $(elapsed "$t0") s"
}

# ---------------------------------------------------------------------------------------------- setup
need_home() {
    [[ -n ${QAZBUS_POSTGRES_HOME:-} ]] || die "QAZBUS_POSTGRES_HOME is not set (the folder holding the server's state)"
    mkdir -p "$QAZBUS_POSTGRES_HOME"
    HOME_DIR="$(cd "$QAZBUS_POSTGRES_HOME" && pwd -P)"
    PORTS_FILE=$HOME_DIR/ports
    DATA=$HOME_DIR/data
    RUN=$HOME_DIR/run
    LOG_FILE=$HOME_DIR/postgres.log
}

need_bin() {
    PG_BIN=$(find_bin) || die "PostgreSQL is not installed: run '$SELF install' (as root)"
}

port_in_use() {
    if command -v ss >/dev/null; then
        [[ -n $(ss -Hltn "sport = :$1" 2>/dev/null) ]] && return 0
    fi
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A free port below the Linux ephemeral range (32768+), so that it stays free between a stop and a start.
pick_port() {
    local p tries=0
    while ((tries++ < 500)); do
        p=$((20000 + RANDOM % 12000))
        port_in_use "$p" && continue
        echo "$p"
        return 0
    done
    die "could not find a free TCP port"
}

load_ports() {
    if [[ ! -s $PORTS_FILE ]]; then
        printf 'PG_PORT=%s\n' "$(pick_port)" >"$PORTS_FILE.tmp"
        mv "$PORTS_FILE.tmp" "$PORTS_FILE"
    fi
    # shellcheck disable=SC1090
    source "$PORTS_FILE"
    [[ -n ${PG_PORT:-} ]] || die "$PORTS_FILE is incomplete; delete the folder $HOME_DIR to start afresh"
}

# Runs a command as the server's OS user: `postgres` when we are root, ourselves otherwise.
as_pg() {
    if [[ $EUID -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

ensure_os_user() {
    [[ $EUID -eq 0 ]] || return 0
    if ! id -u postgres >/dev/null 2>&1; then
        log "creating the OS user postgres"
        useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home --shell /bin/bash postgres ||
            die "could not create the OS user postgres"
    fi
    chown postgres: "$HOME_DIR"
    as_pg test -w "$HOME_DIR" ||
        die "the OS user postgres cannot write to $HOME_DIR: a parent folder is not reachable (chmod o+x on the parents, or use a folder under /tmp)"
}

pg_pid() { # the running postmaster's PID
    local pid
    [[ -s $DATA/postmaster.pid ]] || return 1
    pid=$(head -n 1 "$DATA/postmaster.pid" | tr -dc 0-9)
    alive "$pid" && [[ $(cat "/proc/$pid/comm" 2>/dev/null) =~ ^(postgres|postmaster)$ ]] || return 1
    echo "$pid"
}

# Every process of this server (postmaster and backends chdir into the data folder), alive ones only.
server_pids() {
    local d pid
    for d in /proc/[0-9]*; do
        pid=${d#/proc/}
        [[ $(cat "$d/comm" 2>/dev/null) == postgres ]] || continue
        [[ $(readlink "$d/cwd" 2>/dev/null) == "$DATA" ]] || continue
        alive "$pid" && echo "$pid"
    done
    return 0
}

# SIGKILL the whole server (postmaster and backends) by PID and wait until it is gone.
kill_server() {
    local pids i
    for ((i = 0; i < 50; i++)); do
        pids=$(server_pids)
        [[ -z $pids ]] && return 0
        # shellcheck disable=SC2086
        kill -KILL $pids 2>/dev/null || true
        sleep 0.1
    done
    die "could not kill the server processes: $(server_pids | tr '\n' ' ')"
}

psql_tcp() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U "$DB_USER" "$@"; }

with_lock() {
    # Serialises start/stop/kill on one folder; the server gets `9>&-` so it does not hold the lock.
    exec 9>"$HOME_DIR/.ctl.lock"
    flock -w 300 9 || die "another postgres.sh command holds $HOME_DIR/.ctl.lock"
}

write_config() {
    local sockdir=$RUN
    # A unix socket path is limited to ~107 bytes; the tests use TCP anyway.
    ((${#RUN} + 20 > 100)) && sockdir=""
    as_pg mkdir -p "$RUN"
    as_pg tee "$DATA/qazbus.conf" >/dev/null <<EOF
# Written by eng/postgres.sh on every start.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$sockdir'
# PostgreSQL's defaults stay as they are (max_connections = 100, fsync on): the tests must meet what an agency's
# stock server gives them, so a worker that needs too many connections or relies on cheap commits fails here first.
logging_collector = off
log_min_messages = warning
EOF
}

show_log() {
    [[ -s $LOG_FILE ]] || return 0
    echo "----- last lines of $LOG_FILE -----" >&2
    tail -n 40 "$LOG_FILE" >&2
}

# ---------------------------------------------------------------------------------------------- commands
cmd_start() {
    need_home
    need_bin
    with_lock
    load_ports
    if pg_pid >/dev/null && port_in_use "$PG_PORT"; then
        log "already running (127.0.0.1:$PG_PORT)"
        return 0
    fi
    local t0
    t0=$(now)
    ensure_os_user
    cd "$HOME_DIR"
    if [[ ! -s $DATA/PG_VERSION ]]; then
        rm -rf "$DATA"
        as_pg "$PG_BIN/initdb" -D "$DATA" -U "$DB_USER" -A trust -E UTF8 --no-locale --no-sync >"$HOME_DIR/initdb.log" 2>&1 ||
            { cat "$HOME_DIR/initdb.log" >&2; die "initdb failed"; }
        echo "include_if_exists = 'qazbus.conf'" | as_pg tee -a "$DATA/postgresql.conf" >/dev/null
        log "initdb done in $(elapsed "$t0") s"
    fi
    if [[ -e $DATA/postmaster.pid ]]; then
        # Left by a killed server: its postmaster is gone (maybe an unreaped zombie, which fools postgres' own
        # stale-lock check), so remove leftover backends and the lock file.
        kill_server
        rm -f "$DATA/postmaster.pid" "$RUN"/.s.PGSQL.*
    fi
    port_in_use "$PG_PORT" && die "port $PG_PORT (remembered in $PORTS_FILE) is taken by another process"
    write_config
    # pg_ctl -w waits until the server accepts connections; setsid keeps Ctrl-C of the caller away from it.
    if ! as_pg setsid -w "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG_FILE" -w -t 60 -s start </dev/null >&2 9>&-; then
        show_log
        die "PostgreSQL did not start (folder $HOME_DIR)"
    fi
    local i
    for ((i = 0; i < 100; i++)); do
        psql_tcp -d postgres -tAc 'select 1' >/dev/null 2>&1 && break
        sleep 0.1
    done
    ((i < 100)) || { show_log; die "PostgreSQL does not answer on 127.0.0.1:$PG_PORT"; }
    if [[ -z $(psql_tcp -d postgres -tAc "select 1 from pg_database where datname = '$DB_NAME'") ]]; then
        psql_tcp -d postgres -c "create database $DB_NAME" >/dev/null || die "could not create database $DB_NAME"
    fi
    log "ready in $(elapsed "$t0") s (pid $(pg_pid || echo '?'), 127.0.0.1:$PG_PORT, database $DB_NAME)"
}

cmd_stop() {
    need_home
    with_lock
    local t0 pid i
    t0=$(now)
    if ! pid=$(pg_pid); then
        log "not running"
        return 0
    fi
    need_bin
    cd "$HOME_DIR"
    as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w -t 30 -s stop >&2 9>&- || log "pg_ctl stop failed; signalling $pid"
    for sig in QUIT KILL; do
        for ((i = 0; i < 100; i++)); do
            alive "$pid" || break 2
            sleep 0.1
        done
        kill -"$sig" "$pid" 2>/dev/null || true
    done
    alive "$pid" && die "postmaster $pid did not exit"
    kill_server
    log "stopped in $(elapsed "$t0") s"
}

cmd_kill() {
    need_home
    with_lock
    local pids
    pids=$(server_pids)
    if [[ -n $pids ]]; then
        kill_server
        log "server killed (pids $(echo $pids))"
    else
        log "not running"
    fi
}

cmd_restart_immediate() {
    need_home
    need_bin
    with_lock
    load_ports
    pg_pid >/dev/null || die "not running"
    local t0
    t0=$(now)
    cd "$HOME_DIR"
    write_config
    as_pg setsid -w "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG_FILE" -m immediate -w -t 60 -s restart </dev/null >&2 9>&- ||
        { show_log; die "PostgreSQL did not restart (folder $HOME_DIR)"; }
    log "restarted (immediate) in $(elapsed "$t0") s (pid $(pg_pid || echo '?'))"
}

cmd_status() {
    need_home
    load_ports
    local pid
    if pid=$(pg_pid) && port_in_use "$PG_PORT"; then
        echo "running: pid $pid, 127.0.0.1:$PG_PORT, database $DB_NAME (folder $HOME_DIR)"
        return 0
    fi
    echo "not running (folder $HOME_DIR)"
    return 3
}

cmd_env() {
    need_home
    [[ -s $PORTS_FILE ]] || with_lock
    load_ports
    cat <<EOF
export QAZBUS_TEST_POSTGRES='Host=127.0.0.1;Port=$PG_PORT;Username=$DB_USER;Password=$DB_PASSWORD;Database=$DB_NAME'
export QAZBUS_POSTGRES_HOME='$HOME_DIR'
export QAZBUS_POSTGRES_CTL='$SELF'
EOF
}

cmd_psql() {
    need_home
    need_bin
    load_ports
    psql_tcp -d "$DB_NAME" "$@"
}

case "${1:-}" in
    install) cmd_install ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    kill) cmd_kill ;;
    restart-immediate) cmd_restart_immediate ;;
    status) cmd_status ;;
    env) cmd_env ;;
    psql) shift; cmd_psql "$@" ;;
    *)
        echo "usage: QAZBUS_POSTGRES_HOME=DIR $0 install|start|stop|kill|restart-immediate|status|env|psql ARGS..." >&2
        exit 2
        ;;
esac
