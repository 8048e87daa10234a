import Core

/// An optimization algorithm as a pure update rule over a flat parameter buffer.
///
/// The value holds the hyper-parameters; `State` holds what the rule carries between steps
/// (momentum buffers, moments, histories, sampling order), created once per run. A step asks
/// the oracle for whatever it consumes — every evaluation is charged there — and updates
/// `w` in place. Nothing is allocated inside `step`.
public protocol Optimizer: Sendable {
    associatedtype State

    /// What the rule consumes: full gradients, sample gradients, coordinates.
    var requirements: OracleCapabilities { get }

    /// The state for a run on a problem with `dimension` parameters and `sampleCount` samples;
    /// `seed` drives any sampling the rule does, so a run is a pure function of its seed.
    func makeState(dimension: Int, sampleCount: Int, seed: UInt64) -> State

    /// One iteration: w ← update(w, state, oracle evaluations).
    func step(_ w: UnsafeMutableBufferPointer<Double>, state: inout State, oracle: some GradientOracle)
}

/// Draws mini-batches without replacement: a fresh seeded permutation of 0..<n each pass,
/// as a shuffling data loader does; the last batch of a pass may be short.
public struct MinibatchSampler: Sendable {
    var order: [Int]
    var position: Int
    var rng: Kernels.Xoshiro256

    public init(sampleCount: Int, seed: UInt64) {
        order = Array(0..<sampleCount)
        position = sampleCount
        rng = Kernels.Xoshiro256(seed: seed, stream: 11)
    }

    /// Calls `body` with the next `size` sample indices (fewer at the end of a pass).
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

import Kernels
