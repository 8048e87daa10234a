import Core
import Kernels

/// Randomized (block) coordinate descent (Nesterov, 2012; Richtárik & Takáč, 2014).
///
///     blocks: {1, …, d} cut into contiguous blocks of `block_size` (the last may be shorter)
///     b ~ p,   w_b ← w_b − η_b ∇_b F(w)
///
/// `sampling` uniform: p_b = 1/B and η_b = `lr`. `sampling` lipschitz (Nesterov's α = 1):
/// p_b = L_b / Σ_c L_c and η_b = `lr`/L_b with L_b = Σ_{j∈b} L_j, an upper bound on the block's
/// Lipschitz constant for convex F, exact for single coordinates; `lr` 1 is Nesterov's step
/// 1/L_j. The L_j come from the oracle (`coordinateLipschitzConstants`), read on the first step.
///
/// A step costs |b| coordinate derivatives, |b|/d epoch. With coordinates, uniform sampling and
/// η = 1/L_coord on a μ-strongly convex F it needs O(d·L_coord/μ) coordinate steps per log 1/ε,
/// i.e. κ_coord = L_coord/μ epochs (survey, Appendix C); with Lipschitz sampling, L_avg/μ.
/// One block (`block_size` ≥ d) with uniform sampling is GD.
/// - Parameters: `lr` 1e-3, `block_size` 1, `sampling` uniform.
public struct RCD: Optimizer {
    /// How blocks are drawn: uniformly with step lr, or ∝ L_b with step lr/L_b.
    public enum Sampling: String, Sendable { case uniform, lipschitz }

    public var lr: Double
    public var blockSize: Int
    public var sampling: Sampling

    public init(lr: Double = 1e-3, blockSize: Int = 1, sampling: Sampling = .uniform) {
        self.lr = lr
        self.blockSize = blockSize
        self.sampling = sampling
    }

    /// The sampling stream, the block gradient and, for Lipschitz sampling, the block constants and their CDF.
    public struct State {
        var rng: Xoshiro256
        var blockGradient: [Double]  // ∇_b F(w)
        var blockLipschitz: [Double] // L_b (Lipschitz sampling)
        var cumulative: [Double]     // Σ_{c ≤ b} L_c, the sampling distribution's CDF
        var coordinateLipschitz: [Double]
        var ready = false
        let blockCount: Int
    }

    public var requirements: OracleCapabilities { .coordinates }

    public func makeState(dimension d: Int, sampleCount: Int, seed: UInt64) -> State {
        let k = min(blockSize, d)
        let blocks = (d + k - 1) / k
        let lipschitz = sampling == .lipschitz
        return State(rng: Xoshiro256(seed: seed, stream: 14), blockGradient: .init(repeating: 0, count: k),
                     blockLipschitz: .init(repeating: 0, count: lipschitz ? blocks : 0),
                     cumulative: .init(repeating: 0, count: lipschitz ? blocks : 0),
                     coordinateLipschitz: .init(repeating: 0, count: lipschitz ? d : 0), blockCount: blocks)
    }

    public func step(_ w: UnsafeMutableBufferPointer<Double>, state: inout State, oracle: some GradientOracle) {
        let d = w.count, k = min(blockSize, d)
        if sampling == .lipschitz, !state.ready { prepare(d: d, state: &state, oracle: oracle) }
        let b: Int
        let eta: Double
        switch sampling {
        case .uniform:
            b = state.blockCount == 1 ? 0 : state.rng.nextInt(below: state.blockCount)
            eta = lr
        case .lipschitz:
            b = state.cumulative.withUnsafeBufferPointer { cdf in
                // The first block whose cumulative weight exceeds u·total (binary search).
                let u = state.rng.nextUniform() * cdf[cdf.count - 1]
                var lo = 0, hi = cdf.count - 1
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if cdf[mid] > u { hi = mid } else { lo = mid + 1 }
                }
                return lo
            }
            eta = lr / state.blockLipschitz[b]
        }
        let start = b * k, end = min(start + k, d)
        let wc = UnsafeBufferPointer(w)
        state.blockGradient.withUnsafeMutableBufferPointer { g in
            // All partials at the same w first: a block step is a Jacobi step within the block.
            for j in start..<end { g[j - start] = oracle.coordinateGradient(at: wc, coordinate: j) }
            for j in start..<end { w[j] -= eta * g[j - start] }
        }
    }

    func prepare(d: Int, state: inout State, oracle: some GradientOracle) {
        let known = state.coordinateLipschitz.withUnsafeMutableBufferPointer { oracle.coordinateLipschitzConstants(into: $0) }
        // fatalError, not precondition: -Ounchecked drops preconditions and the run would go on with zeros.
        guard known else { fatalError("rcd sampling=lipschitz needs per-coordinate Lipschitz constants, which this problem does not provide") }
        let k = min(blockSize, d)
        var total = 0.0
        for b in 0..<state.blockCount {
            var lb = 0.0
            for j in (b * k)..<min(b * k + k, d) { lb += state.coordinateLipschitz[j] }
            guard lb > 0 else { fatalError("rcd: block \(b) has Lipschitz constant 0") }
            state.blockLipschitz[b] = lb
            total += lb
            state.cumulative[b] = total
        }
        state.ready = true
    }

    public static let entry = OptimizerEntry(
        name: "rcd",
        summary: "randomized (block) coordinate descent, uniform or Lipschitz-weighted sampling",
        parameters: [
            .real("lr", 1e-3, range: 0...1e12, "step size η (uniform), or the multiplier of 1/L_b (lipschitz; 1 = Nesterov)"),
            .integer("block_size", 1, range: 1...1e9, "coordinates per block (contiguous); ≥ d gives one block, i.e. GD"),
            .choice("sampling", ["uniform", "lipschitz"], default: "uniform",
                    "block distribution: uniform, or ∝ L_b with step lr/L_b (needs the problem's L_j)"),
        ]
    ) { p in RCD(lr: p.real("lr"), blockSize: p.integer("block_size"), sampling: Sampling(rawValue: p.text("sampling"))!) }
}
