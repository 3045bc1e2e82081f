#!/usr/bin/env bash
# Sums the <Counters .../> of TRX files and prints, alone on its last line:  N passed, N failed[, N skipped]
#
#   eng/test-totals.sh FOLDER            per-file lines, then the totals line
#   eng/test-totals.sh --vars FOLDER     shell assignments instead (passed= failed= skipped= executed= files=)
#
# VSTest counts skipped tests ([Fact(Skip=...)]) in total but neither in executed nor in notExecuted, so
# skipped = max(total - executed, notExecuted). Errors, timeouts and aborts count as failed.
set -uo pipefail

vars=0
if [[ ${1:-} == --vars ]]; then
    vars=1
    shift
fi
dir=${1:?usage: test-totals.sh [--vars] FOLDER}

passed=0 failed=0 skipped=0 executed=0 files=0
shopt -s nullglob
for trx in "$dir"/*.trx "$dir"/*/*.trx; do
    counters=$(tr '\r\n' '  ' <"$trx" | grep -o '<Counters[^>]*>' | head -n 1)
    [[ -n $counters ]] || { echo "test-totals: no <Counters> in $trx" >&2; continue; }
    files=$((files + 1))
    attr() { sed -n "s/.*[[:space:]]$1=\"\([0-9]*\)\".*/\1/p" <<<"$counters" | head -n 1; }
    p=$(attr passed) f=$(attr failed) e=$(attr error) t=$(attr timeout) a=$(attr aborted)
    x=$(attr executed) n=$(attr notExecuted) total=$(attr total)
    s=$(( ${total:-0} - ${x:-0} ))
    ((s < ${n:-0})) && s=${n:-0}
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
    executed=$((executed + ${x:-0}))
    skipped=$((skipped + s))
    ((vars)) || echo "  $(basename "$trx"): total=${total:-0} executed=${x:-0} passed=${p:-0} failed=${f:-0} error=${e:-0} timeout=${t:-0} aborted=${a:-0}" >&2
done

if ((vars)); then
    echo "passed=$passed failed=$failed skipped=$skipped executed=$executed files=$files"
    exit 0
fi
line="$passed passed, $failed failed"
((skipped > 0)) && line+=", $skipped skipped"
echo "$line"
