#!/bin/sh
# The seed files of `json-fuzz` (make fuzz): what optbench writes for a small grid and reads
# back — cells.jsonl, timings.jsonl, timings.json and table.json of a whole run, shard.json of
# each of its two shards (shard-2.json), and the suite definition a shard keeps (suite.json).
#     Tests/Fixtures/records/make_records.sh .build/release/optbench
set -e
bin=${1:-.build/release/optbench}
here=$(dirname "$0")
tmp=$(mktemp -d)
grid="--problem least-squares[n=40,d=4,kappa=10] --problem logistic[n=40,d=4] --problem w7 --optimizer gd --optimizer sgd[batch_size=4]
      --seeds 2 --target 1e-4 --epochs 40 --lr 0.1,1,10 --name records"
$bin bench $grid --out "$tmp/whole" > /dev/null 2>&1
$bin bench $grid --out "$tmp/s1" --shard 1/2 > /dev/null 2>&1
$bin bench $grid --out "$tmp/s2" --shard 2/2 > /dev/null 2>&1
for f in cells.jsonl timings.jsonl timings.json table.json; do cp "$tmp/whole/$f" "$here/$f"; done
cp "$tmp/s1/shard.json" "$here/shard.json"
cp "$tmp/s2/shard.json" "$here/shard-2.json"
cp "$tmp/s1/suite.json" "$here/suite.json"
rm -rf "$tmp"
