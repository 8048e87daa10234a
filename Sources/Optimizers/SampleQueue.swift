import OptBenchCore
import OptBenchKernels

/// Uniform sample indices j ~ Uniform{0, …, n−1}, drawn `depth` steps before they are used so
/// that a step can prefetch the feature rows the next steps will read. The indices come out in
/// the order they were drawn: the sequence is the one drawing each index when needed gives.
///
/// A random row starts with a full memory latency even when the hardware prefetcher then
/// streams it; requesting rows four steps ahead overlaps those latencies
/// (`make bench-classical` measures the effect on SAGA and SVRG epochs).
struct SampleQueue {
    private var rng: Xoshiro256
    private var pending: [Int]
    private var head = 0
    private var primed = false

    init(rng: Xoshiro256, depth: Int = 4) {
        self.rng = rng
        pending = [Int](repeating: 0, count: depth)
    }

    /// The next index below `n`, calling `upcoming` with each index as it is drawn.
    /// - Complexity: O(1) (O(depth) on the first call).
    mutating func next(below n: Int, upcoming: (Int) -> Void) -> Int {
        if !primed {
            for k in pending.indices {
                pending[k] = rng.nextInt(below: n)
                upcoming(pending[k])
            }
            primed = true
        }
        let j = pending[head]
        let drawn = rng.nextInt(below: n)
        pending[head] = drawn
        head = head + 1 == pending.count ? 0 : head + 1
        upcoming(drawn)
        return j
    }

    /// The next sample index of `oracle`; with its linear-model view (`oracle.linearModel`),
    /// each drawn sample's feature row is prefetched into L2 as it is drawn.
    @inline(__always)
    mutating func next<Scalar: KernelScalar>(for oracle: GradientOracle<Scalar>, model: LinearModelView<Scalar>?) -> Int {
        guard let model else { return next(below: oracle.sampleCount) { _ in } }
        return next(below: oracle.sampleCount) { i in
            let row = model.features(i)
            if let base = row.baseAddress { prefetch(UnsafeRawPointer(base), bytes: row.count * MemoryLayout<Scalar>.stride) }
        }
    }
}
