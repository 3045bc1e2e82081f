#!/usr/bin/env bash
# QazBus build entry point.
#
#   ./build.sh [build]        dotnet build QazBus.sln -c Release (warnings are errors)
#   ./build.sh test           private RabbitMQ + PostgreSQL in a temp folder, npm ci in samples/node-query (the Node
#                             query sample the interop tests run), build, dotnet test (TRX files in
#                             artifacts/test-results/), the demo (embedded and against the broker), extra checks;
#                             always stops the services again; exit code non-zero if any step failed
#   ./build.sh up             start RabbitMQ + PostgreSQL in .qazbus-dev/ and print env lines:
#                                 eval "$(./build.sh up)"
#   ./build.sh up --cluster   the same plus a three-node RabbitMQ cluster (eng/rabbitmq-cluster.sh) in .qazbus-dev/cluster
#   ./build.sh down           stop them
#   ./build.sh soak [N]       private RabbitMQ + PostgreSQL, build, then the fault suite (tests/QazBus.IntegrationTests,
#                             namespace Faults) N times (default 10); prints how often each fault test passed.
#                             Not part of `test`: about a minute and a half per round on 2 cores
#   ./build.sh demo [ARGS]    dotnet run --project samples/QazBus.Demo -- ARGS
#
# Environment:
#   QAZBUS_TEST_RABBITMQ_URI  set: use that broker, do not start one (same for QAZBUS_TEST_POSTGRES and
#                             QAZBUS_TEST_RABBITMQ_CLUSTER_URI, the three-node cluster of the cluster tests)
#   QAZBUS_KEEP_SERVICES=1    `test` leaves the services running (and their temp folder) for debugging
#   QAZBUS_BUILD_TIMEOUT, QAZBUS_TEST_TIMEOUT, QAZBUS_RUN_TIMEOUT   step limits in seconds (1200, 3600, 300)
set -uo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" || exit 1
ROOT=$PWD

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DOTNET_GENERATE_ASPNET_CERTIFICATE=false DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE=1

SOLUTION=QazBus.sln
CONFIG=Release
DEMO_PROJECT=samples/QazBus.Demo
RESULTS_DIR=artifacts/test-results
DEV_DIR=$ROOT/.qazbus-dev
BUILD_TIMEOUT=${QAZBUS_BUILD_TIMEOUT:-1200}
TEST_TIMEOUT=${QAZBUS_TEST_TIMEOUT:-3600}
RUN_TIMEOUT=${QAZBUS_RUN_TIMEOUT:-300}
NODE_SAMPLE=samples/node-query

# Checks run after the tests by `./build.sh test`, one per line: "PROJECT-FOLDER ARGS...".
# Each runs as: dotnet run -c Release --no-build --project PROJECT-FOLDER -- ARGS...
# A check is skipped (not failed) only while its project folder does not exist.
EXTRA_CHECKS=(
    "src/QazBus.Cli contracts check"
    "src/QazBus.Cli registry check"
    # A short benchmark run so the benchmark cannot rot; figures are printed, never judged (see docs/performance.md).
    "tests/QazBus.Benchmarks all --count 2000 --warmup 500 --smoke"
)

# ---------------------------------------------------------------------------------------------- steps
STEP_LINES=()   # summary lines
FAILURES=0
CHILD=""        # the running step (a `timeout` process leading its own process group)
CURRENT_STEP=""
CURRENT_T0=""

now() { echo "${EPOCHREALTIME/,/.}"; }
secs_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

record() { # name status seconds
    STEP_LINES+=("$(printf '  %-28s %-26s %8s s' "$1" "$2" "$3")")
    [[ $2 == ok || $2 == skipped* ]] || FAILURES=$((FAILURES + 1))
}

