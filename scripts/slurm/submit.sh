#!/usr/bin/env bash
# Submits a suite's grid to SLURM: an N-task job array (bench-array.sbatch) and the merge job
# that runs after it (merge.sbatch), both writing under DIR, which must be on the shared file
# system.
#   scripts/slurm/submit.sh SUITE N DIR [TASKS] [-- SBATCH_OPTION…]
# TASKS (default 0-(N-1)) submits only some array tasks again, e.g. 1 or 1,4: the shards of
# the others stay as they are, and each re-submitted task resumes from its own cells.
# SBATCH_OPTIONs (--partition=…, --time=…, --cpus-per-task=…) go to both jobs.
# OPTBENCH names the binary the jobs run (default: optbench on PATH, else this checkout's
# .build/release/optbench); it must be reachable from every node.
# Prints "array job ID" and "merge job ID"; logs go to DIR/logs/.
set -euo pipefail
usage() {
    echo "usage: $0 SUITE N DIR [TASKS] [-- SBATCH_OPTION…]" >&2
    exit 2
}
[ $# -ge 3 ] || usage
suite=$1 count=$2 dir=$3
shift 3
if ! [[ $count =~ ^[1-9][0-9]*$ ]]; then
    echo "$0: N is '$count'; expected a positive integer" >&2
    exit 2
fi
tasks=0-$((count - 1))
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
    tasks=$1
    shift
fi
if [ $# -gt 0 ]; then
    [ "$1" = "--" ] || usage
    shift
fi
here=$(cd "$(dirname "$0")" && pwd)
optbench=${OPTBENCH:-$(command -v optbench || echo "$here/../../.build/release/optbench")}
if ! [ -x "$optbench" ]; then
    echo "$0: no optbench binary at '$optbench'; build it (swift build -c release --product optbench) or set OPTBENCH" >&2
    exit 2
fi
OPTBENCH=$(cd "$(dirname "$optbench")" && pwd)/$(basename "$optbench")
export OPTBENCH
mkdir -p "$dir/logs"
dir=$(cd "$dir" && pwd)

# --export=ALL: the jobs need OPTBENCH, whatever the site's default (SBATCH_EXPORT=NONE, say).
array=$(sbatch --parsable --array="$tasks" --chdir="$dir" --export=ALL \
    --output="$dir/logs/shard-%a-job%A.out" "$@" "$here/bench-array.sbatch" "$suite" "$count" "$dir")
array=${array%%;*}
merge=$(sbatch --parsable --dependency="afterany:$array" --chdir="$dir" --export=ALL \
    --output="$dir/logs/merge-job%j.out" "$@" "$here/merge.sbatch" "$suite" "$count" "$dir")
merge=${merge%%;*}
echo "array job $array: tasks $tasks of suite $suite, shard k+1/$count into $dir/shard-k"
echo "merge job $merge: after the array, into $dir/merged"
