#!/usr/bin/env bash
# make test-slurm: scripts/slurm/ end to end on a real single-node SLURM cluster.
#
# Installs Debian's slurm-wlm and munge when missing, then starts munged, slurmctld and slurmd
# on this machine with a configuration of its own under a temporary directory (loopback
# addresses, free ports, state, spool, pid and log files all in there), and runs the smoke
# suite as a job array with N = 3:
#   1. the whole array and its merge: every file of the merged folder that holds no wall time
#      is byte for byte the one a single local run writes, and `optbench compare` agrees;
#   2. array task 1 failing (asked for a suite that does not exist): the merge job fails
#      naming shard 2 of 3 and the task to submit again, and no table is written;
#   3. task 1 alone submitted again, with the merge: the grid completes, equal to the local run;
#   4. the whole array submitted again: every task takes all its cells from the shared cache.
# Every daemon it started is stopped by process id on exit, whatever the outcome.
#
# Usage: Tests/Slurm/cluster-test.sh [OPTBENCH]   (as root; OPTBENCH defaults to .build/release/optbench)
# SLURM_TEST_TIMEOUT (seconds, default 300) bounds each wait; SLURM_TEST_KEEP=1 keeps the directory.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
optbench=$(realpath -m "${1:-$repo/.build/release/optbench}")
submit=$repo/scripts/slurm/submit.sh
timeout_s=${SLURM_TEST_TIMEOUT:-300}
started=$SECONDS
passed=0 failed=0

say() { echo "test-slurm: $*"; }
die() {
    say "FAIL: $*"
    failed=$((failed + 1))
    exit 1
}
check() {
    local what=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
        say "ok   $what"
    else
        failed=$((failed + 1))
        say "FAIL $what"
    fi
}

[ "$(id -u)" -eq 0 ] || die "needs root: it installs slurm-wlm and munge and runs slurmd as root"
[ -x "$optbench" ] || die "no optbench binary at $optbench (make build)"
need=()
for tool in munged munge slurmctld slurmd sbatch squeue scontrol sinfo scancel; do
    command -v "$tool" >/dev/null || need+=("$tool")
