#!/usr/bin/env bash
# Private RabbitMQ node for QazBus development and tests (no Docker, no system service).
#
#   QAZBUS_RABBITMQ_HOME=/some/folder eng/rabbitmq.sh install|start|stop|kill|status|env|ctl ARGS...
#
# All state of the node lives in $QAZBUS_RABBITMQ_HOME (created if missing):
#   ports             AMQP / management / Erlang-dist / epmd ports, chosen once, reused on every start
#   rabbitmq.conf     listeners bound to 127.0.0.1
#   enabled_plugins   [rabbitmq_management].
#   mnesia/ log/      data (survives stop/start and kill/start) and logs
#   rabbitmq.pid      the node's OS PID (beam.smp), epmd.pid: the PID of the node's own epmd
#
# Commands:
#   install  apt-get install rabbitmq-server (Debian) without starting the system-wide node
#   start    start the node (no-op when it is already running), wait until AMQP and the management API answer
#   stop     graceful stop (rabbitmqctl stop, then SIGTERM, then SIGKILL by PID), then stop the node's epmd
#   kill     SIGKILL the node (simulated crash); data and the epmd stay, a later `start` recovers
#   status   exit 0 when the node is running and its AMQP port accepts connections
#   env      print `export` lines for the tests (QAZBUS_TEST_RABBITMQ_URI, ..._MANAGEMENT_URI, ...)
#   ctl      run rabbitmqctl against the node, e.g. `eng/rabbitmq.sh ctl list_queues`
#   epmd     start only the folder's epmd and print its port (the shared epmd of eng/rabbitmq-cluster.sh)
#
# QAZBUS_RABBITMQ_NODENAME: the node name (default from the folder).
# QAZBUS_RABBITMQ_EPMD_PORT=N: the node registers with that (already running) epmd instead of its own: the nodes
# of a cluster must share one to find each other.
#
# epmd: every node gets its OWN epmd on its own port (ERL_EPMD_PORT), started by this script with a known PID.
# So nodes of different folders never share an epmd, the system-wide epmd on 4369 (if any) is never touched,
# and `stop` can always kill the node's epmd by PID. `kill` leaves it running (like a crashed node's host would);
# the next `start` reuses it and `stop` removes it. After `stop` nothing of the node is left running.
#
# Timings on the 2-core machine: start to ready (AMQP + management API) 5-6 s idle, up to ~9 s when a build
# runs alongside; stop ~7 s (of which ~5 s is a fixed wait inside the management plugin's shutdown); kill 0.1 s.
set -euo pipefail

RMQ_LIB=/usr/lib/rabbitmq/bin
SELF="$(readlink -f "${BASH_SOURCE[0]}")"

