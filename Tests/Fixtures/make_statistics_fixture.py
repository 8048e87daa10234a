"""Reference bootstrap intervals for Sources/Harness/Statistics.swift, for HarnessTests.

Regenerate with:  python3 Tests/Fixtures/make_statistics_fixture.py > Tests/Fixtures/statistics_bootstrap.csv
(needs numpy; made with numpy 2.4.6). The generator — SplitMix64-seeded xoshiro256** with
Lemire's unbiased bounded integers — is written out here in plain Python, so the resample
indices are bit-identical to the Swift side; numpy then computes ERT, the median (failures as
+inf) and the type-7 percentiles of the resamples (np.percentile's default 'linear' method,
checked against np.percentile whenever every resample is finite).

Rows:
  rng,<seed>,<k>,<k-th raw 64-bit output>
  run,<case>,<index>,<epochs_spent>,<epochs_to_target or empty for a failure>
  ci,<case>,<statistic>,<seed>,<resamples>,<level>,<estimate>,<lower>,<upper>
statistic is ert or median on one case, or ratio on the pair case "A/B" (paired bootstrap of
ERT_A / ERT_B, seed indices drawn once per resample for both, inf/inf counted as 1).
"""
import numpy as np

M64 = (1 << 64) - 1


class Generator:
    def __init__(self, seed):
        z = seed & M64
        state = []
        for _ in range(4):
            z = (z + 0x9E3779B97F4A7C15) & M64
            r = z
            r = ((r ^ (r >> 30)) * 0xBF58476D1CE4E5B9) & M64
            r = ((r ^ (r >> 27)) * 0x94D049BB133111EB) & M64
            state.append(r ^ (r >> 31))
        self.s = state

    @staticmethod
    def rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & M64

    def next(self):
        s0, s1, s2, s3 = self.s
        result = (self.rotl((s1 * 5) & M64, 7) * 9) & M64
        t = (s1 << 17) & M64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = self.rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def index(self, bound):
        m = self.next() * bound
        low = m & M64
        if low < bound:
            threshold = ((1 << 64) - bound) % bound
            while low < threshold:
                m = self.next() * bound
                low = m & M64
        return m >> 64


def indices(seed, resamples, n):
    g = Generator(seed)
    return np.array([[g.index(n) for _ in range(n)] for _ in range(resamples)])


def ert(cost, hit):
    k = hit.sum(axis=-1)
    total = cost.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(k > 0, total / np.maximum(k, 1), np.inf)


def quantile(values, q):
    """Type 7 (np.percentile's 'linear'), with an infinite upper order statistic giving inf
    (numpy's lerp would give nan for inf - inf)."""
    s = np.sort(values)
    h = (len(s) - 1) * q
    lo, hi = int(np.floor(h)), int(np.ceil(h))
    if lo == hi or s[lo] == s[hi]:
        return float(s[lo])
    if np.isinf(s[hi]):
        return float("inf")
    return float(s[lo] + (h - lo) * (s[hi] - s[lo]))


def interval(values, level):
    qs = [(1 - level) / 2, (1 + level) / 2]
    ours = [quantile(values, q) for q in qs]
    if np.all(np.isfinite(values)):
        assert np.allclose(ours, np.percentile(values, [100 * q for q in qs]), rtol=1e-15, atol=0)
    return ours


CASES = {
    # epochs to target, or None with the budget in the second slot
    "mixed": [(13, 13), (21, 21), (None, 100), (8, 8), (34, 34), (17, 17), (None, 100),
              (25, 25), (11, 11), (19, 19), (29, 29), (15, 15)],
    "all": [(40, 40), (44, 44), (38, 38), (51, 51), (47, 47), (42, 42), (39, 39), (60, 60)],
    "A": [(10, 10), (12, 12), (None, 50), (9, 9), (14, 14), (11, 11), (13, 13), (10, 10), (16, 16), (12, 12)],
    "B": [(15, 15), (17, 17), (30, 30), (13, 13), (None, 50), (16, 16), (19, 19), (14, 14), (23, 23), (18, 18)],
}


def arrays(case):
    runs = CASES[case]
    cost = np.array([float(t if t is not None else b) for t, b in runs])
    hit = np.array([t is not None for t, _ in runs])
    return cost, hit


def main():
    g = Generator(7)
    for k in range(4):
        print(f"rng,7,{k},{g.next()}")
    for case, runs in CASES.items():
        for i, (t, b) in enumerate(runs):
            print(f"run,{case},{i},{float(b)!r},{'' if t is None else repr(float(t))}")
    B, level = 1000, 0.95
    for seed in (0, 7):
        for case in ("mixed", "all"):
            cost, hit = arrays(case)
            idx = indices(seed, B, len(cost))
            rc, rh = cost[idx], hit[idx]
            e = ert(cost, hit)
            lo, hi = interval(ert(rc, rh), level)
            print(f"ci,{case},ert,{seed},{B},{level},{float(e)!r},{lo!r},{hi!r}")
            times = np.where(rh, rc, np.inf)
            med = np.median(np.where(hit, cost, np.inf))
            lo, hi = interval(np.median(times, axis=1), level)
            print(f"ci,{case},median,{seed},{B},{level},{float(med)!r},{lo!r},{hi!r}")
        ca, ha = arrays("A")
        cb, hb = arrays("B")
        idx = indices(seed, B, len(ca))
        ea, eb = ert(ca[idx], ha[idx]), ert(cb[idx], hb[idx])
        ratio = np.where(np.isinf(ea) & np.isinf(eb), 1.0, ea / eb)
        lo, hi = interval(ratio, level)
        est = float(ert(ca, ha) / ert(cb, hb))
        print(f"ci,A/B,ratio,{seed},{B},{level},{est!r},{lo!r},{hi!r}")


if __name__ == "__main__":
    main()