done
if [ ${#need[@]} -gt 0 ]; then
    say "installing slurm-wlm and munge (missing: ${need[*]})"
    apt-get update -qq >/dev/null || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null \
        || die "apt-get install slurm-wlm munge failed"
fi
say "$(slurmctld -V), $(munged -V 2>&1 | head -1)"

munged_pid="" ctld_pid="" slurmd_pid=""

alive() {
    local state
    state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
    [ -n "$state" ] && [ "$state" != Z ]
}
stop() {
    local pid=$1 i
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        alive "$pid" || break
        sleep 0.2
    done
    if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
}
marked() {
    local p
    for p in /proc/[0-9]*; do
        [ "${p#/proc/}" = $$ ] && continue
        if grep -qzxF -- "$marker" "$p/environ" 2>/dev/null; then echo "${p#/proc/}"; fi
    done
}
cleanup() {
    local status=$? pid ids i
    set +eu
    trap - EXIT INT TERM
    if [ -n "$ctld_pid" ] && alive "$ctld_pid"; then
        ids=$(sl squeue -h -o %A 2>/dev/null | sort -u)
        if [ -n "$ids" ]; then
            # shellcheck disable=SC2086
            sl scancel $ids 2>/dev/null
            for ((i = 0; i < 50; i++)); do
                [ -z "$(sl squeue -h 2>/dev/null)" ] && break
                sleep 0.2
            done
        fi
    fi
    stop "$slurmd_pid"
    stop "$ctld_pid"
    for pid in $(marked); do stop "$pid"; done
    stop "$munged_pid"
    if [ -n "$(marked)" ]; then say "FAIL: processes of this cluster still running: $(marked | tr '\n' ' ')"; status=1; fi
    if [ "$status" -ne 0 ]; then
        for f in "$tmp"/slurm/log/slurmctld.log "$tmp"/slurm/log/slurmd.log; do
            [ -f "$f" ] && { echo "--- last lines of $f"; tail -n 15 "$f"; }
        done
    fi
    if [ "${SLURM_TEST_KEEP:-0}" = 1 ]; then say "kept $tmp"; else rm -rf "$tmp"; fi
    [ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
    say "$((SECONDS - started)) s"
    echo "test-slurm: $passed passed, $failed failed"
    exit "$status"
}

# The cluster's own clients and the jobs submitted through them.
sl() { env SLURM_CONF="$conf" "$marker" "$@"; }

free_ports() {
    python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))'
}
wait_until() {
    local what=$1 i
    shift
    for ((i = 0; i < timeout_s * 5; i++)); do
        "$@" && return 0
        sleep 0.2
    done
    die "timed out after $timeout_s s waiting for $what"
}

tmp=$(mktemp -d /tmp/optbench-slurm.XXXXXX)
conf=$tmp/slurm/slurm.conf
# Every process of this cluster, daemons and jobs, carries this variable: the cleanup finds
# what slurmd left behind (slurmstepd, a job's children) by it, and only those.
marker=OPTBENCH_SLURM_TEST=$tmp
trap cleanup EXIT
trap 'exit 130' INT TERM
# munged refuses a socket whose directories others cannot search.
chmod 755 "$tmp"
mkdir -p "$tmp/munge/key" "$tmp/munge/run" "$tmp/slurm/state" "$tmp/slurm/spool" "$tmp/slurm/run" "$tmp/slurm/log" "$tmp/bin"
chmod 700 "$tmp/munge/key"

# --- munge: a key of our own, its socket under $tmp.
dd if=/dev/urandom of="$tmp/munge/key/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge/key/munge.key"
socket=$tmp/munge/run/munge.socket
env "$marker" munged --foreground --key-file="$tmp/munge/key/munge.key" --socket="$socket" \
    --pid-file="$tmp/munge/run/munged.pid" --log-file="$tmp/munge/munged.log" --seed-file="$tmp/munge/munged.seed" \
    > "$tmp/munge/munged.out" 2>&1 &
munged_pid=$!
munge_ok() { munge -n -S "$socket" 2>/dev/null | unmunge -S "$socket" >/dev/null 2>&1; }
wait_until "munged (log: $(cat "$tmp/munge/munged.out" 2>/dev/null))" munge_ok

# --- slurm: one node, this machine, every address on the loopback.
node=$(hostname -s)
read -r ctld_port slurmd_port < <(free_ports)
cat > "$conf" <<EOF
ClusterName=optbench-test
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
MinJobAge=3600
StateSaveLocation=$tmp/slurm/state
SlurmdSpoolDir=$tmp/slurm/spool
SlurmctldPidFile=$tmp/slurm/run/slurmctld.pid
SlurmdPidFile=$tmp/slurm/run/slurmd.pid
SlurmctldLogFile=$tmp/slurm/log/slurmctld.log
SlurmdLogFile=$tmp/slurm/log/slurmd.log
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
# env execs the daemon, so $! is the daemon's own pid (a function put in the background
# would be a subshell around it).
env SLURM_CONF="$conf" "$marker" slurmctld -D -f "$conf" > "$tmp/slurm/log/slurmctld.out" 2>&1 &
ctld_pid=$!
env SLURM_CONF="$conf" "$marker" slurmd -D -f "$conf" -N "$node" > "$tmp/slurm/log/slurmd.out" 2>&1 &
slurmd_pid=$!
node_idle() {
    alive "$ctld_pid" || die "slurmctld exited: $(tail -n 5 "$tmp/slurm/log/slurmctld.out")"
    alive "$slurmd_pid" || die "slurmd exited: $(tail -n 5 "$tmp/slurm/log/slurmd.out")"
    [ "$(sl sinfo -h -n "$node" -o %T 2>/dev/null)" = idle ]
}
wait_until "node $node to be idle" node_idle
say "cluster up in $((SECONDS - started)) s: slurmctld $ctld_pid, slurmd $slurmd_pid, munged $munged_pid, node $node with $(nproc) CPUs, ports $ctld_port/$slurmd_port"

# --- helpers over jobs.
# "TASK STATE EXIT" per task of job $1 (TASK is - for a job that is no array).
states() {
    sl scontrol show job -o "$1" | while read -r line; do
        local task=- state='?' code='?'
        [[ $line =~ ArrayTaskId=([^ ]+) ]] && task=${BASH_REMATCH[1]}
        [[ $line =~ JobState=([^ ]+) ]] && state=${BASH_REMATCH[1]}
        [[ $line =~ \ ExitCode=([^ ]+) ]] && code=${BASH_REMATCH[1]}
        echo "$task $state $code"
    done | sort
}
finished() {
    local now
    now=$(states "$1")
    [ -n "$now" ] && ! grep -qE ' (PENDING|RUNNING|CONFIGURING|COMPLETING|REQUEUED|RESIZING|SUSPENDED) ' <<< "$now"
}
# Submits through scripts/slurm/submit.sh and waits for its merge job; sets $array and $merge.
submit_and_wait() {
    local out
    out=$(sl "$submit" "$@") || die "submit.sh $* failed: $out"
    echo "$out" | sed 's/^/  /'
    array=$(sed -n 's/^array job \([0-9]*\):.*/\1/p' <<< "$out")
    merge=$(sed -n 's/^merge job \([0-9]*\):.*/\1/p' <<< "$out")
    [ -n "$array" ] && [ -n "$merge" ] || die "submit.sh printed no job ids"
    wait_until "merge job $merge" finished "$merge"
    states "$array" | sed 's/^/  array task /'
    states "$merge" | sed 's/^-/  merge job/'
}
is() { [ "$1" = "$2" ] || { echo "  expected '$2', got '$1'"; return 1; }; }
# Every file without wall times byte for byte the local run's, and compare finds nothing changed.
same_as_local() {
    [ -s "$1/table.json" ] && [ -s "$1/index.html" ] || { echo "  no tables in $1"; return 1; }
    diff -r -x 'timings*' -x provenance.json -x index.html -x '*seconds*' "$tmp/local" "$1" || return 1
    local report
    report=$("$optbench" compare "$tmp/local" "$1" --ignore-time) && grep -q ": 0 regressed, 0 improved, [1-9][0-9]* unchanged$" <<< "$report" \
        || { echo "  optbench compare found changes:"; echo "$report" | sed 's/^/    /'; return 1; }
}
log_has() { grep -qF -- "$2" "$1" || { echo "  '$2' not in $1:"; sed 's/^/    /' "$1"; return 1; }; }
all_cached() {
    local f
    for f in "$@"; do grep -qE ' ([0-9]+) cells \(\1 from the cache\)' "$f" || { echo "  $f ran cells:"; grep cells "$f"; return 1; }; done
}

# --- the local reference: one run of the whole grid.
"$optbench" bench --suite smoke --out "$tmp/local" > "$tmp/local.out" 2>&1 || die "local run failed: $(cat "$tmp/local.out")"
[ -d "$tmp/local/traces" ] && [ -s "$tmp/local/table.md" ] && [ -s "$tmp/local/cells.jsonl" ] || die "local run wrote no tables"

run=$tmp/run1
say "1. the whole array, N = 3, into $run"
submit_and_wait smoke 3 "$run" -- --cpus-per-task=1
check "every array task completed" is "$(states "$array")" "$(printf '%s COMPLETED 0:0\n' 0 1 2)"
check "the merge job completed" is "$(states "$merge")" "- COMPLETED 0:0"
check "the shards hold the grid's cells, each once" diff <(cat "$run"/shard-*/cells.jsonl | sort) <(sort "$tmp/local/cells.jsonl")
check "the merged tables, cells and traces equal the local run's" same_as_local "$run/merged"

run=$tmp/run2
say "2. array task 1 fails (an invalid suite), into $run"
cat > "$tmp/bin/optbench-failing-shard-2" <<EOF
#!/usr/bin/env bash
# optbench, but shard 2/3 is asked for a suite that does not exist.
args=() prev="" fail=0
for a in "\$@"; do [ "\$a" = 2/3 ] && fail=1; done
for a in "\$@"; do
    if [ \$fail = 1 ] && [ "\$prev" = --suite ]; then a=no-such-suite; fi
    args+=("\$a") prev=\$a
done
exec "$optbench" "\${args[@]}"
EOF
chmod +x "$tmp/bin/optbench-failing-shard-2"
OPTBENCH=$tmp/bin/optbench-failing-shard-2 submit_and_wait smoke 3 "$run" -- --cpus-per-task=1
check "tasks 0 and 2 completed, task 1 failed with exit 2" is "$(states "$array")" \
    "$(printf '0 COMPLETED 0:0\n1 FAILED 2:0\n2 COMPLETED 0:0')"
check "task 1's log names the bad suite" log_has "$run/logs/shard-1-job$array.out" "unknown suite 'no-such-suite'"
check "the merge job ran anyway and failed with exit 2" is "$(states "$merge")" "- FAILED 2:0"
check "the merge log names the missing shard" log_has "$run/logs/merge-job$merge.out" "shard 2 of 3 of suite 'smoke' missing"
check "the merge log names the task to submit again" log_has "$run/logs/merge-job$merge.out" "submit.sh smoke 3 $run 1"
check "no tables were written" is "$(find "$run" -name 'table.*' -o -name index.html -o -name 'merged*' | wc -l)" 0

say "3. task 1 alone submitted again, with the merge"
submit_and_wait smoke 3 "$run" 1 -- --cpus-per-task=1
check "only task 1 ran, and completed" is "$(states "$array")" "1 COMPLETED 0:0"
check "the merge job completed" is "$(states "$merge")" "- COMPLETED 0:0"
check "the completed grid equals the local run" same_as_local "$run/merged"

say "4. the whole array submitted again"
submit_and_wait smoke 3 "$run" -- --cpus-per-task=1
check "every array task and the merge completed" is "$(states "$array"; states "$merge")" \
    "$(printf '%s COMPLETED 0:0\n' 0 1 2 -)"
check "every task took all its cells from the cache" all_cached "$run"/logs/shard-{0,1,2}-job"$array".out
check "the grid still equals the local run" same_as_local "$run/merged"

[ "$failed" -eq 0 ] || exit 1
