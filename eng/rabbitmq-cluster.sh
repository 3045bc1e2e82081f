#!/usr/bin/env bash
# A three-node RabbitMQ cluster on one machine, for the cluster fault tests and for development.
#
#   QAZBUS_RABBITMQ_CLUSTER_HOME=/some/folder eng/rabbitmq-cluster.sh start|stop|kill-node N|stop-node N|start-node N|status|env|ctl N ARGS...
#
# Every node is an eng/rabbitmq.sh node (same install, config, start/stop/kill logic) in a sub-folder node1..node3,
# named qazbus-N@localhost, with its own AMQP, management and Erlang-distribution ports (chosen once, kept in each
# node's `ports` file). What makes them one cluster:
#   - one epmd for the three (started by `rabbitmq.sh epmd` in the cluster folder): Erlang nodes find each other's
#     distribution port through epmd, so the nodes cannot each have their own as single nodes do;
#   - one Erlang cookie, copied into each node's folder before its first start;
#   - on the first start, nodes 2 and 3 join node 1 (stop_app, join_cluster, start_app). Later starts find the
#     cluster membership in each node's data folder.
#
# Commands:
#   start         start the epmd and all three nodes (in parallel: after a full stop, a node waits for its peers), join
#                 them on the first start, and wait until the cluster reports three running nodes
#   stop          graceful stop of all nodes, then the epmd
#   kill-node N   SIGKILL node N (a crashed server); its data stays, `start-node N` brings it back into the cluster
#   stop-node N   graceful stop of node N (one step of a rolling restart)
#   start-node N  start node N again; it rejoins the cluster from its data folder
#   status        the cluster's view (rabbitmqctl cluster_status from the first running node); exit 3 when no node runs
#   env           export lines for the tests: QAZBUS_TEST_RABBITMQ_CLUSTER_URI (the three AMQP endpoints in one URI),
#                 ..._MANAGEMENT_URIS, QAZBUS_RABBITMQ_CLUSTER_HOME, QAZBUS_RABBITMQ_CLUSTER_CTL
#   ctl N ARGS    rabbitmqctl against node N
set -euo pipefail

SELF="$(readlink -f "${BASH_SOURCE[0]}")"
NODE_SCRIPT="$(dirname "$SELF")/rabbitmq.sh"
NODES=(1 2 3)

