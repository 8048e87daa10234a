import OptBenchCore
import OptBenchKernels

/// Rosenbrock's valley, F(x, y) = (a − x)² + b(y − x²)², minimised at (a, a²) with F* = 0.
///
/// ∇F = (−2(a − x) − 4bx(y − x²), 2b(y − x²)); each partial derivative costs O(1), half the
/// gradient, so it has a coordinate view. A deterministic 2-D function: n = 1.
///
/// Start (`init`): `x0` (the `x0` setting, (−1.2, 1) by default), `zeros`, or `gaussian`
/// (w₀ ~ N(0, I/2) from the run seed); `spread` > 0 perturbs it by a seeded N(0, spread²·I).
public final class Rosenbrock: Problem {
    public let a: Double
    public let b: Double
    /// The fixed start, nil for a Gaussian draw.
    let start: [Double]?
    let spread: Double
    public let label: String

    public init(a: Double = 1, b: Double = 100, start: [Double]? = [-1.2, 1], spread: Double = 0, label: String = "rosenbrock") {
        precondition(start.map { $0.count == 2 } ?? true, "Rosenbrock starts in ℝ²")
        self.a = a
        self.b = b
        self.start = start
        self.spread = spread
        self.label = label
    }

    public var dimension: Int { 2 }
    public var sampleCount: Int { 1 }
    public var theory: TheoryConstants { TheoryConstants(sampleCount: 1, dimension: 2, optimalValue: 0) }

    public func initialPoint(seed: UInt64) -> [Double] {
        perturbedStart(start ?? gaussianStart(dimension: 2, seed: seed), spread: spread, seed: seed)
    }

    public func loss(at w: UnsafeBufferPointer<Double>) -> Double {
        let x = w[0], y = w[1]
        let u = a - x, v = y - x * x
        return u * u + b * v * v
    }

    public func lossAndGradient(at w: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) -> Double {
        (g[0], g[1]) = gradient(w[0], w[1])
        return loss(at: w)
    }

    /// (∂F/∂x, ∂F/∂y).
    func gradient(_ x: Double, _ y: Double) -> (Double, Double) {
        let u = a - x, v = y - x * x
        return (-2 * u - 4 * b * x * v, 2 * b * v)
    }

    /// The only sample is F itself.
    public func sampleGradient(at w: UnsafeBufferPointer<Double>, samples: UnsafeBufferPointer<Int>, into g: UnsafeMutableBufferPointer<Double>) {
        _ = lossAndGradient(at: w, into: g)
    }

    /// ∂F/∂x or ∂F/∂y, O(1) like the whole gradient of this 2-D function.
    public func coordinates() -> CoordinateView<Double>? {
        CoordinateView { [self] w, j in
            let g = gradient(w[0], w[1])
            return j == 0 ? g.0 : g.1
        }
    }

    public static let entry = ProblemEntry(
        name: "rosenbrock", summary: "Rosenbrock's valley (a − x)² + b(y − x²)² in 2-D, F* = 0 at (a, a²)",
        settings: RosenbrockSettings.self, deterministic: true,
        memory: { s in estimate(construction: Bytes(), resident: Bytes(), parameters: 2, scalar: 8) }
    ) { s, label in
        let start = try fixedStart(
            x0: s.$x0, region: s.initialization.region, choices: PointInit.allCases.map(\.rawValue), dimension: 2, problem: "rosenbrock")
        return ProblemInstance(Rosenbrock(a: s.a, b: s.b, start: start, spread: s.spread, label: label))
    }
}

/// The settings of `rosenbrock`.
public struct RosenbrockSettings: ParameterSet {
    @Setting("a", "the minimiser's x-coordinate")
    public var a = 1.0
    @Setting("b", range: 0...1e12, "the valley's steepness")
    public var b = 100.0
    @Setting("init", "start: the point x0, the origin, or w₀ ~ N(0, I/2) from the run seed")
    public var initialization = PointInit.x0
    @Setting("x0", "starting point when init=x0")
    public var x0 = [-1.2, 1]
    @Setting("spread", range: 0...1e6, "std of a seeded Gaussian perturbation of the start (0: every seed starts at the same point)")
    public var spread = 0.0
    public init() {}
}
