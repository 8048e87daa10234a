import Core
import Kernels

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
/// On a `.linearSamples` oracle the table holds one scalar αᵢ = φᵢ′(xᵢᵀφᵢ) per sample and the
/// running average ḡ = (1/n) Σᵢ αᵢxᵢ, so a step is one sample derivative and one fused pass
/// over x_j, w and ḡ; the ridge term λw is applied exactly instead of through the table
/// (as scikit-learn's saga), so with λ > 0 the iterates differ from the generic path, whose
/// n×d table stores whole sample gradients. There the rows of the next samples are prefetched
/// (`SampleQueue`), as the step's time is mostly the wait for its random row.
/// - Parameters: `lr` 1e-3 (theory: 1/(3L_max)), `table_init` zero.
public struct SAGA: Optimizer {
    /// The gradient table before the first step: zeros (free) or every ∇fᵢ(w₀) (one epoch).
    public enum TableInit: String, Sendable { case zero, full }

    public var lr: Double
    public var tableInit: TableInit

    public init(lr: Double = 1e-3, tableInit: TableInit = .zero) {
        self.lr = lr
        self.tableInit = tableInit
    }

    /// The sampling stream, the gradient table and its running average ḡ; sized on the first step.
    public struct State {
        var samples: SampleQueue
        var table: [Double] = []    // αᵢ (n) on a linear-sample oracle, else ∇fᵢ(φᵢ) (n×d)
        var average: [Double] = []  // ḡ = (1/n) Σᵢ table entry i (data part only on the linear path)
        var gradient: [Double] = [] // ∇f_j(w), generic path
        var linear = false
        var started = false
        let dimension: Int, sampleCount: Int
    }

    public var requirements: OracleCapabilities { .sampleGradients }

    public func makeState(dimension: Int, sampleCount: Int, seed: UInt64) -> State {
        State(samples: SampleQueue(rng: Xoshiro256(seed: seed, stream: 12)), dimension: dimension, sampleCount: sampleCount)
    }

    public func step(_ w: UnsafeMutableBufferPointer<Double>, state: inout State, oracle: some GradientOracle) {
        if !state.started { start(w, state: &state, oracle: oracle) }
        let j = state.samples.next(for: oracle, linear: state.linear)
        if state.linear {
            linearStep(w, sample: j, state: &state, oracle: oracle)
        } else {
            genericStep(w, sample: j, state: &state, oracle: oracle)
        }
    }

    // The table's size depends on the oracle, which the first step is the first to see: its
    // one allocation happens here, never again.
    func start(_ w: UnsafeMutableBufferPointer<Double>, state: inout State, oracle: some GradientOracle) {
        let n = state.sampleCount, d = state.dimension
        state.started = true
        state.linear = oracle.capabilities.contains(.linearSamples)
        state.average = .init(repeating: 0, count: d)
        let wc = UnsafeBufferPointer(w)
        if state.linear {
            state.table = .init(repeating: 0, count: n)
            guard tableInit == .full else { return }
            state.table.withUnsafeMutableBufferPointer { alpha in
                state.average.withUnsafeMutableBufferPointer { gbar in
                    for i in 0..<n {
                        alpha[i] = oracle.sampleDerivative(at: wc, sample: i)
                        axpy(d, alpha[i] / Double(n), oracle.features(ofSample: i).baseAddress!, gbar.baseAddress!)
                    }
                }
            }
        } else {
            state.table = .init(repeating: 0, count: n * d)
            state.gradient = .init(repeating: 0, count: d)
            guard tableInit == .full else { return }
            state.table.withUnsafeMutableBufferPointer { table in
                state.average.withUnsafeMutableBufferPointer { gbar in
                    for i in 0..<n {
                        let row = UnsafeMutableBufferPointer(rebasing: table[(i * d)..<(i * d + d)])
                        withUnsafePointer(to: i) { oracle.sampleGradient(at: wc, samples: UnsafeBufferPointer(start: $0, count: 1), into: row) }
                        axpy(d, 1 / Double(n), row.baseAddress!, gbar.baseAddress!)
                    }
                }
            }
        }
    }

    @inline(__always)
    func linearStep(_ w: UnsafeMutableBufferPointer<Double>, sample j: Int, state: inout State, oracle: some GradientOracle) {
        let n = Double(state.sampleCount)
        let a = oracle.sampleDerivative(at: UnsafeBufferPointer(w), sample: j)
        let x = oracle.features(ofSample: j).baseAddress!
        let lambda = oracle.l2Penalty
        state.table.withUnsafeMutableBufferPointer { alpha in
            let delta = a - alpha[j]
            alpha[j] = a
            state.average.withUnsafeMutableBufferPointer { gbar in
                // w ← w − η(δ x_j + ḡ + λw), then ḡ ← ḡ + (δ/n) x_j: the step uses the old average.
                fusedUpdate(w.count, w: w.baseAddress!, scale: 1 - lr * lambda, rowStep: lr * delta, x: x,
                            eta: lr, average: gbar.baseAddress!, averageStep: delta / n)
            }
        }
    }

    func genericStep(_ w: UnsafeMutableBufferPointer<Double>, sample j: Int, state: inout State, oracle: some GradientOracle) {
        let d = state.dimension, invN = 1 / Double(state.sampleCount), eta = lr
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

    public static let entry = OptimizerEntry(
        name: "saga",
        summary: "SAGA: variance-reduced SGD with a per-sample gradient table (one scalar per sample on linear models)",
        parameters: [
            .real("lr", 1e-3, range: 0...1e12, "step size η (theory: 1/(3 L_max))"),
            .choice("table_init", ["zero", "full"], default: "zero",
                    "initial gradient table: zero (free) or every ∇fᵢ(w₀) (one epoch)"),
        ]
    ) { p in SAGA(lr: p.real("lr"), tableInit: TableInit(rawValue: p.text("table_init"))!) }
}
