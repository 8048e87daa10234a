import OptBenchCore
import OptBenchKernels

/// SAGA's gradient table before the first step: zeros (free) or every ∇fᵢ(w₀) (one epoch).
public enum SAGATableInit: String, ParameterChoice { case zero, full }

/// SAGA (Defazio, Bach & Lacoste-Julien, 2014): SGD with a table of the last gradient seen for
/// each sample, whose average corrects the variance of the sample gradient.
///
///     j ~ Uniform{1, …, n}   (with replacement)
///     w ← w − η [∇f_j(w) − ∇f_j(φ_j) + (1/n) Σᵢ ∇fᵢ(φᵢ)]
///     φ_j ← w   (the table stores ∇f_j(φ_j), not φ_j)
///
/// One `step` is one sample update, costing one sample gradient (1/n epoch). With η = 1/(3L_max)
/// (L_max = maxᵢ Lipschitz constant of ∇fᵢ) and μ-strong convexity it converges linearly,
/// needing O((n + L_max/μ) log 1/ε) sample gradients. For n = 1 it is GD.
///
/// Table initialisation (`table_init`): `zero` (default, no cost; the estimate is unbiased for
/// any table) or `full`, ∇fᵢ(w₀) for every i on the first step, charged one epoch.
///
/// With a linear-model view (`oracle.linearModel`, read when the state is made, which also
/// allocates the table) the table holds one scalar αᵢ = φᵢ′(xᵢᵀφᵢ) per sample and the running
/// average ḡ = (1/n) Σᵢ αᵢxᵢ, so a step is one sample derivative and one fused pass over x_j, w
/// and ḡ; the ridge term λw is applied exactly instead of through the table (as scikit-learn's
/// saga), so with λ > 0 the iterates differ from the generic path, whose n×d table stores whole
/// sample gradients. There the rows of the next samples are prefetched (`SampleQueue`), as the
/// step's time is mostly the wait for its random row. Parameter groups are refused: the rule
/// has one step size for the whole vector.
public struct SAGA<Scalar: KernelScalar>: Optimizer, ParameterSet {
    public typealias TableInit = SAGATableInit

    @HyperParameter("lr", range: 0...1e12, "step size η (theory: 1/(3 L_max))")
    public var lr = 1e-3
    @HyperParameter("table_init", "initial gradient table: zero (free) or every ∇fᵢ(w₀) (one epoch)")
    public var tableInit = SAGATableInit.zero

    public init() {}

    /// The sampling stream, the gradient table and its running average ḡ.
    public struct State {
        var samples: SampleQueue
        let model: LinearModelView<Scalar>?
        var table: [Scalar]    // αᵢ (n) with a linear-model view, else ∇fᵢ(φᵢ) (n×d)
        var average: [Scalar]  // ḡ = (1/n) Σᵢ table entry i (data part only on the linear path)
        var gradient: [Scalar] // ∇f_j(w), generic path
        var started = false
        let dimension: Int, sampleCount: Int
    }

    public var requirements: Requirements { Requirements() }

    public func makeState(for oracle: GradientOracle<Scalar>, seed: UInt64) -> State {
        let n = oracle.sampleCount, d = oracle.dimension, model = oracle.linearModel
        return State(samples: SampleQueue(rng: Xoshiro256(seed: seed, stream: 12)), model: model,
                     table: .init(repeating: 0, count: model == nil ? n * d : n), average: .init(repeating: 0, count: d),
                     gradient: .init(repeating: 0, count: model == nil ? d : 0), dimension: d, sampleCount: n)
    }

    public func step(_ w: UnsafeMutableBufferPointer<Scalar>, state: inout State, oracle: GradientOracle<Scalar>) {
        if !state.started {
            state.started = true
            if tableInit == .full { fillTable(at: UnsafeBufferPointer(w), state: &state, oracle: oracle) }
        }
        let j = state.samples.next(for: oracle, model: state.model)
        if let model = state.model {
            linearStep(w, sample: j, model: model, state: &state)
        } else {
            genericStep(w, sample: j, state: &state, oracle: oracle)
        }
    }

    /// table_init=full: every ∇fᵢ(w₀) (or αᵢ) and their average, one epoch of evaluations.
    func fillTable(at w: UnsafeBufferPointer<Scalar>, state: inout State, oracle: GradientOracle<Scalar>) {
        let n = state.sampleCount, d = state.dimension
        if let model = state.model {
            state.table.withUnsafeMutableBufferPointer { alpha in
                state.average.withUnsafeMutableBufferPointer { gbar in
                    for i in 0..<n {
                        alpha[i] = model.derivative(w, i)
                        axpy(d, alpha[i] / Scalar(n), model.features(i).baseAddress!, gbar.baseAddress!)
                    }
                }
            }
        } else {
            state.table.withUnsafeMutableBufferPointer { table in
                state.average.withUnsafeMutableBufferPointer { gbar in
                    for i in 0..<n {
                        let row = UnsafeMutableBufferPointer(rebasing: table[(i * d)..<(i * d + d)])
                        withUnsafePointer(to: i) { oracle.sampleGradient(at: w, samples: UnsafeBufferPointer(start: $0, count: 1), into: row) }
                        axpy(d, 1 / Scalar(n), row.baseAddress!, gbar.baseAddress!)
                    }
                }
            }
        }
    }

    @inline(__always)
    func linearStep(_ w: UnsafeMutableBufferPointer<Scalar>, sample j: Int, model: LinearModelView<Scalar>, state: inout State) {
        let n = Scalar(state.sampleCount), eta = Scalar(lr)
        let a = model.derivative(UnsafeBufferPointer(w), j)
        let x = model.features(j).baseAddress!
        let lambda = model.l2Penalty
        state.table.withUnsafeMutableBufferPointer { alpha in
            let delta = a - alpha[j]
            alpha[j] = a
            state.average.withUnsafeMutableBufferPointer { gbar in
                // w ← w − η(δ x_j + ḡ + λw), then ḡ ← ḡ + (δ/n) x_j: the step uses the old average.
                fusedUpdate(w.count, w: w.baseAddress!, scale: 1 - eta * lambda, rowStep: eta * delta, x: x,
                            eta: eta, average: gbar.baseAddress!, averageStep: delta / n)
            }
        }
    }

    func genericStep(_ w: UnsafeMutableBufferPointer<Scalar>, sample j: Int, state: inout State, oracle: GradientOracle<Scalar>) {
        let d = state.dimension, invN = 1 / Scalar(state.sampleCount), eta = Scalar(lr)
        state.gradient.withUnsafeMutableBufferPointer { g in
            withUnsafePointer(to: j) { oracle.sampleGradient(at: UnsafeBufferPointer(w), samples: UnsafeBufferPointer(start: $0, count: 1), into: g) }
            state.table.withUnsafeMutableBufferPointer { table in
                state.average.withUnsafeMutableBufferPointer { gbar in
                    let old = table.baseAddress! + j * d
                    for k in 0..<d {
                        let diff = g[k] - old[k]
                        w[k] -= eta * (diff + gbar[k])
                        gbar[k] += diff * invN
                        old[k] = g[k]
                    }
                }
            }
        }
    }
}

extension OptimizerEntry {
    /// SAGA (`SAGA`).
    public static let saga = OptimizerEntry(
        name: "saga",
        summary: "SAGA: variance-reduced SGD with a per-sample gradient table (one scalar per sample on linear models)",
        float: SAGA<Float>.self, double: SAGA<Double>.self, groupsRefused: "one step size for all parameters")
}
