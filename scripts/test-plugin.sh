#!/usr/bin/env bash
# make test-plugin: Examples/PluginTemplate built against this checkout, as a plugin's author
# would use it. Its tests (the conformance kit on its optimizer and problem, its rule against
# its recurrence); then its command line: list, trace, run, refusal of bad input (exit 2) and a
# bench whose grid mixes the plugin's entries with built-ins, checked for the usual tables.
# Last, the same package resolved by git URL at a tag (a bare clone of this checkout's HEAD),
# which SwiftPM treats like a versioned dependency (no unsafe flags): it must build and list.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
plugin="$root/Examples/PluginTemplate"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
flags=(-c release -Xswiftc -target-cpu -Xswiftc native -Xcc -fno-math-errno)

fail() { echo "test-plugin: $*" >&2; exit 1; }
expect() {  # expect STATUS PATTERN COMMAND…: exit status STATUS and PATTERN in stdout+stderr
    local status=$1 pattern=$2; shift 2
    local out rc=0
    out="$("$@" 2>&1)" || rc=$?
    [ "$rc" -eq "$status" ] || { echo "$out" >&2; fail "'$*' exited $rc, expected $status"; }
    grep -qE -- "$pattern" <<<"$out" || { echo "$out" >&2; fail "'$*' printed no /$pattern/"; }
    echo "ok: $* → exit $rc, /$pattern/"
}

cd "$plugin"
swift test "${flags[@]}" -Xswiftc -enable-testing
swift build "${flags[@]}"
bin="$(swift build "${flags[@]}" --show-bin-path)/my-optbench"

expect 0 'sign-descent' "$bin" list optimizers
expect 0 'pseudo-huber' "$bin" list problems
expect 0 'gd' "$bin" list optimizers
expect 0 "^step,loss" "$bin" trace --problem rosenbrock --x0 -1.5,2 --optimizer sign-descent --hp lr=0.01 --steps 5
expect 2 "deterministic" "$bin" trace --problem pseudo-huber --optimizer sign-descent --steps 5
expect 0 'sign-descent' "$bin" run --problem pseudo-huber --optimizer sign-descent --hp lr=0.01 --epochs 20
expect 0 'pseudo-huber' "$bin" run --problem pseudo-huber --optimizer nesterov --epochs 20
expect 2 'momentum' "$bin" run --problem pseudo-huber --optimizer sign-descent --hp momentum=2 --epochs 1
expect 2 'moment' "$bin" run --problem pseudo-huber --optimizer sign-descent --hp moment=0.5 --epochs 1
expect 2 'delta' "$bin" run --problem pseudo-huber --set delta=-1 --optimizer gd --epochs 1

sed 's/"sign-descent"/"sign-descnet"/' suites/mixed.json > "$work/mixed-bad.json"
expect 2 'mixed-bad.json.*sign-descnet' "$bin" bench --suite "$work/mixed-bad.json" --out "$work/never"
[ ! -e "$work/never" ] || fail "a refused suite file wrote $work/never"

"$bin" bench --suite suites/mixed.json --out "$work/mixed" --jobs 2
for f in table.md table.json rankings.md index.html; do [ -s "$work/mixed/$f" ] || fail "bench wrote no $f"; done
for name in pseudo-huber least-squares sign-descent nesterov adam; do
    grep -q -- "$name" "$work/mixed/table.md" || fail "table.md lacks $name"
done
echo "ok: bench --suite suites/mixed.json wrote $(ls "$work/mixed" | wc -l) files; table.md:"
head -20 "$work/mixed/table.md"

# By git URL at a tag: a bare clone of HEAD, tagged, as another package would pin it.
git clone -q --bare "$root" "$work/OptBench.git"
git -C "$work/OptBench.git" tag 0.0.1-plugin-check HEAD
mkdir -p "$work/byurl"
cp -R "$plugin/Sources" "$plugin/Tests" "$work/byurl/"
sed -e "s|.package(name: \"OptBench\", path: \"../..\")|.package(url: \"file://$work/OptBench.git\", exact: \"0.0.1-plugin-check\")|" \
    "$plugin/Package.swift" > "$work/byurl/Package.swift"
grep -q 'exact: "0.0.1-plugin-check"' "$work/byurl/Package.swift" || fail "could not point the copy at the tag"
cd "$work/byurl"
swift build -Xswiftc -target-cpu -Xswiftc native -Xcc -fno-math-errno --product my-optbench
expect 0 'sign-descent' "$(swift build --show-bin-path)/my-optbench" list optimizers
echo "test-plugin: passed"
