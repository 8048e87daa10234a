/// Copies row `indices[b]` of `source` (rows of `rowLength` entries) to row b of `destination`,
/// for b in 0..<indices.count: a mini-batch gathered from a data set.
///
/// The rows of a shuffled batch are scattered over a data set far larger than the caches, so
/// each starts with a memory latency: the copy requests a few rows ahead of the one it copies
/// (`prefetch`), and a batch of 2¹⁴ entries or more is split across the cores, which overlaps
/// their misses. Entries are copied, never computed, so the split changes nothing.
/// - Precondition: every index is in 0..<(rows of `source`); the caller checks it.
/// - Complexity: O(indices.count · rowLength).
@inlinable
public func gatherRows<T>(
    _ source: UnsafePointer<T>, rowLength: Int, indices: UnsafeBufferPointer<Int>, into destination: UnsafeMutablePointer<T>
) {
    let count = indices.count
    guard count > 0, rowLength > 0, let index = indices.baseAddress else { return }
    let bytes = rowLength * MemoryLayout<T>.stride, ahead = 4
    let copy = { (lo: Int, hi: Int) in
        for b in lo..<min(hi, lo + ahead) { prefetch(source + index[b] * rowLength, bytes: bytes) }
        for b in lo..<hi {
            if b + ahead < hi { prefetch(source + index[b + ahead] * rowLength, bytes: bytes) }
            (destination + b * rowLength).update(from: source + index[b] * rowLength, count: rowLength)
        }
    }
    if count * rowLength < 1 << 14 || count < 2 {
        copy(0, count)
    } else {
        forEachRange(count, alignment: 1, copy)
    }
}
