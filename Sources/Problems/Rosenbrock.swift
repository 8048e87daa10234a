import Core
import Kernels

/// Rosenbrock's valley, F(x, y) = (a − x)² + b(y − x²)², minimised at (a, a²) with F* = 0.
///
/// ∇F = (−2(a − x) − 4bx(y − x²), 2b(y − x²)). A deterministic 2-D function: n = 1.
public final class Rosenbrock: Problem {
    public let a: Double
    public let b: Double
    let start: [Double]
    let spread: Double
    public let label: String

    public init(a: Double = 1, b: Double = 100, start: [Double] = [-1.2, 1], spread: Double = 0, label: String = "rosenbrock") {
        self.a = a
        self.b = b
        self.start = start
        self.spread = spread
        self.label = label
    }

    public var dimension: Int { 2 }
    public var sampleCount: Int { 1 }
    public var capabilities: OracleCapabilities { [.fullGradient, .sampleGradients, .coordinates] }
    public var optimalValue: Double? { 0 }

    public func initialPoint(seed: UInt64) -> [Double] {
        perturbedStart(start, spread: spread, seed: seed)
    }

    public func loss(at w: UnsafeBufferPointer<Double>) -> Double {
        let x = w[0], y = w[1]
        let u = a - x, v = y - x * x
        return u * u + b * v * v
    }

    public func lossAndGradient(at w: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) -> Double {
        let x = w[0], y = w[1]
        let u = a - x, v = y - x * x
        g[0] = -2 * u - 4 * b * x * v
        g[1] = 2 * b * v
        return u * u + b * v * v
    }

    public static let entry = ProblemEntry(
        name: "rosenbrock",
        summary: "Rosenbrock's valley (a − x)² + b(y − x²)² in 2-D, F* = 0 at (a, a²)",
        settings: [
            .real("a", 1, "the minimiser's x-coordinate"),
            .real("b", 100, range: 0...1e12, "the valley's steepness"),
            .vector("x0", [-1.2, 1], "starting point"),
            .real("spread", 0, range: 0...1e6, "std of a seeded Gaussian perturbation of x0 (0: every seed starts at x0)"),
        ],
        deterministic: true
    ) { p in
        let x0 = p.vector("x0")
        guard x0.count == 2 else { throw ConfigurationError("problem 'rosenbrock': x0 has \(x0.count) entries; expected 2") }
        return Rosenbrock(a: p.real("a"), b: p.real("b"), start: x0, spread: p.real("spread"), label: problemLabel("rosenbrock", p))
    }
}

/// x0 + spread·ξ with ξ ~ N(0, I) drawn from `seed` (x0 itself when spread is 0).
func perturbedStart(_ start: [Double], spread: Double, seed: UInt64) -> [Double] {
    guard spread > 0 else { return start }
    var rng = Xoshiro256(seed: seed, stream: 1)
    return start.map { $0 + spread * rng.nextGaussian() }
}
