import Kernels

/// Runs body(lo, hi) over contiguous ranges covering 0..<count, one per core when count is large
/// enough to pay for the hand-off, range edges multiples of 64 entries. For elementwise passes:
/// each entry's result depends on that entry alone, so the split does not change any bit.
func forEachSpan(_ count: Int, _ body: (Int, Int) -> Void) {
    let alignment = 64, units = (count + alignment - 1) / alignment
    let parts = count >= 1 << 15 ? max(1, min(availableThreads, units)) : 1
    if parts == 1 { return body(0, count) }
    parallelFor(parts) { part in
        let lo = min(count, units * part / parts * alignment), hi = min(count, units * (part + 1) / parts * alignment)
        if lo < hi { body(lo, hi) }
    }
}
