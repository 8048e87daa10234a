import OptBenchCore
import OptBenchKernels

/// Where SVRG's next outer loop starts: the last inner iterate (option I) or a random one (option II).
public enum SVRGSnapshot: String, ParameterChoice { case last, random }

/// SVRG, stochastic variance-reduced gradient (Johnson & Zhang, 2013).
///
///     every m inner steps:  w̃ ← w,  μ̃ = ∇F(w̃)                   (one epoch)
///     j ~ Uniform{1, …, n}:  w ← w − η [∇f_j(w) − ∇f_j(w̃) + μ̃]   (two sample gradients)
///
/// Option I (`snapshot` last, default) starts the next outer loop from the last inner iterate;
/// option II (`snapshot` random) from an inner iterate w_t with t uniform in {0, …, m−1},
/// the form the original convergence proof covers. One `step` is one inner step; the first step
/// of each outer loop also takes the snapshot. An outer loop costs 1 + 2m/n epochs: with
/// J&Z's m = 2n (`inner_steps` 0), 5 epochs. With η < 1/(4L_max) and m large enough
/// (e.g. η = 1/(10 L_max), m = O(L_max/μ)) it contracts E[F − F*] by a constant per outer loop,
/// O((n + L_max/μ) log 1/ε) sample gradients in all. For n = 1 it is GD.
///
/// With a linear-model view (`oracle.linearModel`, read when the state is made)
/// ∇f_j(w) − ∇f_j(w̃) = (φ_j′(x_jᵀw) − φ_j′(x_jᵀw̃)) x_j + λ(w − w̃): the two sample derivatives
/// are scalars and the step is one fused pass over x_j, w, μ̃ (and w̃ when λ ≠ 0). Both
/// derivatives are evaluated and charged each step, as the textbook method does, so SVRG keeps
/// no per-sample memory and costs the same on both paths; the rows of the next samples are
/// prefetched (`SampleQueue`). Parameter groups are refused: the rule has one step size for the
/// whole vector.
public struct SVRG<Scalar: KernelScalar>: Optimizer, ParameterSet {
    public typealias Snapshot = SVRGSnapshot

    @HyperParameter("lr", range: 0...1e12, "step size η (theory: ≈ 1/(10 L_max))")
    public var lr = 1e-3
    @HyperParameter("inner_steps", range: 0...1e12, "inner loop length m in sample steps; 0 = 2n (Johnson & Zhang)")
    public var innerSteps = 0
    @HyperParameter("snapshot", "next snapshot: last inner iterate (option I) or a uniformly random one (option II)")
    public var snapshot = SVRGSnapshot.last

    public init() {}

    /// The snapshot w̃, its full gradient μ̃, the sampling stream and the inner-loop position.
    public struct State {
        var samples: SampleQueue
        var rng: Xoshiro256          // option II's t
        let model: LinearModelView<Scalar>?
        var anchor: [Scalar]         // w̃
        var fullGradient: [Scalar]   // μ̃ = ∇F(w̃)
        var gradient: [Scalar]       // ∇f_j(w), generic path
        var anchorGradient: [Scalar] // ∇f_j(w̃), generic path
        var kept: [Scalar]           // option II: the chosen inner iterate
        var inner = 0                // inner steps taken in this outer loop
        var keepAt = 0               // option II: t
        let loopLength: Int          // m
    }

    public var requirements: Requirements { Requirements() }

    public func makeState(for oracle: GradientOracle<Scalar>, seed: UInt64) -> State {
        let d = oracle.dimension, n = oracle.sampleCount, model = oracle.linearModel
        let zeros = [Scalar](repeating: 0, count: d)
        return State(samples: SampleQueue(rng: Xoshiro256(seed: seed, stream: 13)), rng: Xoshiro256(seed: seed, stream: 14),
                     model: model, anchor: zeros, fullGradient: zeros,
                     gradient: model == nil ? zeros : [], anchorGradient: model == nil ? zeros : [],
                     kept: snapshot == .random ? zeros : [], loopLength: innerSteps > 0 ? innerSteps : 2 * n)
    }

    public func step(_ w: UnsafeMutableBufferPointer<Scalar>, state: inout State, oracle: GradientOracle<Scalar>) {
        let d = w.count, eta = Scalar(lr)
        if state.inner == 0 {
            _ = state.anchor.withUnsafeMutableBufferPointer { $0.update(fromContentsOf: w) }
            state.fullGradient.withUnsafeMutableBufferPointer { _ = oracle.lossAndGradient(at: UnsafeBufferPointer(w), into: $0) }
            if snapshot == .random { state.keepAt = state.rng.nextInt(below: state.loopLength) }
        }
        if snapshot == .random, state.inner == state.keepAt {
            _ = state.kept.withUnsafeMutableBufferPointer { $0.update(fromContentsOf: w) }
        }
        let j = state.samples.next(for: oracle, model: state.model)
        state.anchor.withUnsafeBufferPointer { anchor in
            state.fullGradient.withUnsafeBufferPointer { mu in
                if let model = state.model {
                    let delta = model.derivative(UnsafeBufferPointer(w), j) - model.derivative(anchor, j)
                    let lambda = model.l2Penalty
                    // w ← w − η(δ x_j + λ(w − w̃) + μ̃)
                    fusedUpdate(d, w: w.baseAddress!, scale: 1 - eta * lambda, rowStep: eta * delta,
                                x: model.features(j).baseAddress!, eta: eta, direction: mu.baseAddress!,
                                anchorStep: eta * lambda, anchor: anchor.baseAddress!)
                } else {
                    state.gradient.withUnsafeMutableBufferPointer { g in
                        state.anchorGradient.withUnsafeMutableBufferPointer { ga in
                            withUnsafePointer(to: j) {
                                let batch = UnsafeBufferPointer(start: $0, count: 1)
                                oracle.sampleGradient(at: UnsafeBufferPointer(w), samples: batch, into: g)
                                oracle.sampleGradient(at: anchor, samples: batch, into: ga)
                            }
                            for k in 0..<d { w[k] -= eta * (g[k] - ga[k] + mu[k]) }
                        }
                    }
                }
            }
        }
        state.inner += 1
        if state.inner == state.loopLength {
            state.inner = 0
            if snapshot == .random { _ = state.kept.withUnsafeBufferPointer { w.update(fromContentsOf: $0) } }
        }
    }
}

extension OptimizerEntry {
    /// SVRG (`SVRG`).
    public static let svrg = OptimizerEntry(
        name: "svrg",
        summary: "SVRG: SGD corrected by a snapshot full gradient, refreshed every m inner steps",
        float: SVRG<Float>.self, double: SVRG<Double>.self, groupsRefused: "one step size and snapshot for all parameters")
}