die() { echo "rabbitmq-cluster.sh: error: $*" >&2; exit 1; }
log() { echo "rabbitmq-cluster.sh: $*" >&2; }
now() { echo "${EPOCHREALTIME/,/.}"; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

[[ -n ${QAZBUS_RABBITMQ_CLUSTER_HOME:-} ]] || die "QAZBUS_RABBITMQ_CLUSTER_HOME is not set (the folder holding the cluster's state)"
mkdir -p "$QAZBUS_RABBITMQ_CLUSTER_HOME"
CLUSTER_DIR="$(cd "$QAZBUS_RABBITMQ_CLUSTER_HOME" && pwd -P)"

node_dir() { echo "$CLUSTER_DIR/node$1"; }
node_name() { echo "qazbus-$1@localhost"; }

check_node() {
    [[ " ${NODES[*]} " == *" ${1:-} "* ]] || die "no node '${1:-}': nodes are ${NODES[*]}"
}

# The cluster's epmd: owned by the cluster folder itself (rabbitmq.sh there runs no node, only the epmd).
epmd_port() {
    [[ -s $CLUSTER_DIR/ports ]] || return 1
    sed -n 's/^EPMD_PORT=//p' "$CLUSTER_DIR/ports"
}

start_epmd() {
    env -u QAZBUS_RABBITMQ_EPMD_PORT -u QAZBUS_RABBITMQ_NODENAME QAZBUS_RABBITMQ_HOME="$CLUSTER_DIR" "$NODE_SCRIPT" epmd >/dev/null
}

# rabbitmq.sh for node N, registered with the cluster's epmd.
on_node() { # N command args...
    local n=$1 port
    shift
    port=$(epmd_port) || die "the cluster in $CLUSTER_DIR was never started"
    QAZBUS_RABBITMQ_HOME="$(node_dir "$n")" QAZBUS_RABBITMQ_NODENAME="$(node_name "$n")" QAZBUS_RABBITMQ_EPMD_PORT="$port" \
        "$NODE_SCRIPT" "$@"
}

write_cookie() {
    local cookie=$CLUSTER_DIR/.erlang.cookie n dir
    if [[ ! -s $cookie ]]; then
        local value
        value=$(LC_ALL=C tr -dc A-Z </dev/urandom 2>/dev/null | head -c 20) || true # tr ends on SIGPIPE
        [[ ${#value} -eq 20 ]] || die "could not make an Erlang cookie"
        (umask 077 && printf '%s' "$value" >"$cookie")
    fi
    for n in "${NODES[@]}"; do
        dir=$(node_dir "$n")
        mkdir -p "$dir"
        if ! cmp -s "$cookie" "$dir/.erlang.cookie" 2>/dev/null; then
            rm -f "$dir/.erlang.cookie"
            cp "$cookie" "$dir/.erlang.cookie"
            chmod 400 "$dir/.erlang.cookie"
        fi
    done
}

running_nodes() { # the cluster's running nodes as node 1 sees them (or the first node that answers)
    local n
    for n in "${NODES[@]}"; do
        if on_node "$n" status >/dev/null 2>&1; then
            on_node "$n" ctl -q eval 'io:format("~s~n", [string:join([atom_to_list(N) || N <- rabbit_nodes:all_running()], " ")]).' 2>/dev/null | head -1
            return 0
        fi
    done
    return 1
}

cmd_start() {
    local t0 n pids=() rc=0 first
    t0=$(now)
    write_cookie
    start_epmd
    first=$([[ -d $(node_dir 1)/mnesia ]] && echo no || echo yes)
    # In parallel: a node that was not the last to stop waits at boot for the peers it knew.
    for n in "${NODES[@]}"; do
        on_node "$n" start &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do
        wait "$pid" || rc=$?
    done
    ((rc == 0)) || die "a node did not start (see above)"
    local joined
    joined=$(running_nodes || true)
    for n in "${NODES[@]:1}"; do
        if [[ " $joined " != *" $(node_name "$n") "* ]]; then
            log "joining $(node_name "$n") to $(node_name 1)"
            on_node "$n" ctl -q stop_app
            on_node "$n" ctl -q join_cluster "$(node_name 1)"
            on_node "$n" ctl -q start_app
        fi
    done
    wait_running 3 120
    log "cluster of ${#NODES[@]} nodes ready in $(elapsed "$t0") s (first start: $first): $(running_nodes)"
}

wait_running() { # count timeout-seconds
    local want=$1 secs=$2 i nodes
    for ((i = 0; i < secs * 2; i++)); do
        nodes=$(running_nodes || true)
        [[ $(wc -w <<<"$nodes") -ge $want ]] && return 0
        sleep 0.5
    done
    die "the cluster reports '${nodes:-no node}' running, not $want nodes, after $secs s"
}

cmd_stop() {
    local n pids=()
    if epmd_port >/dev/null; then
        for n in "${NODES[@]}"; do
            on_node "$n" stop &
            pids+=($!)
        done
        for pid in "${pids[@]}"; do
            wait "$pid" || true
        done
    fi
    env -u QAZBUS_RABBITMQ_EPMD_PORT -u QAZBUS_RABBITMQ_NODENAME QAZBUS_RABBITMQ_HOME="$CLUSTER_DIR" "$NODE_SCRIPT" stop 2>/dev/null || true
}

cmd_status() {
    local n up=0
    for n in "${NODES[@]}"; do
        if epmd_port >/dev/null && on_node "$n" status; then
            up=$((up + 1))
        else
            echo "not running: $(node_name "$n")"
        fi
    done
    ((up > 0)) || return 3
    echo "running in the cluster: $(running_nodes)"
}

cmd_env() {
    local n amqp mgmt hosts="" mgmts=""
    [[ -s $(node_dir 3)/ports ]] || die "the cluster in $CLUSTER_DIR was never started: run '$SELF start' first"
    for n in "${NODES[@]}"; do
        amqp=$(sed -n 's/^AMQP_PORT=//p' "$(node_dir "$n")/ports")
        mgmt=$(sed -n 's/^MGMT_PORT=//p' "$(node_dir "$n")/ports")
        hosts+="${hosts:+,}127.0.0.1:$amqp"
        mgmts+="${mgmts:+ }http://127.0.0.1:$mgmt/"
    done
    cat <<EOF
export QAZBUS_TEST_RABBITMQ_CLUSTER_URI='amqp://guest:guest@$hosts/'
export QAZBUS_TEST_RABBITMQ_CLUSTER_MANAGEMENT_URIS='$mgmts'
export QAZBUS_RABBITMQ_CLUSTER_HOME='$CLUSTER_DIR'
export QAZBUS_RABBITMQ_CLUSTER_CTL='$SELF'
EOF
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    kill-node) check_node "${2:-}"; on_node "$2" kill ;;
    stop-node) check_node "${2:-}"; on_node "$2" stop ;;
    start-node) check_node "${2:-}"; on_node "$2" start ;;
    status) cmd_status ;;
    env) cmd_env ;;
    ctl) check_node "${2:-}"; n=$2; shift 2; on_node "$n" ctl "$@" ;;
    *)
        echo "usage: QAZBUS_RABBITMQ_CLUSTER_HOME=DIR $0 start|stop|kill-node N|stop-node N|start-node N|status|env|ctl N ARGS..." >&2
        exit 2
        ;;
esac
