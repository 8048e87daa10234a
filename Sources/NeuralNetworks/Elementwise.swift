import Kernels

/// Runs body(lo, hi) over contiguous ranges covering 0..<count, one per core (`forEachRange`)
/// when count is large enough to pay for the hand-off, else over the whole range at once. For
/// elementwise passes: each entry's result depends on that entry alone, so the split does not
/// change any bit.
func forEachSpan(_ count: Int, _ body: (Int, Int) -> Void) {
    if count >= 1 << 15 { forEachRange(count, body) } else { body(0, count) }
}
