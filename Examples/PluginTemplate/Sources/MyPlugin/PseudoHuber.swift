import OptBenchCore
import OptBenchKernels
import OptBenchProblems

/// Robust linear regression with the pseudo-Huber loss:
///
///     F(w) = (1/n) Σᵢ δ² (√(1 + rᵢ²/δ²) − 1),   rᵢ = aᵢᵀw − bᵢ,
///     ∇F(w) = (1/n) Σᵢ rᵢ / √(1 + rᵢ²/δ²) · aᵢ
///
/// quadratic for |rᵢ| ≪ δ and linear beyond, so a few gross outliers in b do not dominate. Rows
/// aᵢ ~ N(0, I/d), b = A w⋆ + 0.1·N(0, 1) with every tenth target replaced by an outlier of
/// size 10, drawn from the problem's `seed`. Its curvature is at most that of ½‖Aw − b‖²/n, so
/// L ≤ λmax(AᵀA/n); F* is not known in closed form.
public final class PseudoHuber: Problem {
    public let n: Int, d: Int, delta: Double
    let a: [Double], b: [Double]
    public let label: String

    public init(n: Int, d: Int, delta: Double, seed: UInt64, label: String) {
        self.n = n
        self.d = d
        self.delta = delta
        self.label = label
        var random = Xoshiro256(seed: seed)
        func gaussian() -> Double {
            let u = (Double(random.next() >> 11) + 0.5) / 9007199254740992, v = Double(random.next() >> 11) / 9007199254740992
            return (-2 * Math.log(u)).squareRoot() * Math.cos(2 * Double.pi * v)
        }
        let a = (0..<(n * d)).map { _ in gaussian() / Double(d).squareRoot() }
        let truth = (0..<d).map { _ in gaussian() }
        self.a = a
        b = (0..<n).map { i in
            let clean = (0..<d).reduce(0.0) { $0 + a[i * d + $1] * truth[$1] } + 0.1 * gaussian()
            return i % 10 == 0 ? clean + 10 : clean
        }
    }

    public var dimension: Int { d }
    public var sampleCount: Int { n }
    public var theory: TheoryConstants { TheoryConstants(sampleCount: n, dimension: d) }
    public func initialPoint(seed: UInt64) -> [Double] { [Double](repeating: 0, count: d) }

    func residual(_ w: UnsafeBufferPointer<Double>, _ i: Int) -> Double {
        var r = -b[i]
        for j in 0..<d { r += a[i * d + j] * w[j] }
        return r
    }

    public func loss(at w: UnsafeBufferPointer<Double>) -> Double {
        var f = 0.0
        for i in 0..<n {
            let r = residual(w, i)
            f += delta * delta * ((1 + r * r / (delta * delta)).squareRoot() - 1)
        }
        return f / Double(n)
    }

    public func lossAndGradient(at w: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) -> Double {
        for j in 0..<d { g[j] = 0 }
        var f = 0.0
        for i in 0..<n {
            let r = residual(w, i), root = (1 + r * r / (delta * delta)).squareRoot()
            f += delta * delta * (root - 1)
            for j in 0..<d { g[j] += r / root * a[i * d + j] / Double(n) }
        }
        return f / Double(n)
    }

    /// (1/|B|) Σ_{i∈B} ∇fᵢ(w).
    public func sampleGradient(at w: UnsafeBufferPointer<Double>, samples: UnsafeBufferPointer<Int>, into g: UnsafeMutableBufferPointer<Double>) {
        for j in 0..<d { g[j] = 0 }
        for i in samples {
            let r = residual(w, i), root = (1 + r * r / (delta * delta)).squareRoot()
            for j in 0..<d { g[j] += r / root * a[i * d + j] / Double(samples.count) }
        }
    }

    public static let entry = ProblemEntry(
        name: "pseudo-huber", summary: "robust linear regression, pseudo-Huber loss, 10 % outliers",
        settings: PseudoHuberSettings.self, deterministic: false
    ) { s, label in
        ProblemInstance(PseudoHuber(n: s.n, d: s.d, delta: s.delta, seed: UInt64(s.seed), label: label))
    }
}

/// The settings of `pseudo-huber`, each declared once.
public struct PseudoHuberSettings: ParameterSet {
    @Setting("n", range: 1...1_000_000, "samples")
    public var n = 200
    @Setting("d", range: 1...10_000, "features")
    public var d = 20
    @Setting("delta", range: 1e-6...1e6, "δ, where the loss turns from quadratic to linear")
    public var delta = 1.0
    @Setting("seed", range: 0...1_000_000, "seed of the data")
    public var seed = 1
    public init() {}
}
