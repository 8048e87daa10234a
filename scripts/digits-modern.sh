#!/usr/bin/env bash
# Each optimizer of the modern set on the README's real-digits MLP (data/digits: 1500 training and
# 297 test images, the mlp's defaults, 30 epochs, mini-batches of 32 unless the line says otherwise),
# printing the final test accuracy with the learning rate used. Usage: scripts/digits-modern.sh [OPTBENCH]
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-.build/release/optbench}
D=data/digits
files=(--set train-images=$D/digits-train-images-idx3-ubyte.gz --set train-labels=$D/digits-train-labels-idx1-ubyte.gz
       --set test-images=$D/digits-test-images-idx3-ubyte.gz --set test-labels=$D/digits-test-labels-idx1-ubyte.gz)
while read -r name hps; do
    [ -z "$name" ] && continue
    # shellcheck disable=SC2086
    args=(); for h in $hps; do args+=(--hp "$h"); done
    out=$("$B" run --problem mlp "${files[@]}" --optimizer "$name" "${args[@]}" --epochs 30 \
          --criterion metric:test_accuracy --target 0.999)
    acc=$(printf '%s\n' "$out" | awk '$1 == "test_accuracy" { printf "%.3f", $2 }')
    printf '%-10s %-70s test accuracy %s\n' "$name" "$hps" "$acc"
done <<'LIST'
adamax    lr=0.002 batch_size=32
radam     lr=0.001 batch_size=32
nadamw    lr=0.002 batch_size=32
adafactor lr=0.01 batch_size=32
rprop     lr=0.001 batch_size=0
asgd      lr=0.05 batch_size=32
lion      lr=0.0003 batch_size=32
ademamix  lr=0.001 batch_size=32
sf_sgd    lr=0.5 batch_size=32
sf_adamw  lr=0.0025 batch_size=32
prodigy   lr=1 batch_size=32
lamb      lr=0.01 batch_size=32
lars      lr=0.1 momentum=0.9 batch_size=32
adan      lr=0.005 batch_size=32
muon      lr=0.02 adamw_lr=0.001 batch_size=32
soap      lr=0.003 batch_size=32
shampoo   lr=0.001 grafting=adam epsilon=1e-8 precondition_frequency=20 batch_size=32
LIST
