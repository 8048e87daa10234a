"""Runs a corpus of malformed and overflowing IDX files through `optbench run` (a debug build,
so every runtime check is on) and checks each is refused cleanly: exit status 2, a message
naming the file, no crash (signal), no hang (10 s limit).

Usage:  python3 Tests/Corpus/idx_corpus_check.py .build/debug/optbench
(`make test-corpus` builds the debug binary and runs this.) The corpus is generated afresh in a
temporary directory; each case is (name, X bytes, y bytes, which file the message must name).
"""
import gzip
import os
import struct
import subprocess
import sys
import tempfile


def idx(code, shape, payload):
    return struct.pack(">BBBB", 0, 0, code, len(shape)) + b"".join(struct.pack(">I", s) for s in shape) + payload


def f64(values):
    return b"".join(struct.pack(">d", v) for v in values)


GOOD_X = idx(0x0E, [4, 3], f64([1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 0, 1]))
GOOD_Y = idx(0x0E, [4], f64([1, 2, 3, 4]))

CASES = [
    ("bad-magic", b"\x01\x02" + GOOD_X[2:], GOOD_Y, "X"),
    ("unknown-type", idx(0x0A, [4, 3], bytes(12)), GOOD_Y, "X"),
    ("truncated-header", GOOD_X[:6], GOOD_Y, "X"),
    ("empty-file", b"", GOOD_Y, "X"),
    ("truncated-body", GOOD_X[:-5], GOOD_Y, "X"),
    ("dims-overflow", idx(0x0E, [0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF], bytes(64)), GOOD_Y, "X"),
    ("dims-exceed-file", idx(0x0E, [100000, 3], f64([1, 2, 3])), GOOD_Y, "X"),
    ("zero-rows", idx(0x0E, [0, 3], b""), idx(0x0E, [0], b""), "X"),
    ("targets-count-mismatch", GOOD_X, idx(0x0E, [5], f64([1, 2, 3, 4, 5])), "y"),
    ("squares-overflow-x", idx(0x0E, [4, 3], f64([1, 2, 3, 4, 1e200, 6, 7, 8, 9, 1, 0, 1])), GOOD_Y, "X"),
    ("squares-overflow-y", GOOD_X, idx(0x0E, [4], f64([1, 1e160, 3, 4])), "y"),
    ("nan-in-x", idx(0x0E, [4, 3], f64([1, 2, float("nan"), 4, 5, 6, 7, 8, 9, 1, 0, 1])), GOOD_Y, "X"),
    ("inf-in-y", GOOD_X, idx(0x0E, [4], f64([1, 2, float("inf"), 4])), "y"),
    ("float32-squares-overflow-x", idx(0x0D, [4, 3], b"".join(struct.pack(">f", v) for v in [1, 2, 3, 4, 3e38, 6, 7, 8, 9, 1, 0, 1])),
     GOOD_Y, "X", ["--set", "dtype=float32"]),
    ("gzip-corrupt", b"\x1f\x8b\x08\x00" + bytes(20), GOOD_Y, "X"),
    ("gzip-truncated", gzip.compress(GOOD_X)[:-9], GOOD_Y, "X"),
    ("gzip-crc-mismatch", gzip.compress(GOOD_X)[:-8] + b"\0\0\0\0" + gzip.compress(GOOD_X)[-4:], GOOD_Y, "X"),
]


def main(binary):
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, xb, yb, culprit, *extra in CASES:
            xp, yp = os.path.join(tmp, f"{name}.X.idx"), os.path.join(tmp, f"{name}.y.idx")
            open(xp, "wb").write(xb)
            open(yp, "wb").write(yb)
            cmd = [binary, "run", "--problem", "least-squares", "--set", f"data={xp}", "--set", f"targets={yp}",
                   "--optimizer", "gd", "--epochs", "2"] + (extra[0] if extra else [])
            try:
                p = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
            except subprocess.TimeoutExpired:
                print(f"FAIL {name}: hung (no answer in 10 s)")
                failures += 1
                continue
            named = xp if culprit == "X" else yp
            ok = p.returncode == 2 and named in p.stderr
            if not ok:
                failures += 1
                print(f"FAIL {name}: exit {p.returncode}; stderr: {p.stderr.strip()[:300]}")
            else:
                print(f"ok   {name}: {p.stderr.strip().splitlines()[0][:160]}")
        # n ≪ d: a 1×2000 design must load and run quickly (the spectrum follows min(n, d)).
        xp, yp = os.path.join(tmp, "wide.X.idx"), os.path.join(tmp, "wide.y.idx")
        open(xp, "wb").write(idx(0x0E, [1, 2000], f64([((7 * j) % 11 - 5) / 5 for j in range(2000)])))
        open(yp, "wb").write(idx(0x0E, [1], f64([1.0])))
        try:
            p = subprocess.run([binary, "run", "--problem", "least-squares", "--set", f"data={xp}", "--set", f"targets={yp}",
                                "--optimizer", "gd", "--epochs", "2"], capture_output=True, text=True, timeout=10)
            if p.returncode != 0:
                failures += 1
                print(f"FAIL wide-1x2000: exit {p.returncode}; {p.stderr.strip()[:300]}")
            else:
                print("ok   wide-1x2000: loaded and ran within 10 s")
        except subprocess.TimeoutExpired:
            failures += 1
            print("FAIL wide-1x2000: took over 10 s to load")
    total = len(CASES) + 1
    print(f"corpus: {total - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