die() { echo "rabbitmq.sh: error: $*" >&2; exit 1; }
log() { echo "rabbitmq.sh: $*" >&2; }
now() { echo "${EPOCHREALTIME/,/.}"; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
# kill -0, but a zombie (exited, not yet reaped by init) counts as gone.
alive() {
    [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null || return 1
    local st
    st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)
    [[ -n $st && $st != Z && $st != X ]]
}

# ---------------------------------------------------------------------------------------------- install
cmd_install() {
    if [[ -x $RMQ_LIB/rabbitmq-server ]]; then
        return 0
    fi
    local how="install it as root with: apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends rabbitmq-server (then stop/disable the system service if one started)"
    if [[ $EUID -ne 0 ]]; then
        die "RabbitMQ is not installed ($RMQ_LIB/rabbitmq-server missing) and we are not root; $how"
    fi
    command -v apt-get >/dev/null || die "RabbitMQ is not installed and apt-get is not available; $how"
    local t0 policy=/usr/sbin/policy-rc.d backup="" rc=0
    t0=$(now)
    log "installing rabbitmq-server from Debian (no service start) ..."
    # A policy-rc.d that exits 101 stops the package from starting the system-wide node on 5672.
    if [[ -e $policy ]]; then
        backup="$(mktemp /tmp/policy-rc.d.XXXXXX)"
        cp -p "$policy" "$backup"
    fi
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    local aptlog
    aptlog="$(mktemp /tmp/qazbus-apt.XXXXXX.log)"
    {
        apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rabbitmq-server
    } >"$aptlog" 2>&1 || rc=$?
    if [[ $rc -ne 0 ]]; then
        tail -n 30 "$aptlog" >&2
    fi
    rm -f "$aptlog"
    if [[ -n $backup ]]; then
        cp -p "$backup" "$policy" && rm -f "$backup"
    else
        rm -f "$policy"
    fi
    [[ $rc -eq 0 && -x $RMQ_LIB/rabbitmq-server ]] || die "apt-get failed (rc=$rc); $how"
    log "installed in $(elapsed "$t0") s"
}

# ---------------------------------------------------------------------------------------------- setup
need_home() {
    [[ -n ${QAZBUS_RABBITMQ_HOME:-} ]] || die "QAZBUS_RABBITMQ_HOME is not set (the folder holding the node's state)"
    mkdir -p "$QAZBUS_RABBITMQ_HOME"
    HOME_DIR="$(cd "$QAZBUS_RABBITMQ_HOME" && pwd -P)"
    PORTS_FILE=$HOME_DIR/ports
    PID_FILE=$HOME_DIR/rabbitmq.pid
    EPMD_PID_FILE=$HOME_DIR/epmd.pid
    NODE_NAME=${QAZBUS_RABBITMQ_NODENAME:-"qazbus-$(printf '%s' "$HOME_DIR" | sha1sum | cut -c1-10)@localhost"}
}

port_in_use() {
    if command -v ss >/dev/null; then
        [[ -n $(ss -Hltn "sport = :$1" 2>/dev/null) ]] && return 0
    fi
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A free port below the Linux ephemeral range (32768+), so that an outgoing connection does not grab it
# between a stop and the next start; not one of the ports given as arguments.
pick_port() {
    local p tries=0
    while ((tries++ < 500)); do
        p=$((20000 + RANDOM % 12000))
        [[ " $* " == *" $p "* ]] && continue
        port_in_use "$p" && continue
        echo "$p"
        return 0
    done
    die "could not find a free TCP port"
}

load_ports() {
    if [[ ! -s $PORTS_FILE ]]; then
        local amqp mgmt dist epmd
        amqp=$(pick_port)
        mgmt=$(pick_port "$amqp")
        # rabbitmqctl's own distribution port range is DIST_PORT+10000 .. +10010: keep those free of our ports too.
        dist=$(pick_port "$amqp" "$mgmt")
        epmd=$(pick_port "$amqp" "$mgmt" "$dist" $((dist + 10000)))
        printf 'AMQP_PORT=%s\nMGMT_PORT=%s\nDIST_PORT=%s\nEPMD_PORT=%s\n' "$amqp" "$mgmt" "$dist" "$epmd" >"$PORTS_FILE.tmp"
        mv "$PORTS_FILE.tmp" "$PORTS_FILE"
    fi
    # shellcheck disable=SC1090
    source "$PORTS_FILE"
    [[ -n ${AMQP_PORT:-} && -n ${MGMT_PORT:-} && -n ${DIST_PORT:-} && -n ${EPMD_PORT:-} ]] ||
        die "$PORTS_FILE is incomplete; delete the folder $HOME_DIR to start afresh"
}

node_env() {
    load_ports
    export HOME=$HOME_DIR # the Erlang cookie (.erlang.cookie) lives here, for the node and for rabbitmqctl
    # A cluster's nodes must find each other through one epmd: eng/rabbitmq-cluster.sh starts it (the `epmd`
    # command in the cluster's folder) and passes its port; such a node neither starts nor stops an epmd.
    SHARED_EPMD=${QAZBUS_RABBITMQ_EPMD_PORT:-}
    [[ -n $SHARED_EPMD ]] && EPMD_PORT=$SHARED_EPMD
    export ERL_EPMD_PORT=$EPMD_PORT
    export RABBITMQ_NODENAME=$NODE_NAME
    export RABBITMQ_USE_LONGNAME=false
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT=$AMQP_PORT
    export RABBITMQ_DIST_PORT=$DIST_PORT
    export RABBITMQ_MNESIA_BASE=$HOME_DIR/mnesia
    export RABBITMQ_LOG_BASE=$HOME_DIR/log
    export RABBITMQ_CONFIG_FILE=$HOME_DIR/rabbitmq.conf
    export RABBITMQ_ADVANCED_CONFIG_FILE=$HOME_DIR/advanced.config
    export RABBITMQ_ENABLED_PLUGINS_FILE=$HOME_DIR/enabled_plugins
    export RABBITMQ_PID_FILE=$PID_FILE
    export RABBITMQ_CONF_ENV_FILE=$HOME_DIR/rabbitmq-env.conf
    unset RABBITMQ_NODE_ONLY RABBITMQ_SERVER_START_ARGS
    # Erlang distribution listens on loopback only (it would bind 0.0.0.0 otherwise).
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

write_config() {
    mkdir -p "$RABBITMQ_MNESIA_BASE" "$RABBITMQ_LOG_BASE"
    # The Erlang cookie, made here so that the node and rabbitmqctl cannot race to create different ones.
    if [[ ! -s $HOME_DIR/.erlang.cookie ]]; then
        local cookie
        cookie=$(LC_ALL=C tr -dc A-Z </dev/urandom 2>/dev/null | head -c 20) || true # tr ends on SIGPIPE
        [[ ${#cookie} -eq 20 ]] || die "could not make an Erlang cookie"
        (umask 077 && printf '%s' "$cookie" >"$HOME_DIR/.erlang.cookie")
        chmod 400 "$HOME_DIR/.erlang.cookie"
    fi
    : >"$RABBITMQ_CONF_ENV_FILE"
    echo '[rabbitmq_management].' >"$RABBITMQ_ENABLED_PLUGINS_FILE"
    [[ -e $RABBITMQ_ADVANCED_CONFIG_FILE ]] || echo '[].' >"$RABBITMQ_ADVANCED_CONFIG_FILE"
    cat >"$RABBITMQ_CONFIG_FILE" <<EOF
# Written by eng/rabbitmq.sh on every start.
listeners.tcp.default = 127.0.0.1:$AMQP_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $MGMT_PORT
log.console = false
log.file.level = info
EOF
    # Tests add listeners (e.g. TLS) by writing extra.conf into the node's folder before a start.
    if [[ -f $HOME_DIR/extra.conf ]]; then
        cat "$HOME_DIR/extra.conf" >>"$RABBITMQ_CONFIG_FILE"
    fi
}

pid_alive() { # pid expected-comm
    alive "${1:-}" && [[ $(cat "/proc/$1/comm" 2>/dev/null) == "$2" ]]
}

node_pid() {
    local pid
    [[ -s $PID_FILE ]] || return 1
    pid=$(tr -dc 0-9 <"$PID_FILE")
    pid_alive "$pid" beam.smp || return 1
    echo "$pid"
}

epmd_pid() {
    local pid
    [[ -s $EPMD_PID_FILE ]] || return 1
    pid=$(tr -dc 0-9 <"$EPMD_PID_FILE")
    pid_alive "$pid" epmd || return 1
    echo "$pid"
}

find_epmd() {
    local e
    e=$(command -v epmd 2>/dev/null) && { echo "$e"; return 0; }
    for e in /usr/lib/erlang/erts-*/bin/epmd /usr/lib/erlang/bin/epmd; do
        [[ -x $e ]] && { echo "$e"; return 0; }
    done
    die "epmd not found (is erlang-base installed?)"
}

ensure_epmd() {
    if [[ -n ${SHARED_EPMD:-} ]]; then
        port_in_use "$EPMD_PORT" || die "the cluster's epmd on port $EPMD_PORT (QAZBUS_RABBITMQ_EPMD_PORT) is not running; start the cluster with eng/rabbitmq-cluster.sh start"
        return 0
    fi
    epmd_pid >/dev/null && return 0
    local epmd i
    epmd=$(find_epmd)
    port_in_use "$EPMD_PORT" && die "epmd port $EPMD_PORT (remembered in $PORTS_FILE) is taken by another process"
    setsid nohup "$epmd" -port "$EPMD_PORT" -address 127.0.0.1 </dev/null >>"$HOME_DIR/epmd.log" 2>&1 9>&- &
    local epid=$!
    echo "$epid" >"$EPMD_PID_FILE"
    for ((i = 0; i < 200; i++)); do
        port_in_use "$EPMD_PORT" && return 0
        alive "$epid" || break # (its comm is not yet "epmd" before setsid/nohup exec it)
        sleep 0.05
    done
    kill -KILL "$epid" 2>/dev/null || true
    tail -n 20 "$HOME_DIR/epmd.log" >&2 2>/dev/null || true
    die "epmd did not start on port $EPMD_PORT"
}

kill_pid() { # pid comm timeout-seconds: SIGTERM, wait, SIGKILL
    local pid=$1 comm=$2 secs=$3 i
    pid_alive "$pid" "$comm" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < secs * 10; i++)); do
        pid_alive "$pid" "$comm" || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        pid_alive "$pid" "$comm" || return 0
        sleep 0.1
    done
    return 1
}

stop_epmd() {
    local pid
    local i
    [[ -z ${SHARED_EPMD:-} ]] || return 0 # the cluster's, stopped by eng/rabbitmq-cluster.sh
    if pid=$(epmd_pid); then
        # epmd keeps no state worth a graceful stop (and takes ~1.5 s to honour SIGTERM).
        kill -KILL "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            pid_alive "$pid" epmd || break
            sleep 0.05
        done
        pid_alive "$pid" epmd && log "warning: epmd $pid did not exit"
    fi
    rm -f "$EPMD_PID_FILE"
}

show_logs() {
    local f
    for f in "$HOME_DIR/server.out" "$RABBITMQ_LOG_BASE"/*.log; do
        [[ -s $f ]] || continue
        echo "----- last lines of $f -----" >&2
        tail -n 40 "$f" >&2
    done
}

ctl() { "$RMQ_LIB/rabbitmqctl" -n "$NODE_NAME" "$@"; }

# The node's VM: from the PID file, or (when a start was interrupted before the node wrote it) the beam.smp
# child of the rabbitmq-server launcher we started.
running_pid() {
    local lp c
    node_pid && return 0
    [[ -s $HOME_DIR/launcher.pid ]] || return 1
    lp=$(tr -dc 0-9 <"$HOME_DIR/launcher.pid")
    alive "$lp" || return 1
    for c in $(pgrep -P "$lp" 2>/dev/null); do
        pid_alive "$c" beam.smp && { echo "$c"; return 0; }
    done
    return 1
}

with_lock() {
    # Serialises start/stop/kill on one folder. Children started under the lock get `9>&-` so that a
    # long-running node does not inherit (and hold) it.
    exec 9>"$HOME_DIR/.ctl.lock"
    flock -w 300 9 || die "another rabbitmq.sh command holds $HOME_DIR/.ctl.lock"
}

# ---------------------------------------------------------------------------------------------- commands
cmd_start() {
    need_home
    [[ -x $RMQ_LIB/rabbitmq-server ]] || die "RabbitMQ is not installed: run '$SELF install' (as root)"
    with_lock
    node_env
    if node_pid >/dev/null && port_in_use "$AMQP_PORT"; then
        log "node $NODE_NAME already running (AMQP 127.0.0.1:$AMQP_PORT)"
        return 0
    fi
    local t0 pid old i
    t0=$(now)
    # A node that is half up (e.g. a failed boot left the VM) is stopped first.
    if old=$(node_pid); then
        log "node process $old is up but not answering; killing it before starting again"
        kill_pid "$old" beam.smp 5 || true
    fi
    rm -f "$PID_FILE"
    for p in "$AMQP_PORT" "$MGMT_PORT" "$DIST_PORT"; do
        port_in_use "$p" && die "port $p (remembered in $PORTS_FILE) is taken by another process ($(ss -Hltnp "sport = :$p" 2>/dev/null | tr -s ' ' | head -1)); stop it or delete $PORTS_FILE"
    done
    write_config
    ensure_epmd
    : >"$HOME_DIR/server.out"
    cd "$HOME_DIR"
    setsid nohup "$RMQ_LIB/rabbitmq-server" </dev/null >>"$HOME_DIR/server.out" 2>&1 9>&- &
    pid=$!
    echo "$pid" >"$HOME_DIR/launcher.pid"
    # rabbitmqctl wait: waits for the PID file, then for the rabbit application to be running.
    "$RMQ_LIB/rabbitmqctl" -n "$NODE_NAME" wait --timeout 60 "$PID_FILE" >"$HOME_DIR/wait.out" 2>&1 9>&- &
    local waiter=$! rc=""
    while :; do
        if ! alive "$waiter"; then
            wait "$waiter" && rc=0 || rc=$?
            break
        fi
        if ! alive "$pid"; then
            kill "$waiter" 2>/dev/null || true
            wait "$waiter" 2>/dev/null || true
            cat "$HOME_DIR/wait.out" >&2 || true
            show_logs
            stop_epmd
            die "rabbitmq-server exited during startup (see the logs above, folder $HOME_DIR)"
        fi
        sleep 0.2
    done
    if [[ $rc -ne 0 ]]; then
        cat "$HOME_DIR/wait.out" >&2 || true
        show_logs
        cmd_kill_locked || true
        stop_epmd
        die "node $NODE_NAME was not ready within 60 s (rabbitmqctl wait rc=$rc)"
    fi
    # The management plugin boots after the core; wait until its HTTP API answers too.
    for ((i = 0; i < 300; i++)); do
        curl -fsS -o /dev/null -u guest:guest "http://127.0.0.1:$MGMT_PORT/api/overview" 2>/dev/null && break
        sleep 0.1
    done
    ((i < 300)) || { show_logs; die "management API on 127.0.0.1:$MGMT_PORT did not answer"; }
    log "node $NODE_NAME ready in $(elapsed "$t0") s (pid $(node_pid || echo '?'), AMQP 127.0.0.1:$AMQP_PORT, management http://127.0.0.1:$MGMT_PORT/)"
}

cmd_stop() {
    need_home
    with_lock
    node_env
    local t0 pid
    t0=$(now)
    if pid=$(running_pid); then
        if [[ -x $RMQ_LIB/rabbitmqctl ]]; then
            # Without the PID-file argument rabbitmqctl returns once the node has stopped RabbitMQ and starts
            # halting (with it, it polls the PID only once a second: ~1.5 s slower); we poll the PID ourselves.
            timeout 60 "$RMQ_LIB/rabbitmqctl" -n "$NODE_NAME" -q stop >&2 ||
                log "rabbitmqctl stop failed; sending SIGTERM to $pid"
        fi
        kill_pid "$pid" beam.smp 30 || die "node process $pid did not exit"
        log "node $NODE_NAME stopped in $(elapsed "$t0") s"
    else
        log "node $NODE_NAME is not running"
    fi
    # A launcher left behind by a failed boot (should not happen, rabbitmq-server execs the VM).
    if [[ -s $HOME_DIR/launcher.pid ]]; then
        local lp
        lp=$(tr -dc 0-9 <"$HOME_DIR/launcher.pid")
        alive "$lp" && [[ $(cat "/proc/$lp/comm" 2>/dev/null) =~ ^(beam.smp|rabbitmq-server|erl|sh|bash)$ ]] &&
            kill -KILL "$lp" 2>/dev/null || true
        rm -f "$HOME_DIR/launcher.pid"
    fi
    rm -f "$PID_FILE"
    stop_epmd
}

cmd_kill_locked() {
    local pid i
    if pid=$(running_pid); then
        kill -KILL "$pid" 2>/dev/null || true
        # Until the process is gone: its sockets close only when the kernel has torn it down, which on a loaded
        # machine took longer than the 5 s this once waited, and a start right after then found the node's own
        # AMQP port still taken.
        for ((i = 0; i < 300; i++)); do
            pid_alive "$pid" beam.smp || break
            sleep 0.1
        done
        pid_alive "$pid" beam.smp && die "node $NODE_NAME (pid $pid) did not exit within 30 s of SIGKILL"
        log "node $NODE_NAME (pid $pid) killed"
    else
        log "node $NODE_NAME is not running"
    fi
    rm -f "$PID_FILE"
}

cmd_kill() {
    need_home
    with_lock
    node_env
    cmd_kill_locked
}

cmd_status() {
    need_home
    node_env
    local pid
    if pid=$(node_pid) && port_in_use "$AMQP_PORT"; then
        echo "running: node $NODE_NAME pid $pid, AMQP 127.0.0.1:$AMQP_PORT, management http://127.0.0.1:$MGMT_PORT/"
        return 0
    fi
    echo "not running: node $NODE_NAME (folder $HOME_DIR)"
    return 3
}

cmd_env() {
    need_home
    [[ -s $PORTS_FILE ]] || with_lock # only choosing the ports needs the lock
    node_env
    cat <<EOF
export QAZBUS_TEST_RABBITMQ_URI='amqp://guest:guest@127.0.0.1:$AMQP_PORT/'
export QAZBUS_TEST_RABBITMQ_MANAGEMENT_URI='http://127.0.0.1:$MGMT_PORT/'
export QAZBUS_RABBITMQ_HOME='$HOME_DIR'
export QAZBUS_RABBITMQ_CTL='$SELF'
EOF
}

# Only this folder's epmd (no node): the shared epmd of a cluster whose nodes live in sub-folders.
cmd_epmd() {
    need_home
    with_lock
    node_env
    ensure_epmd
    echo "$EPMD_PORT"
}

cmd_ctl() {
    need_home
    node_env
    ctl "$@"
}

case "${1:-}" in
    install) cmd_install ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    kill) cmd_kill ;;
    status) cmd_status ;;
    env) cmd_env ;;
    epmd) cmd_epmd ;;
    ctl) shift; cmd_ctl "$@" ;;
    *)
        echo "usage: QAZBUS_RABBITMQ_HOME=DIR $0 install|start|stop|kill|status|env|epmd|ctl ARGS..." >&2
        exit 2
        ;;
esac
