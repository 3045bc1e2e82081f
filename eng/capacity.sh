#!/usr/bin/env bash
# The measurements behind docs/capacity.md: CPU seconds per message of each part (client, RabbitMQ, PostgreSQL) and
# throughput for the direct, outbox and query paths (query beside the plain client's RPC, rpc-raw), on one RabbitMQ
# node and on the three-node cluster, in one go.
#
#   ./build.sh up --cluster > /tmp/qazbus.env && . /tmp/qazbus.env   # one node, the cluster, PostgreSQL
#   bash eng/capacity.sh [--count N] [--warmup N] [--rounds N]      # ~4 minutes; JSON lines in capacity.jsonl
#
# The cluster run connects the benchmark to node 1 (the queues' leaders land there, the other two replicate) and
# counts the CPU of all three nodes. Other load on the machine skews every figure: run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."

COUNT=20000 WARMUP=20000 ROUNDS=1 JSON=capacity.jsonl
while (($#)); do
    case $1 in
        --count) COUNT=$2; shift 2 ;;
        --warmup) WARMUP=$2; shift 2 ;;
        --rounds) ROUNDS=$2; shift 2 ;;
        --json) JSON=$2; shift 2 ;;
        *) echo "capacity.sh: unknown argument $1 (use --count, --warmup, --rounds, --json)" >&2; exit 2 ;;
    esac
done

need() {
    [[ -n ${!1:-} ]] || { echo "capacity.sh: \$$1 is not set; start the services with: ./build.sh up --cluster > /tmp/qazbus.env && . /tmp/qazbus.env" >&2; exit 2; }
}
need QAZBUS_TEST_RABBITMQ_URI
need QAZBUS_TEST_RABBITMQ_CLUSTER_URI
need QAZBUS_RABBITMQ_CLUSTER_HOME
need QAZBUS_TEST_POSTGRES

# The beam.smp of cluster node N: the one whose command line names the node's home folder.
node_pid() {
    local pid
    for pid in $(pgrep -f beam.smp); do
        if tr '\0' '\n' < "/proc/$pid/cmdline" 2>/dev/null | grep -qx "$QAZBUS_RABBITMQ_CLUSTER_HOME/node$1"; then
            echo "$pid"; return 0
        fi
    done
    echo "capacity.sh: cluster node $1 is not running (bash eng/rabbitmq-cluster.sh status)" >&2
    return 1
}

dotnet build -c Release tests/QazBus.Benchmarks -v q -nologo > /dev/null
bench() { dotnet run -c Release --no-build --project tests/QazBus.Benchmarks -- raw,direct,outbox,rpc-raw,query --throughput \
    --count "$COUNT" --warmup "$WARMUP" --rounds "$ROUNDS" --json "$JSON" "$@"; }

echo "== one RabbitMQ node"
bench --uri "$QAZBUS_TEST_RABBITMQ_URI"

echo
echo "== three-node cluster (client on node 1, CPU of all three nodes)"
first_host=${QAZBUS_TEST_RABBITMQ_CLUSTER_URI#*@}; first_host=${first_host%%[,/]*}
credentials=${QAZBUS_TEST_RABBITMQ_CLUSTER_URI%%@*}
bench --uri "$credentials@$first_host/" --broker-pid "$(node_pid 1)" --broker-pid "$(node_pid 2)" --broker-pid "$(node_pid 3)"
