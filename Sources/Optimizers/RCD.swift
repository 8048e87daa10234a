import OptBenchCore
import OptBenchKernels

/// How R-CD draws blocks: uniformly with step lr, or ∝ L_b with step lr/L_b.
public enum RCDSampling: String, ParameterChoice { case uniform, lipschitz }

/// Randomized (block) coordinate descent (Nesterov, 2012; Richtárik & Takáč, 2014).
///
///     blocks: {1, …, d} cut into contiguous blocks of `block_size` (the last may be shorter)
///     b ~ p,   w_b ← w_b − η_b ∇_b F(w)
///
/// `sampling` uniform: p_b = 1/B and η_b = `lr`. `sampling` lipschitz (Nesterov's α = 1):
/// p_b = L_b / Σ_c L_c and η_b = `lr`/L_b with L_b = Σ_{j∈b} L_j, an upper bound on the block's
/// Lipschitz constant for convex F, exact for single coordinates; `lr` 1 is Nesterov's step
/// 1/L_j. The L_j come from the oracle's coordinate view (`lipschitzConstants`), read when the
/// state is made. A block with L_b = 0 (F linear along it, so no step 1/L_b exists) gets
/// probability 0 and is never updated, as are blocks whose L_b is not a finite positive number.
///
/// The rule needs the coordinate view, and with Lipschitz sampling its constants
/// (`requirements`); the harness refuses a problem without them before the run. A run started
/// anyway — or one where every L_b is 0 — takes no step and charges nothing, so it stalls.
///
/// A step costs |b| coordinate partials, |b|/d epoch. With uniform sampling and
/// η = 1/L_coord on a μ-strongly convex F it needs O(d·L_coord/μ) coordinate steps per log 1/ε,
/// i.e. κ_coord = L_coord/μ epochs (survey, Appendix C); with Lipschitz sampling, L_avg/μ.
/// One block (`block_size` ≥ d) with uniform sampling is GD. Parameter groups are refused.
public struct RCD<Scalar: KernelScalar>: Optimizer, ParameterSet {
    public typealias Sampling = RCDSampling

    @HyperParameter("lr", range: 0...1e12, "step size η (uniform), or the multiplier of 1/L_b (lipschitz; 1 = Nesterov)")
    public var lr = 1e-3
    @HyperParameter("block_size", range: 1...1e9, "coordinates per block (contiguous); ≥ d gives one block, i.e. GD")
    public var blockSize = 1
    @HyperParameter("sampling", "block distribution: uniform, or ∝ L_b with step lr/L_b (needs the problem's L_j)")
    public var sampling = RCDSampling.uniform

    public init() {}

    /// The sampling stream, the coordinate view, the block gradient and, for Lipschitz sampling,
    /// the block constants and their CDF.
    public struct State {
        var rng: Xoshiro256
        let coordinates: CoordinateView<Scalar>?  // nil: the rule cannot step
        var blockGradient: [Scalar]  // ∇_b F(w)
        var blockLipschitz: [Double] // L_b (Lipschitz sampling)
        var cumulative: [Double]     // Σ_{c ≤ b} L_c, the sampling distribution's CDF
        let lastWeighted: Int        // the last block with L_b > 0
        let blockLength: Int
        let blockCount: Int
    }

    public var requirements: Requirements {
        Requirements(sampling == .lipschitz ? [.coordinates, .coordinateLipschitz] : [.coordinates])
    }

    public func makeState(for oracle: GradientOracle<Scalar>, seed: UInt64) -> State {
        let d = oracle.dimension, k = max(1, min(blockSize, d))
        let blocks = (d + k - 1) / k
        var view = oracle.coordinates
        var blockLipschitz: [Double] = [], cumulative: [Double] = []
        var lastWeighted = blocks - 1
        if sampling == .lipschitz {
            if let constants = view?.lipschitzConstants, constants.count == d {
                (blockLipschitz, cumulative) = Self.blockDistribution(constants, blockLength: k, blockCount: blocks)
                if let last = blockLipschitz.lastIndex(where: { $0 > 0 }) { lastWeighted = last } else { view = nil }
            } else {
                view = nil
            }
        }
        if d == 0 { view = nil }
        return State(rng: Xoshiro256(seed: seed, stream: 14), coordinates: view, blockGradient: .init(repeating: 0, count: k),
                     blockLipschitz: blockLipschitz, cumulative: cumulative, lastWeighted: lastWeighted, blockLength: k, blockCount: blocks)
    }

    /// (L_b, Σ_{c ≤ b} L_c) for every block; a block whose L_b is not finite and positive weighs 0.
    static func blockDistribution(_ l: [Double], blockLength k: Int, blockCount: Int) -> ([Double], [Double]) {
        let d = l.count
        var blockLipschitz = [Double](repeating: 0, count: blockCount), cumulative = blockLipschitz
        var total = 0.0
        for b in 0..<blockCount {
            var lb = 0.0
            for j in (b * k)..<min(b * k + k, d) { lb += l[j] }
            if lb > 0, lb.isFinite {
                blockLipschitz[b] = lb
                total += lb
            }
            cumulative[b] = total
        }
        return (blockLipschitz, cumulative)
    }

    public func step(_ w: UnsafeMutableBufferPointer<Scalar>, state: inout State, oracle: GradientOracle<Scalar>) {
        guard let view = state.coordinates else { return }
        let d = w.count, k = state.blockLength
        let b: Int
        let eta: Double
        switch sampling {
        case .uniform:
            b = state.blockCount == 1 ? 0 : state.rng.nextInt(below: state.blockCount)
            eta = lr
        case .lipschitz:
            b = state.cumulative.withUnsafeBufferPointer { cdf in
                // The first block whose cumulative weight exceeds u·total (binary search); a
                // zero-weight block never does, and ending at the last weighted block keeps a
                // product u·total rounded up to total off the zero-weight tail.
                let u = state.rng.nextUniform() * cdf[state.lastWeighted]
                var lo = 0, hi = state.lastWeighted
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if cdf[mid] > u { hi = mid } else { lo = mid + 1 }
                }
                return lo
            }
            eta = lr / state.blockLipschitz[b]
        }
        let start = b * k, end = min(start + k, d)
        let wc = UnsafeBufferPointer(w), step = Scalar(eta)
        state.blockGradient.withUnsafeMutableBufferPointer { g in
            // All partials at the same w first: a block step is a Jacobi step within the block.
            for j in start..<end { g[j - start] = view.partial(wc, j) }
            for j in start..<end { w[j] -= step * g[j - start] }
        }
    }
}

extension OptimizerEntry {
    /// Randomized block coordinate descent (`RCD`).
    public static let rcd = OptimizerEntry(
        name: "rcd",
        summary: "randomized (block) coordinate descent, uniform or Lipschitz-weighted sampling",
        float: RCD<Float>.self, double: RCD<Double>.self, groupsRefused: "one step rule for all coordinates")
}