# run_step NAME LIMIT-SECONDS COMMAND...: runs COMMAND with a time limit, prints and records its duration.
# The command runs in the background under `timeout` (its own process group) and we `wait` for it, so that
# Ctrl-C / SIGTERM reach our trap at once and the trap can end the whole step by PID.
run_step() {
    local name=$1 limit=$2 t0 rc status secs
    shift 2
    echo
    echo "==> [$name] $*"
    t0=$(now)
    CURRENT_STEP=$name
    CURRENT_T0=$t0
    timeout -k 20 "$limit" "$@" </dev/null &
    CHILD=$!
    wait "$CHILD"
    rc=$?
    CHILD=""
    CURRENT_STEP=""
    secs=$(secs_since "$t0")
    case $rc in
        0) status=ok ;;
        124) status="FAILED (timeout ${limit}s)" ;;
        *) status="FAILED (exit $rc)" ;;
    esac
    record "$name" "$status" "$secs"
    echo "<== [$name] $status in $secs s"
    return "$rc"
}

skip_step() { # name reason
    echo
    echo "--- [$1] skipped: $2"
    record "$1" "skipped ($2)" 0
}

print_summary() {
    ((${#STEP_LINES[@]})) || return 0
    echo
    echo "==================== build.sh $COMMAND: summary ===================="
    printf '%s\n' "${STEP_LINES[@]}"
    echo "  total $(secs_since "$T_START") s; failed steps: $FAILURES"
}

# ---------------------------------------------------------------------------------------------- services
TMP_ROOT=""
STARTED_RABBITMQ=""
STARTED_CLUSTER=""
STARTED_POSTGRES=""
CLEANED=""

start_services() { # folder
    local dir=$1 ok=0
    if [[ -n ${QAZBUS_TEST_RABBITMQ_URI:-} ]]; then
        echo "QAZBUS_TEST_RABBITMQ_URI is set: using that broker, not starting one"
    else
        export QAZBUS_RABBITMQ_HOME=$dir/rabbitmq
        if run_step "rabbitmq install" 600 eng/rabbitmq.sh install; then
            STARTED_RABBITMQ=$QAZBUS_RABBITMQ_HOME
            if run_step "rabbitmq start" 300 eng/rabbitmq.sh start; then
                eval "$(eng/rabbitmq.sh env)"
            else
                ok=1
            fi
        else
            ok=1
        fi
    fi
    # The three-node cluster of the cluster fault tests (tests/QazBus.IntegrationTests/Cluster): a separate set of
    # nodes, so killing one of them never disturbs the single broker the other tests share.
    if [[ -n ${QAZBUS_TEST_RABBITMQ_CLUSTER_URI:-} ]]; then
        echo "QAZBUS_TEST_RABBITMQ_CLUSTER_URI is set: using that cluster, not starting one"
    elif [[ -n $STARTED_RABBITMQ || -n ${QAZBUS_TEST_RABBITMQ_URI:-} ]]; then
        export QAZBUS_RABBITMQ_CLUSTER_HOME=$dir/cluster
        STARTED_CLUSTER=$QAZBUS_RABBITMQ_CLUSTER_HOME
        if run_step "rabbitmq cluster start" 300 eng/rabbitmq-cluster.sh start; then
            eval "$(eng/rabbitmq-cluster.sh env)"
        else
            ok=1
        fi
    fi
    if [[ -n ${QAZBUS_TEST_POSTGRES:-} ]]; then
        echo "QAZBUS_TEST_POSTGRES is set: using that PostgreSQL, not starting one"
    else
        export QAZBUS_POSTGRES_HOME=$dir/postgres
        if run_step "postgres install" 600 eng/postgres.sh install; then
            STARTED_POSTGRES=$QAZBUS_POSTGRES_HOME
            if run_step "postgres start" 300 eng/postgres.sh start; then
                eval "$(eng/postgres.sh env)"
            else
                ok=1
            fi
        else
            ok=1
        fi
    fi
    return "$ok"
}

stop_services() {
    local rc=0 t0
    if [[ -n $STARTED_RABBITMQ ]]; then
        t0=$(now)
        QAZBUS_RABBITMQ_HOME=$STARTED_RABBITMQ "$ROOT/eng/rabbitmq.sh" stop ||
            { QAZBUS_RABBITMQ_HOME=$STARTED_RABBITMQ "$ROOT/eng/rabbitmq.sh" kill; rc=1; }
        record "rabbitmq stop" "$([[ $rc -eq 0 ]] && echo ok || echo FAILED)" "$(secs_since "$t0")"
    fi
    if [[ -n $STARTED_CLUSTER ]]; then
        local crc=0
        t0=$(now)
        QAZBUS_RABBITMQ_CLUSTER_HOME=$STARTED_CLUSTER "$ROOT/eng/rabbitmq-cluster.sh" stop || crc=1
        record "rabbitmq cluster stop" "$([[ $crc -eq 0 ]] && echo ok || echo FAILED)" "$(secs_since "$t0")"
        ((crc)) && rc=1
    fi
    if [[ -n $STARTED_POSTGRES ]]; then
        local prc=0
        t0=$(now)
        QAZBUS_POSTGRES_HOME=$STARTED_POSTGRES "$ROOT/eng/postgres.sh" stop ||
            { QAZBUS_POSTGRES_HOME=$STARTED_POSTGRES "$ROOT/eng/postgres.sh" kill; prc=1; }
        record "postgres stop" "$([[ $prc -eq 0 ]] && echo ok || echo FAILED)" "$(secs_since "$t0")"
        ((prc)) && rc=1
    fi
    return "$rc"
}

# EXIT trap: end a running step, stop what we started (unless QAZBUS_KEEP_SERVICES=1), print the summary.
cleanup() {
    local rc=$? i
    [[ -n $CLEANED ]] && return
    CLEANED=1
    trap '' INT TERM
    if [[ -n $CHILD ]] && kill -0 "$CHILD" 2>/dev/null; then
        echo "build.sh: ending the running step (pid $CHILD)" >&2
        kill -TERM "$CHILD" 2>/dev/null # timeout passes it on to the step's whole process group
        for ((i = 0; i < 300; i++)); do
            kill -0 "$CHILD" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$CHILD" 2>/dev/null
        wait "$CHILD" 2>/dev/null
        [[ -n $CURRENT_STEP ]] && record "$CURRENT_STEP" "FAILED (interrupted)" "$(secs_since "$CURRENT_T0")"
    fi
    if [[ -n $STARTED_RABBITMQ || -n $STARTED_CLUSTER || -n $STARTED_POSTGRES ]]; then
        if [[ ${QAZBUS_KEEP_SERVICES:-} == 1 ]]; then
            echo
            echo "QAZBUS_KEEP_SERVICES=1: leaving the services running in $TMP_ROOT. Use them with:"
            [[ -n $STARTED_RABBITMQ ]] && QAZBUS_RABBITMQ_HOME=$STARTED_RABBITMQ eng/rabbitmq.sh env
            [[ -n $STARTED_CLUSTER ]] && QAZBUS_RABBITMQ_CLUSTER_HOME=$STARTED_CLUSTER eng/rabbitmq-cluster.sh env
            [[ -n $STARTED_POSTGRES ]] && QAZBUS_POSTGRES_HOME=$STARTED_POSTGRES eng/postgres.sh env
            echo "Stop them with:"
            [[ -n $STARTED_CLUSTER ]] && echo "  QAZBUS_RABBITMQ_CLUSTER_HOME=$STARTED_CLUSTER $ROOT/eng/rabbitmq-cluster.sh stop"
            [[ -n $STARTED_RABBITMQ ]] && echo "  QAZBUS_RABBITMQ_HOME=$STARTED_RABBITMQ $ROOT/eng/rabbitmq.sh stop"
            [[ -n $STARTED_POSTGRES ]] && echo "  QAZBUS_POSTGRES_HOME=$STARTED_POSTGRES $ROOT/eng/postgres.sh stop"
            [[ -n $TMP_ROOT ]] && echo "  rm -rf $TMP_ROOT"
        else
            echo
            echo "==> stopping the services"
            stop_services || rc=$((rc ? rc : 1))
            if [[ -n $TMP_ROOT && -d $TMP_ROOT ]]; then
                rm -rf "$TMP_ROOT"
            fi
        fi
    elif [[ -n $TMP_ROOT && -d $TMP_ROOT && ${QAZBUS_KEEP_SERVICES:-} != 1 ]]; then
        rm -rf "$TMP_ROOT"
    fi
    print_summary
    if [[ $COMMAND == test ]] && compgen -G "$RESULTS_DIR/*.trx" >/dev/null; then
        # The totals alone on the last line, as CI prints them: what a user of the README's command sees too.
        echo
        bash "$ROOT/eng/test-totals.sh" "$RESULTS_DIR" 2>/dev/null
    fi
    if ((FAILURES > 0 && rc == 0)); then
        rc=1
    fi
    echo "build.sh $COMMAND: exit code $rc"
    exit "$rc"
}

# ---------------------------------------------------------------------------------------------- commands
cmd_build() {
    run_step build "$BUILD_TIMEOUT" dotnet build "$SOLUTION" -c "$CONFIG"
}

cmd_test() {
    rm -rf "$RESULTS_DIR"
    mkdir -p "$RESULTS_DIR"

    TMP_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/qazbus-test.XXXXXX")
    chmod 755 "$TMP_ROOT" # the server of PostgreSQL runs as the `postgres` user when we are root
    start_services "$TMP_ROOT"
    echo
    echo "Tests use RabbitMQ ${QAZBUS_TEST_RABBITMQ_URI:-<none>} (management ${QAZBUS_TEST_RABBITMQ_MANAGEMENT_URI:-<none>})"
    echo "      and PostgreSQL ${QAZBUS_TEST_POSTGRES:-<none>}"

    # The Node sample's packages (amqplib, pinned in its package-lock.json): the Node query tests run its scripts.
    if command -v npm >/dev/null; then
        run_step "npm ci ($NODE_SAMPLE)" "$RUN_TIMEOUT" npm --prefix "$NODE_SAMPLE" ci --no-audit --no-fund
    else
        echo "build.sh: npm is not installed: the Node query tests (NodeQueryTests) need Node.js 20+ and npm to run $NODE_SAMPLE; install them and run ./build.sh test again" >&2
        record "npm ci ($NODE_SAMPLE)" "FAILED (npm missing)" 0
    fi

    if ! cmd_build; then
        skip_step "test" "build failed"
        skip_step "demo (embedded)" "build failed"
        skip_step "demo (rabbitmq)" "build failed"
        return
    fi

    run_step test "$TEST_TIMEOUT" dotnet test "$SOLUTION" -c "$CONFIG" --no-build \
        --logger "trx;LogFilePrefix=qazbus" --logger "console;verbosity=normal" \
        --results-directory "$RESULTS_DIR" --blame-hang-timeout 5m

    run_step "demo (embedded)" "$RUN_TIMEOUT" dotnet run -c "$CONFIG" --no-build --project "$DEMO_PROJECT"
    if [[ -n ${QAZBUS_TEST_RABBITMQ_URI:-} ]]; then
        run_step "demo (rabbitmq)" "$RUN_TIMEOUT" dotnet run -c "$CONFIG" --no-build --project "$DEMO_PROJECT" \
            -- --rabbitmq "$QAZBUS_TEST_RABBITMQ_URI"
    else
        record "demo (rabbitmq)" "FAILED (no broker)" 0
    fi

    local check project args
    for check in "${EXTRA_CHECKS[@]}"; do
        read -r project args <<<"$check"
        if [[ ! -d $project ]]; then
            skip_step "$(basename "$project") $args" "no $project"
            continue
        fi
        # shellcheck disable=SC2086
        run_step "$(basename "$project") $args" "$RUN_TIMEOUT" dotnet run -c "$CONFIG" --no-build --project "$project" -- $args
    done
}

# The fault tests, N rounds: each round a fresh `dotnet test` of the Faults namespace (TRX per round), then a table
# of how often each test passed. A flaky fault test is a defect with a root cause; this is how it is found.
cmd_soak() {
    local rounds=${1:-10} i trx name
    [[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "build.sh soak: N must be a positive number, got '$rounds'" >&2; return 2; }
    local soak_dir=artifacts/soak
    rm -rf "$soak_dir"
    mkdir -p "$soak_dir"
    TMP_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/qazbus-soak.XXXXXX")
    chmod 755 "$TMP_ROOT"
    start_services "$TMP_ROOT" || return
    cmd_build || return
    for ((i = 1; i <= rounds; i++)); do
        run_step "faults round $i/$rounds" "$TEST_TIMEOUT" dotnet test tests/QazBus.IntegrationTests -c "$CONFIG" --no-build \
            --filter "FullyQualifiedName~QazBus.IntegrationTests.Faults" \
            --logger "trx;LogFileName=round-$i.trx" --logger "console;verbosity=normal" \
            --results-directory "$soak_dir" --blame-hang-timeout 5m
    done
    echo
    echo "==================== soak: $rounds rounds of the fault suite ===================="
    # Each UnitTestResult line holds testName="..." and outcome="..."; count passes per test over the rounds.
    for trx in "$soak_dir"/round-*.trx; do
        tr '\r\n' '  ' <"$trx" | grep -o '<UnitTestResult [^>]*>' |
            sed -n 's/.*testName="\([^"]*\)".*outcome="\([^"]*\)".*/\2 \1/p'
    done | sort | uniq -c | awk '{ n=$1; o=$2; $1=""; $2=""; sub(/^  /, ""); if (o == "Passed") p[$0]+=n; else f[$0]+=n; all[$0]=1 }
        END { for (t in all) printf "  %3d/%d passed  %s\n", p[t], p[t]+f[t], t }' | sort -k3
    bash "$ROOT/eng/test-totals.sh" "$soak_dir" 2>/dev/null
}

cmd_up() {
    mkdir -p "$DEV_DIR"
    chmod 755 "$DEV_DIR"
    local rc=0 cluster=""
    [[ ${1:-} == --cluster ]] && cluster=1
    {
        QAZBUS_RABBITMQ_HOME=$DEV_DIR/rabbitmq eng/rabbitmq.sh install &&
            QAZBUS_RABBITMQ_HOME=$DEV_DIR/rabbitmq eng/rabbitmq.sh start || rc=1
        if [[ -n $cluster ]]; then
            QAZBUS_RABBITMQ_CLUSTER_HOME=$DEV_DIR/cluster eng/rabbitmq-cluster.sh start || rc=1
        fi
        QAZBUS_POSTGRES_HOME=$DEV_DIR/postgres eng/postgres.sh install &&
            QAZBUS_POSTGRES_HOME=$DEV_DIR/postgres eng/postgres.sh start || rc=1
    } >&2
    ((rc == 0)) || { echo "build.sh up: a service did not start (see above)" >&2; return 1; }
    echo "# QazBus dev services (stop with ./build.sh down); use them with: eval \"\$(./build.sh up)\""
    QAZBUS_RABBITMQ_HOME=$DEV_DIR/rabbitmq eng/rabbitmq.sh env
    [[ -n $cluster ]] && QAZBUS_RABBITMQ_CLUSTER_HOME=$DEV_DIR/cluster eng/rabbitmq-cluster.sh env
    QAZBUS_POSTGRES_HOME=$DEV_DIR/postgres eng/postgres.sh env
}

cmd_down() {
    local rc=0
    [[ -d $DEV_DIR/cluster ]] && { QAZBUS_RABBITMQ_CLUSTER_HOME=$DEV_DIR/cluster eng/rabbitmq-cluster.sh stop || rc=1; }
    [[ -d $DEV_DIR/rabbitmq ]] && { QAZBUS_RABBITMQ_HOME=$DEV_DIR/rabbitmq eng/rabbitmq.sh stop || rc=1; }
    [[ -d $DEV_DIR/postgres ]] && { QAZBUS_POSTGRES_HOME=$DEV_DIR/postgres eng/postgres.sh stop || rc=1; }
    return "$rc"
}

usage() {
    sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
}

COMMAND=${1:-build}
[[ $# -gt 0 ]] && shift
T_START=$(now)

case $COMMAND in
    build | test | soak)
        trap cleanup EXIT
        trap 'echo; echo "build.sh: interrupted" >&2; exit 130' INT
        trap 'echo; echo "build.sh: terminated" >&2; exit 143' TERM
        "cmd_$COMMAND" "$@"
        exit 0 # the EXIT trap turns recorded failures into a non-zero exit code
        ;;
    up) cmd_up "$@" ;;
    down) cmd_down ;;
    demo) exec dotnet run --project "$DEMO_PROJECT" -- "$@" ;;
    -h | --help | help) usage ;;
    *)
        usage >&2
        exit 2
        ;;
esac
