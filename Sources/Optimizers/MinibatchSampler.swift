import OptBenchKernels

/// Draws mini-batches without replacement: a fresh seeded permutation of 0..<n each pass,
/// as a shuffling data loader does; the last batch of a pass may be short.
public struct MinibatchSampler: Sendable {
    var order: [Int]
    var position: Int
    var rng: Xoshiro256

    public init(sampleCount: Int, seed: UInt64) {
        order = Array(0..<sampleCount)
        position = sampleCount
        rng = Xoshiro256(seed: seed, stream: 11)
    }

    /// Calls `body` with the next `size` sample indices (fewer at the end of a pass).
    /// - Complexity: O(size), plus O(n) at the start of each pass.
    public mutating func withNextBatch<R>(size: Int, _ body: (UnsafeBufferPointer<Int>) -> R) -> R {
        if position >= order.count {
            order.withUnsafeMutableBufferPointer { rng.shuffle($0) }
            position = 0
        }
        let start = position
        let end = min(start + size, order.count)
        position = end
        return order.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<end])) }
    }
}
