import OptBenchCore
import OptBenchKernels

/// The depth-L scalar network F(w) = ½(w₁w₂⋯w_L − 1)², F* = 0 on the hypersurface Πw = 1.
///
/// ∂F/∂w_k = (Π_j w_j − 1)·Π_{j≠k} w_j: every partial derivative carries a product of L − 1
/// factors, so it vanishes geometrically when the factors are below 1 and explodes above; the
/// Hessian at a balanced minimiser (all wᵢ = 1) is the all-ones matrix, with λmax = L. It is
/// `w7` without tied weights, the survey's §4.1 picture of depth. A single partial needs the
/// product of all the other factors, O(L) like the whole gradient, so it offers no coordinate
/// view. A deterministic function: n = 1.
///
/// Start (`init`, see `StartRegion`): `basin` by default, `vanishing`, `exploding`, `x0` (the
/// `x0` setting), `zeros`, or `gaussian`; `spread` perturbs it (breaking the symmetry of
/// equal factors).
public final class Product: Problem {
    public let depth: Int
    /// The fixed start, nil for a Gaussian draw.
    let start: [Double]?
    let spread: Double
    public let label: String

    /// `start` nil draws a Gaussian start from each seed.
    public init(depth: Int, start: [Double]?, spread: Double = 0, label: String = "product") {
        precondition(depth >= 1)
        precondition(start.map { $0.count == depth } ?? true, "a start of \(start?.count ?? 0) factors for depth \(depth)")
        self.depth = depth
        self.start = start
        self.spread = spread
        self.label = label
    }

    /// Every factor at the `basin` value.
    public convenience init(depth: Int = 7, label: String = "product") {
        self.init(depth: depth, start: [Double](repeating: StartRegion.basin.factor!, count: depth), label: label)
    }

    public var dimension: Int { depth }
    public var sampleCount: Int { 1 }
    public var theory: TheoryConstants { TheoryConstants(sampleCount: 1, dimension: depth, optimalValue: 0) }
    public var properties: [(name: String, value: Double)] {
        theoryProperties(theory) + [("depth", Double(depth)), ("hessian_lambda_max_at_balanced_minimum", Double(depth))]
    }

    public func initialPoint(seed: UInt64) -> [Double] {
        perturbedStart(start ?? gaussianStart(dimension: depth, seed: seed), spread: spread, seed: seed)
    }

    public func loss(at w: UnsafeBufferPointer<Double>) -> Double {
        let e = w.reduce(1, *) - 1
        return 0.5 * e * e
    }

    // Prefix and suffix products give every Π_{j≠k} w_j without dividing by a zero factor.
    public func lossAndGradient(at w: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) -> Double {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: depth + 1) { prefix in
            prefix[0] = 1
            for k in 0..<depth { prefix[k + 1] = prefix[k] * w[k] }
            let e = prefix[depth] - 1
            var suffix = 1.0
            for k in stride(from: depth - 1, through: 0, by: -1) {
                g[k] = e * prefix[k] * suffix
                suffix *= w[k]
            }
            return 0.5 * e * e
        }
    }

    /// The only sample is F itself.
    public func sampleGradient(at w: UnsafeBufferPointer<Double>, samples: UnsafeBufferPointer<Int>, into g: UnsafeMutableBufferPointer<Double>) {
        _ = lossAndGradient(at: w, into: g)
    }

    public static let entry = ProblemEntry(
        name: "product",
        summary: "depth-L scalar network ½(w₁⋯w_L − 1)²: vanishing and exploding gradients without tied weights, F* = 0",
        settings: ProductSettings.self, deterministic: true,
        memory: { s in estimate(construction: Bytes(), resident: Bytes(), parameters: s.depth, scalar: 8) }
    ) { s, label in
        let start = try fixedStart(
            x0: s.$x0, region: s.initialization, choices: StartRegion.allCases.map(\.rawValue), dimension: s.depth, problem: "product")
        return ProblemInstance(Product(depth: s.depth, start: start, spread: s.spread, label: label))
    }
}

/// The settings of `product`.
public struct ProductSettings: ParameterSet {
    @Setting("depth", range: 1...1000, "number of factors L (the dimension)")
    public var depth = 7
    @Setting("init", "start: basin (0.9), vanishing (0.2), exploding (1.5), x0, zeros, or gaussian (N(0, I/L) from the run seed)")
    public var initialization = StartRegion.basin
    @Setting("x0", "starting point when init=x0 (depth entries)")
    public var x0: [Double] = []
    @Setting("spread", range: 0...1e6, "std of a seeded Gaussian perturbation of the start (breaks the symmetry of equal factors)")
    public var spread = 0.0
    public init() {}
}
